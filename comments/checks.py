"""Configuration mistakes of the comments app, caught by `manage.py check` rather than by a reader's 500."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def comment_settings(app_configs, **kwargs):
    from .views import parse_rate

    errors = []
    try:
        parse_rate(settings.COMMENT_RATE_LIMIT)
    except ValueError as error:
        errors.append(Error(f"COMMENT_RATE_LIMIT: {error}.", id="comments.E001"))
    if settings.COMMENT_MAX_DEPTH < 1:
        errors.append(Error("COMMENT_MAX_DEPTH must be 1 or more (1 means no replies).", id="comments.E002"))
    return errors
