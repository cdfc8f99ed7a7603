"""Readers who asked for email about a discussion, and how each moderator wants to hear about the queue.

A subscription waits for its address to be confirmed (a link in an email) before anything is sent to it;
every notification carries a one-click way out. Sending lives in comments/followups.py (issue 11, part 5).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

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
