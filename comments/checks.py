"""Configuration mistakes of the comments app, caught by `manage.py check` rather than by a reader's 500."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def comment_settings(app_configs, **kwargs):
    from .views import parse_rate

    errors = []
    for name in ("COMMENT_RATE_LIMIT", "COMMENT_NETWORK_RATE_LIMIT"):
        try:
            parse_rate(getattr(settings, name))
        except ValueError as error:
            errors.append(Error(f"{name}: {error}.", id="comments.E001"))
    if settings.COMMENT_MAX_DEPTH < 1:
        errors.append(Error("COMMENT_MAX_DEPTH must be 1 or more (1 means no replies).", id="comments.E002"))
    return errors
