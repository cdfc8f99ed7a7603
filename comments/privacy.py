"""What the site keeps about commenters, for how long, and how a reader gets it back or erased.

The privacy page (templates/jinja2/privacy.html) promises exactly what these functions do.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_tasks import task

from reviews import jobs, outbox
from reviews.models import OutgoingEmail
from reviews.seo import absolute_url

from .models import Comment, CommentEvent, CommentRule, SentEmail, Subscription, touch_reviews
from .models.followups import address_key

ANONYMOUS = "Anonymous"
CONFIRM_DAYS = 7  # how long a follow-up's confirmation link works (comments/followups.py)


@dataclass(frozen=True)
class Share:
    """What an app above this one keeps about an address (the newsletter), for `export` and `erase`:
    export(email) → JSON-ready data, erase(email) → how many rows went, held(email) → how many rows."""

    export: Callable[[str], object]
    erase: Callable[[str], int]
    held: Callable[[str], int]


# Filled by those apps' AppConfig.ready (this app cannot import them): name → Share.
SHARES: dict[str, Share] = {}


def add_share(name: str, *, export, erase, held) -> None:
    SHARES[name] = Share(export=export, erase=erase, held=held)


def purge(now=None) -> dict[str, int]:
    """Forget IPs, user agents and referrers after the retention period; delete old spam and trash.

    A spam or trashed comment that still has live replies is kept (deleting it would take them along).
    """
    now = now or timezone.now()
    personal_cutoff = now - timedelta(days=settings.COMMENT_PERSONAL_DATA_DAYS)
    forgotten = (
        Comment.objects.filter(created_at__lt=personal_cutoff)
        .exclude(ip_address=None, user_agent="", referrer="")
        .update(ip_address=None, network="", user_agent="", referrer="")
    )
    # Any live comment below it, not only a direct reply: deleting a comment deletes its whole subtree.
    live_reply = Comment.objects.filter(
        Q(parent=OuterRef("pk")) | Q(root=OuterRef("pk")), status__in=[Comment.Status.PENDING, Comment.Status.APPROVED]
    )
    spam_cutoff = now - timedelta(days=settings.COMMENT_SPAM_DAYS)
    _, deleted = (
        Comment.objects.filter(
            status__in=[Comment.Status.SPAM, Comment.Status.TRASH], status_changed_at__lt=spam_cutoff
        )
        .exclude(Exists(live_reply))
        .delete()
    )
    # Follow-ups never confirmed: the address was perhaps not the reader's own; forget it with the link.
    unconfirmed = Subscription.objects.filter(confirmed_at=None, created_at__lt=now - timedelta(days=CONFIRM_DAYS))
    dropped, _ = unconfirmed.delete()
    SentEmail.objects.filter(sent_at__lt=now - timedelta(days=1)).delete()  # counted only for a day
    return {
        "personal data forgotten": forgotten,
        "spam and trash deleted": deleted.get("comments.Comment", 0),
        "unconfirmed follow-ups deleted": dropped,
        "old emails deleted": outbox.forget_old(now),
    }


@task()
def daily_purge() -> dict[str, int]:
    """The task of the worker's daily purge (`purge_if_due`)."""
    return purge()


def purge_if_due() -> bool:
    """Queue the purge if nobody has today: once a day, recorded in the database, however many workers
    run and however often they restart (the worker's chores)."""
    return jobs.enqueue_once_a_day("comments-purge", daily_purge)


def export(email: str) -> dict:
    """Everything stored about this email address (a data-access request): the comments written with it,
    each with its whole history (the words a moderator's edit replaced too) and the emails sent about it,
    the follow-up emails it asked for, the emails the outbox holds for it, and the moderators' rules that
    name it; and what other apps keep about it (`SHARES`: the newsletter), each under its name."""
    comments = Comment.objects.by_email(email).select_related("review").prefetch_related("events")
    follow_ups = Subscription.objects.filter(email__iexact=email.strip()).select_related("review")
    return {
        "comments": _exported_comments(comments),
        "follow_ups": _exported_follow_ups(follow_ups),
        "emails": _exported_emails(OutgoingEmail.objects.filter(to__iexact=email.strip())),
        "rules_naming_this_address": [str(rule) for rule in _rules_naming(email)],
        **{name: share.export(email) for name, share in SHARES.items()},
    }


def _rules_naming(email: str):
    """Email rules written for exactly this address. Erasing leaves them: a rule that holds or files a
    sender's comments must not be lifted by that sender's request (it names no comment)."""
    return CommentRule.objects.filter(kind=CommentRule.Kind.EMAIL, pattern__iexact=email.strip())


def _exported_follow_ups(subscriptions) -> list[dict]:
    return [
        {
            "review": subscription.review.title,
            "review_url": absolute_url(subscription.review.get_absolute_url()),
            "email": subscription.email,
            "kind": subscription.get_kind_display(),
            "asked_at": subscription.created_at.isoformat(),
            "confirmed_at": subscription.confirmed_at.isoformat() if subscription.confirmed_at else None,
        }
        for subscription in subscriptions
    ]


def _exported_emails(emails) -> list[dict]:
    return [
        {
            "subject": email.subject,
            "body": email.body,
            "status": email.get_status_display(),
            "recorded_at": email.created_at.isoformat(),
            "sent_at": email.sent_at.isoformat() if email.sent_at else None,
        }
        for email in emails
    ]


def _exported_comments(comments) -> list[dict]:
    return [
        {
            "review": comment.review.title,
            "review_url": absolute_url(comment.review.get_absolute_url()),
            "name": comment.author_name,
            "email": comment.author_email,
            "website": comment.author_url,
            "comment": comment.body,
            "written_at": comment.created_at.isoformat(),
            "status": comment.status,
            "spam_check": comment.verdict,
            "ip_address": comment.ip_address,
            "user_agent": comment.user_agent,
            "referrer": comment.referrer,
            "email_when_published": comment.notify_on_approval,
            "told_it_was_published_at": comment.notified_at.isoformat() if comment.notified_at else None,
            "followers_told_at": comment.followers_notified_at.isoformat() if comment.followers_notified_at else None,
            "why_held": comment.hold_notes,
            "akismet_told": comment.reported_as or comment.report_due,
            "history": [_exported_event(event) for event in comment.events.all()],
        }
        for comment in comments
    ]


def _exported_event(event: CommentEvent) -> dict:
    exported = {"event": event.get_kind_display(), "at": event.created_at.isoformat(), "note": event.note}
    if event.before:
        exported["words_before_an_edit"] = event.before
    return exported


def erase(email: str, *, delete: bool = False) -> int:
    """Anonymise the comments written with this email (or delete them), and forget every other copy of
    the address and of words a moderator's edit replaced; returns how many comments.

    Kept by design: the words of an anonymised comment (it stays on the page, signed "Anonymous"), and
    the moderators' rules naming the address (`_rules_naming`). Kept until the purge deletes it
    (OUTBOX_KEEP_DAYS): a moderators' daily digest that listed a held comment by its author's name.
    """
    comments = Comment.objects.by_email(email)
    review_ids = set(comments.filter(status=Comment.Status.APPROVED).values_list("review_id", flat=True))
    every_id = list(comments.values_list("pk", flat=True))
    anonymous = {
        "author_name": ANONYMOUS,
        "author_email": "",
        "author_url": "",
        "ip_address": None,
        "network": "",
        "user_agent": "",
        "referrer": "",
        "notify_on_approval": False,
        "hold_notes": [],  # may name the address, its domain or the IP's network
    }
    with transaction.atomic():
        count = 0
        if delete:
            # Delete from the leaves up, so a reader's own reply chain goes entirely.
            while deleted := comments.filter(replies=None).delete()[1].get("comments.Comment", 0):
                count += deleted
            # Comments with other readers' replies lose their words but keep their place, so the thread reads.
            removed = "[deleted at the author's request]"
            anonymous |= {"body": removed, "body_html": f"<p>{removed}</p>"}
        ids = list(comments.values_list("pk", flat=True))
        count += comments.update(**anonymous)
        # The history keeps no copy either: the words an edit replaced, notes naming the address or network.
        CommentEvent.objects.filter(comment_id__in=ids).update(note="", before="")
        CommentEvent.objects.bulk_create(CommentEvent(comment_id=pk, kind=CommentEvent.Kind.ANONYMISED) for pk in ids)
        # The admin's log names a comment by its author ("Ana on …").
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Comment), object_id__in=[str(pk) for pk in every_id]
        ).update(object_repr="a comment (erased)")
        touch_reviews(Q(pk__in=review_ids))
        Subscription.objects.filter(email__iexact=email.strip()).delete()  # and no more follow-up emails
        SentEmail.objects.filter(address=address_key(email)).delete()  # a hash of the address, still theirs
        for share in SHARES.values():  # the newsletter's subscription
            share.erase(email)
        # The outbox's emails to the address, and those about their comments (to followers, to moderators).
        about_theirs = OutgoingEmail.objects.about(Comment, every_id).values("pk")
        OutgoingEmail.objects.filter(Q(to__iexact=email.strip()) | Q(pk__in=about_theirs)).delete()
    leave_no_trace()
    return count


def held_about(email: str) -> int:
    """How many comments, follow-ups and other apps' rows (`SHARES`) this address has (what `erase` acts on)."""
    held = Comment.objects.by_email(email).count() + Subscription.objects.filter(email__iexact=email.strip()).count()
    return held + sum(share.held(email) for share in SHARES.values())


def leave_no_trace() -> None:
    """SQLite keeps deleted and overwritten rows in free space and in its write-ahead log until they are
    reused: rebuild the file and empty the log, so erased words are gone from the disk too. Inside a
    transaction (a caller's) it cannot run. PostgreSQL's autovacuum reclaims dead rows by itself."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
