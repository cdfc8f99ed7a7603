"""WordPress comments → comments: threads, status, pingbacks, and the Akismet plugin's verdict and history.

Rows are written directly with their final status and verdict, never through
`comments.moderation.receive`: an imported comment is not sent to Akismet again, queues no task and
emails nobody. Reviews' counts of comments are counted, and their pages touched, once at the end.
"""

import ipaddress
from datetime import UTC, datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator

from comments.models import Comment, CommentEvent, touch_reviews

from ..models import ImportedItem
from . import wxr
from .convert import comment_text

STATUS = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "post-trashed": Comment.Status.TRASH,
}
KIND = {"pingback": Comment.Kind.PINGBACK, "trackback": Comment.Kind.TRACKBACK}
Event = CommentEvent.Kind
# The Akismet plugin's history events (class.akismet.php, update_comment_history) → our history's kinds.
HISTORY = {
    "check-ham": Event.CHECKED,
    "check-spam": Event.CHECKED,
    "recheck-ham": Event.CHECKED,
    "recheck-spam": Event.CHECKED,
    "cron-retry-ham": Event.CHECKED,
    "cron-retry-spam": Event.CHECKED,
    "webhook-ham": Event.CHECKED,
    "webhook-spam": Event.CHECKED,
    "check-error": Event.CHECK_FAILED,
    "recheck-error": Event.CHECK_FAILED,
    "cron-retry": Event.CHECK_FAILED,
    "report-spam": Event.REPORTED_SPAM,
    "report-ham": Event.REPORTED_HAM,
    "report-spam-failed": Event.REPORT_FAILED,
    "report-ham-failed": Event.REPORT_FAILED,
    "status-approved": Event.APPROVED,
    "status-changed-approved": Event.APPROVED,
    "status-unapproved": Event.UNAPPROVED,
    "status-changed-unapproved": Event.UNAPPROVED,
    "status-spam": Event.MARKED_SPAM,
    "status-changed-spam": Event.MARKED_SPAM,
    "status-trash": Event.TRASHED,
    "status-changed-trash": Event.TRASHED,
}
HISTORY_NOTES = {
    "check-ham": "WordPress: Akismet said not spam",
    "check-spam": "WordPress: Akismet said spam",
    "recheck-ham": "WordPress: Akismet re-check said not spam",
    "recheck-spam": "WordPress: Akismet re-check said spam",
}


def verdict_of(meta: dict) -> str:
    result = str(meta.get("akismet_result", "")).strip().lower()
    if result == "true":
        return Comment.Verdict.SPAM
    if result == "false":
        return Comment.Verdict.HAM
    if meta.get("akismet_error"):
        return Comment.Verdict.ERROR
    return Comment.Verdict.UNCHECKED


def history_entries(meta: dict) -> list[dict]:
    """The plugin's akismet_history: one meta row per event, each a serialized array (time, event, message, user)."""
    value = meta.get("akismet_history")
    entries = value if isinstance(value, list) else [value]
    out = []
    for entry in entries:
        if isinstance(entry, dict) and ("event" in entry or "message" in entry):
            out.append(entry)
    return sorted(out, key=lambda e: float(e.get("time") or 0))


def truncated(text: str, length: int) -> str:
    """Truncator(text).chars(length), without its cost (a translated "…") when the text fits."""
    return text if len(text) <= length else Truncator(text).chars(length)


def as_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def thread_order(comments: list[wxr.Comment]) -> list[wxr.Comment]:
    """Parents before their replies (an export lists them in any order)."""
    by_id = {c.id: c for c in comments}
    done, ordered = set(), []

    def visit(comment, depth=0):
        if comment.id in done or depth > 1000:
            return
        if comment.parent in by_id and comment.parent != comment.id:
            visit(by_id[comment.parent], depth + 1)
        done.add(comment.id)
        ordered.append(comment)

    for comment in sorted(comments, key=lambda c: c.id):
        visit(comment)
    return ordered


def thread_levels(comments: list[wxr.Comment]) -> list[list[wxr.Comment]]:
    """The comments by depth, top-level first: each level's parents are all in the levels before it
    (a reply whose parent comes later, in a loop of replies, is put first and refused by `fill`)."""
    level: dict[int, int] = {}
    levels: list[list[wxr.Comment]] = []
    for comment in thread_order(comments):
        n = level[comment.id] = level[comment.parent] + 1 if comment.parent in level else 0
        if n == len(levels):
            levels.append([])
        levels[n].append(comment)
    return levels


# What `fill` sets: an existing comment whose values all stay is not written again.
FILLED = [
    "review", "parent", "root", "depth", "kind", "user", "author_name", "author_email", "author_url", "body",
    "created_at", "ip_address", "user_agent", "referrer", "status", "status_changed_at", "verdict",
    "next_check_at", "notify_on_approval", "reported_as",
]  # fmt: skip
FILLED_ATTNAMES = [Comment._meta.get_field(name).attname for name in FILLED]


def filled_values(comment: Comment) -> list:
    return [getattr(comment, name) for name in FILLED_ATTNAMES]


class CommentImporter:
    def __init__(self, importer):
        self.importer = importer

    def import_comments(self, item: wxr.Item, review) -> None:
        """A post's comments in a few queries whatever their number: read in one, written a level of the
        threads at a time (a reply needs its parent's id), with their history and bookkeeping in bulk."""
        if not item.comments:
            return
        importer = self.importer
        known = {
            int(record.source_id): record
            for record in ImportedItem.objects.filter(
                source=importer.source,
                kind=ImportedItem.Kind.COMMENT,
                source_id__in=[str(c.id) for c in item.comments],
            )
        }
        existing = Comment.objects.in_bulk([r.object_id for r in known.values()])
        made: dict[int, Comment] = {}  # WordPress id → comment, saved before the next level is filled
        events, records, stale = [], [], []
        content_type = ContentType.objects.get_for_model(Comment)
        for level in thread_levels(item.comments):
            new, changed = [], []
            for source in level:
                record = known.get(source.id)
                comment = existing.get(record.object_id) if record else None
                importer.report.count("comments", "updated" if comment else "imported")
                if comment is None:  # new, or its comment was deleted here since
                    comment = self.fill(Comment(review=review), source, review, made)
                    new.append((source, comment))
                    stale += [record.pk] if record else []
                else:
                    before = filled_values(comment)
                    if filled_values(self.fill(comment, source, review, made)) != before:
                        changed.append(comment)
                made[source.id] = comment
            Comment.objects.bulk_create([comment for _, comment in new])
            Comment.objects.bulk_update(changed, FILLED)
            for source, comment in new:
                events += self.history(comment, source)
                records.append(
                    ImportedItem(
                        source=importer.source,
                        kind=ImportedItem.Kind.COMMENT,
                        source_id=str(source.id),
                        content_type=content_type,
                        object_id=comment.pk,
                    )
                )
        if stale:
            ImportedItem.objects.filter(pk__in=stale).delete()
        CommentEvent.objects.bulk_create(events)
        ImportedItem.objects.bulk_create(records)

    def count_comments(self) -> None:
        """Every imported review's count of approved comments, counted afresh in one UPDATE at the end of
        the import (its pages are touched then too), rather than once per post."""
        posts = ImportedItem.objects.of(self.importer.source, ImportedItem.Kind.POST).values("object_id")
        touch_reviews(Q(pk__in=posts))

    def fill(self, comment: Comment, source: wxr.Comment, review, made: dict) -> Comment:
        meta = source.meta
        submitted = meta.get("akismet_as_submitted")
        submitted = submitted if isinstance(submitted, dict) else {}
        parent = made.get(source.parent) if source.parent else None
        if source.parent and parent is None:
            raise ValueError(f"comment {source.id} answers comment {source.parent}, which was not imported")
        comment.review = review
        comment.parent = parent
        comment.root_id = (parent.root_id or parent.pk) if parent else None
        comment.depth = parent.depth + 1 if parent else 0
        comment.kind = KIND.get(source.type, Comment.Kind.COMMENT)
        comment.user = self.importer.user_ids.get(source.user_id) if source.user_id else None
        comment.author_name = truncated(source.author.strip() or "Anonymous", 80)
        comment.author_email = source.email.strip()[:254]
        url = source.url.strip()
        comment.author_url = url if url.startswith(("http://", "https://")) and len(url) <= 200 else ""
        comment.body = comment_text(source.content) or "(empty)"
        comment.created_at = wxr.gmt(source.date_gmt) or timezone.now()
        comment.ip_address = as_ip(source.ip)
        comment.user_agent = (source.agent or str(submitted.get("user_agent", "")))[:500]
        comment.referrer = str(submitted.get("referrer", ""))[:1000]
        status = STATUS.get(source.approved, Comment.Status.PENDING)
        if comment.pk is None or comment.status != status:
            comment.status_changed_at = timezone.now()  # retention of spam and trash counts from the move here
        comment.status = status
        comment.verdict = verdict_of(meta)
        comment.next_check_at = None  # never sent to Akismet again
        comment.notify_on_approval = False
        reports = [e.get("event") for e in history_entries(meta) if e.get("event") in ("report-spam", "report-ham")]
        comment.reported_as = reports[-1].removeprefix("report-") if reports else comment.reported_as
        return comment

    def history(self, comment: Comment, source: wxr.Comment) -> list[CommentEvent]:
        """The plugin's history as ours, then one line saying where the comment came from."""
        events = []
        for entry in history_entries(source.meta):
            event = str(entry.get("event", ""))
            try:
                when = datetime.fromtimestamp(float(entry.get("time")), UTC)
            except (TypeError, ValueError, OverflowError, OSError):
                when = comment.created_at
            note = HISTORY_NOTES.get(event) or f"WordPress: {entry.get('message') or event}"
            if entry.get("user"):
                note += f" (by {entry['user']})"
            actor = self.importer.users.get(str(entry.get("user", ""))) if entry.get("user") else None
            kind = HISTORY.get(event, Event.IMPORTED)
            events.append(CommentEvent(comment=comment, kind=kind, actor=actor, note=note[:300], created_at=when))
        events.append(
            CommentEvent(
                comment=comment,
                kind=Event.IMPORTED,
                note=f"Imported from WordPress (comment {source.id}, status “{source.approved}”)",
            )
        )
        return events
