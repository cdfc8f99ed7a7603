"""Who gets the newsletter, and each mailing editors see in the admin (reviewblog/newsletter/sending.py)."""

import secrets

from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from reviews.models import OutgoingEmail, Review


def new_token() -> str:
    return secrets.token_urlsafe(24)


class SubscriberQuerySet(models.QuerySet):
    def receiving(self, frequency: str):
        """Confirmed, not stopped, and wanting emails this often."""
        return self.filter(status=Subscriber.Status.ACTIVE, frequency=frequency)


class Subscriber(models.Model):
    """One address that asked for the newsletter. Nothing is sent to it before its owner confirms with the
    emailed link; leaving deletes the row (nothing is kept), a bounce or complaint stops it."""

    class Frequency(models.TextChoices):
        EACH = "each", "Every new review"
        WEEKLY = "weekly", "A weekly round-up"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        ACTIVE = "active", "Subscribed"
        STOPPED = "stopped", "Stopped: the address bounced or complained"

    email = models.EmailField(unique=True)  # stored lower-case
    frequency = models.CharField(max_length=6, choices=Frequency.choices, default=Frequency.EACH)
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.PENDING)
    # Random, and only ever sent inside a signed link (confirm or unsubscribe, each with its own salt).
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    asked_at = models.DateTimeField(default=timezone.now)  # the latest sign-up with this address
    confirmed_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=200, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-asked_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "active", "stopped"]), name="newsletter_subscriber_status"
            ),
            models.CheckConstraint(condition=Q(frequency__in=["each", "weekly"]), name="newsletter_frequency"),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class MailingQuerySet(models.QuerySet):
    def in_progress(self):
        return self.filter(finished_at=None, stopped_at=None)

    def with_counts(self):
        """Each mailing's emails in the outbox by status (the admin's columns), in the same query."""

        def counted(status):
            emails = OutgoingEmail.objects.filter(key=OuterRef("key"), status=status).order_by()
            return Coalesce(Subquery(emails.values("key").annotate(n=Count("pk")).values("n")), 0)

        return self.annotate(
            sent=counted(OutgoingEmail.Status.SENT),
            failed=counted(OutgoingEmail.Status.FAILED),
            waiting=counted(OutgoingEmail.Status.QUEUED),
        )


class Mailing(models.Model):
    """One newsletter send: a review that went live (to those who want every review) or a week's round-up
    (to those who chose it). Its emails are recorded in the outbox in batches (`cursor`: the last
    subscriber recorded), each email under the mailing's `key`, so none is recorded twice."""

    class Kind(models.TextChoices):
        REVIEW = "review", "A new review"
        WEEKLY = "weekly", "Weekly round-up"

    kind = models.CharField(max_length=6, choices=Kind.choices)
    # The review it announces; unique, so a review is announced once however often it is edited.
    review = models.OneToOneField(Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    week = models.DateField(null=True, blank=True, unique=True)  # a round-up: the day it went out
    review_ids = models.JSONField(default=list, blank=True)  # a round-up's reviews, in its order
    key = models.CharField(max_length=60, unique=True)  # its emails' key in the outbox
    subject = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    cursor = models.PositiveBigIntegerField(default=0)
    queued = models.PositiveIntegerField("queued", default=0)
    unsubscribed = models.PositiveIntegerField("unsubscribed since", default=0)
    finished_at = models.DateTimeField(null=True, blank=True)  # every subscriber's email recorded
    stopped_at = models.DateTimeField(null=True, blank=True)  # its review unpublished before it was out

    objects = MailingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["review", "weekly"]), name="newsletter_mailing_kind"),
        ]

    def __str__(self):
        return self.subject
