"""Writing WXR: text as CDATA or escaped, WordPress's dates, a meta row; shared by the export's modules."""

import re
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from django.utils import timezone

# Characters XML 1.0 does not allow anywhere, not even in CDATA.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def cdata(text: str) -> str:
    """Text as CDATA; a "]]>" inside is split across two sections, as WordPress does."""
    text = NOT_XML.sub("", text or "")
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text(value) -> str:
    return escape(NOT_XML.sub("", str(value or "")))


def wp_date(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}" if moment else "0000-00-00 00:00:00"


def wp_date_gmt(moment: datetime | None) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S}" if moment else "0000-00-00 00:00:00"


def meta(tag: str, key: str, value: str) -> str:
    pair = f"<wp:meta_key>{cdata(key)}</wp:meta_key><wp:meta_value>{cdata(value)}</wp:meta_value>"
    return f"\t\t<wp:{tag}>{pair}</wp:{tag}>\n"
