"""The site's date and time style (Django's en-GB formats otherwise): a 24-hour clock everywhere, so one
screen never shows "11:03 a.m." beside "11:03", and no time ends a sentence in "a.m.."."""

DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
