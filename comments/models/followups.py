"""Readers who asked for email about a discussion, and how each moderator wants to hear about the queue.

A subscription waits for its address to be confirmed (a link in an email) before anything is sent to it;
every notification carries a one-click way out. Sending lives in comments/followups.py.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from reviews.models import Review


def new_token() -> str:
    return secrets.token_urlsafe(24)


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.exclude(confirmed_at=None)

    def for_comment(self, comment):
        """Confirmed subscriptions a newly published comment is news to: everyone following its review,
        and whoever asked for replies to the comment it answers; never its own author."""
        wanted = Q(kind=Subscription.Kind.ALL, review=comment.review_id)
        if comment.parent_id:
            wanted |= Q(kind=Subscription.Kind.REPLIES, parent=comment.parent_id)
        found = self.confirmed().filter(wanted)
        return found.exclude(email__iexact=comment.author_email) if comment.author_email else found


class Subscription(models.Model):
    class Kind(models.TextChoices):
        REPLIES = "replies", "Replies to my comment"
        ALL = "all", "New comments on this review"

    email = models.EmailField()
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=7, choices=Kind.choices)
    # For replies: the subscriber's own comment, whose replies they get.
    parent = models.ForeignKey("Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # The comment whose form asked for it: nothing is mailed while that comment is filed as spam.
    comment = models.ForeignKey("Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Random, and only ever sent inside a signed link (confirm or unsubscribe, each with its own salt).
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)  # its confirmation email, once

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="all", parent=None) | Q(kind="replies", parent__isnull=False),
                name="subscription_kind_valid",
            ),
            models.UniqueConstraint(fields=["email", "review"], condition=Q(kind="all"), name="subscription_one_all"),
            models.UniqueConstraint(
                fields=["email", "parent"], condition=Q(kind="replies"), name="subscription_one_replies"
            ),
        ]

    def __str__(self):
        return f"{self.email}: {self.get_kind_display().lower()} on {self.review}"


class ModeratorPreference(models.Model):
    """How a moderator hears about comments waiting for them: an email each, or one digest a day."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    daily_digest = models.BooleanField(
        "one daily digest", default=False, help_text="One email a day listing what waits, instead of one per comment."
    )

    def __str__(self):
        return f"{self.user}: {'daily digest' if self.daily_digest else 'an email per comment'}"


def address_key(address: str) -> str:
    """A keyed hash of an email address: enough to count the emails sent to it, without keeping it."""
    return salted_hmac("comments.sent-email", address.strip().lower()).hexdigest()


class SentEmailQuerySet(models.QuerySet):
    def reserve(self, address: str) -> "SentEmail | None":
        """Count one email to this address, if fewer than FOLLOWUP_EMAILS_PER_ADDRESS_PER_DAY were recorded
        for it in the last 24 hours; None when the cap is met. It runs in the transaction that records the
        email (comments/followups.py): on SQLite writers take turns, so the count is exact; on PostgreSQL
        two workers recording for one address at the same instant do not see each other's uncommitted row,
        so each worker beyond the first may add one email over the cap."""
        row = self.create(address=address_key(address))
        recent = self.filter(address=row.address, sent_at__gt=row.sent_at - timedelta(days=1))
        if recent.count() > settings.FOLLOWUP_EMAILS_PER_ADDRESS_PER_DAY:
            row.delete()
            return None
        return row


class SentEmail(models.Model):
    """One email recorded for a reader's address (a confirmation or a notification), kept a day to cap how
    many one address gets, whatever the comments, networks and subscriptions aimed at it."""

    address = models.CharField(max_length=64)  # address_key(), never the address
    sent_at = models.DateTimeField(default=timezone.now)

    objects = SentEmailQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["address", "sent_at"], name="sentemail_address_sent_at")]

    def __str__(self):
        return f"an email at {self.sent_at:%Y-%m-%d %H:%M}"
