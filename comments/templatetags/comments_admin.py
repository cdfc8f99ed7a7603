"""What the admin index shows moderators: how many comments wait, and whether Akismet is on."""

from django import template

from .. import spam
from ..models import Comment

register = template.Library()


@register.inclusion_tag("admin/comments/_moderation_summary.html", takes_context=True)
def moderation_summary(context):
    user = context["request"].user
    if not user.has_perm("comments.view_comment"):
        return {"show": False}
    return {"show": True, "waiting": Comment.objects.pending().count(), **screening_status()}


def screening_status() -> dict:
    """Whether Akismet is on, and how many new comments no task worker has checked (the notice shows both)."""
    on = spam.is_configured()
    return {"screening_on": on, "overdue_checks": Comment.objects.overdue_first_checks().count() if on else 0}
