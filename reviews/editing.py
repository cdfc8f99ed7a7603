"""No silent overwrites: a review saved from a form loaded before someone else's save is refused.

The change form carries the version of the review it was loaded from (its `updated_at`, which every
save, bulk publish and restore moves) in a hidden field. At save the review's row is locked
(select_for_update, inside the admin's transaction) and compared: if it moved, the save is refused
with what the other person changed, the author's text stays in the form, and the form now carries
the new version, so saving again after merging goes through. The edit locks and autosaves that
keep authors from getting here are models (reviews/models/editing.py); their admin pages and the
editor's endpoints are in reviews/admin_editing.py.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime

from . import revisions
from .models import Review, display_name

# The fields shown beside the body when telling someone what changed (the body gets a word diff).
TEXT_FIELDS = ["title", "standfirst", "hero_alt", "hero_caption", "rating", "contains_spoilers"]


def version_of(review) -> str:
    """The version token a form carries: the review's last save, to the microsecond."""
    return review.updated_at.isoformat() if review.updated_at else ""


def parse_version(token: str | None) -> datetime | None:
    try:
        return parse_datetime(token or "")
    except ValueError:
        return None


def when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@dataclass
class Conflict:
    """Someone saved the review after this form was loaded: who, when, and what they changed."""

    version: str  # the review's version now, for the form to carry on
    names: list[str]
    saved_at: datetime
    rows: list = field(default_factory=list)  # revisions.DiffLine, the body from what the form showed to now
    changes: list = field(default_factory=list)  # revisions.FieldChange, the other fields
    against_yours: bool = False  # the revision the form showed is not kept: the diff is your text against now

    @property
    def message(self) -> str:
        who = revisions.english_list(self.names) if self.names else "Someone"
        return (
            f"Not saved: {who} saved this review at {when(self.saved_at)}, after you opened it. "
            "Their changes are shown below and your text is kept in the form: merge what you want to keep, "
            "then save again."
        )


def conflict_since(review_pk, loaded_token: str, yours: dict | None = None) -> Conflict | None:
    """Lock the review's row and compare it with the version a form was loaded from; None if it is the same.

    Call inside a transaction, so the lock holds until the save commits. `yours` is the form's cleaned
    data, used for the diff only when the revision the form showed is no longer kept.
    """
    current = Review.objects.select_for_update().get(pk=review_pk)
    loaded = parse_version(loaded_token)
    if loaded is None or current.updated_at == loaded:
        return None
    history = Review.history.filter(id=review_pk)
    later = history.filter(updated_at__gt=loaded).select_related("history_user").order_by("history_date")
    names = []
    for record in later:
        user = record.history_user
        name = display_name(user) if user else "someone"
        if name not in names:
            names.append(name)
    now = revisions.as_revision(current)
    shown = history.filter(updated_at=loaded).order_by("-history_id").first()
    conflict = Conflict(version_of(current), names, current.updated_at)
    if shown is not None:
        conflict.rows = revisions.body_diff(shown.body, now.body)
        conflict.changes = revisions.field_changes(now, shown)
    else:
        conflict.against_yours = True
        conflict.rows = revisions.body_diff(str((yours or {}).get("body", "")), now.body)
    return conflict
