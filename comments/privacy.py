"""What the site keeps about commenters, for how long, and how a reader gets it back or erased.

The privacy page (templates/privacy.html) promises exactly what these functions do.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from reviews.seo import absolute_url

from .models import Comment, CommentEvent, SentEmail, Subscription, touch_reviews

ANONYMOUS = "Anonymous"
CONFIRM_DAYS = 7  # how long a follow-up's confirmation link works (comments/followups.py)


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
    }


def export(email: str) -> dict:
    """Everything stored about this email address: the comments written with it and the follow-up
    emails it asked for (a data-access request)."""
    comments = Comment.objects.by_email(email).select_related("review").prefetch_related("events")
    follow_ups = Subscription.objects.filter(email__iexact=email.strip()).select_related("review")
    return {"comments": _exported_comments(comments), "follow_ups": _exported_follow_ups(follow_ups)}


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
            "history": [{"event": e.get_kind_display(), "at": e.created_at.isoformat()} for e in comment.events.all()],
        }
        for comment in comments
    ]


def erase(email: str, *, delete: bool = False) -> int:
    """Anonymise the comments written with this email (or delete them); returns how many."""
    comments = Comment.objects.by_email(email)
    review_ids = set(comments.filter(status=Comment.Status.APPROVED).values_list("review_id", flat=True))
    anonymous = {
        "author_name": ANONYMOUS,
        "author_email": "",
        "author_url": "",
        "ip_address": None,
        "network": "",
        "user_agent": "",
        "referrer": "",
        "notify_on_approval": False,
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
        CommentEvent.objects.bulk_create(CommentEvent(comment_id=pk, kind=CommentEvent.Kind.ANONYMISED) for pk in ids)
        touch_reviews(Q(pk__in=review_ids))
        Subscription.objects.filter(email__iexact=email.strip()).delete()  # and no more follow-up emails
    return count
