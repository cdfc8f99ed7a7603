"""The outbox: every email the site sends, recorded before it is sent (reviews/outbox.py sends them)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self):
        """Waiting to be sent, its time come (new, a retry's backoff over, or a claim run out)."""
        return self.filter(status=OutgoingEmail.Status.QUEUED, next_attempt_at__lte=timezone.now())

    def about(self, model, ids):
        """The emails about these rows of `model` (comments, say): what erasing them takes along."""
        return self.filter(about_type=ContentType.objects.get_for_model(model), about_id__in=list(ids))


class OutgoingEmail(models.Model):
    """One email to one address, recorded in the transaction of the event it tells about.

    `key` names the event ("comment-published:12"): with the address it is unique, so an event recorded
    twice (its task run twice, the chores catching up) is one email. `next_attempt_at` is when the
    worker may try it: claimed with reviews.jobs.claim, moved on by the backoff after a failed try.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Given up"

    key = models.CharField(max_length=120)
    to = models.EmailField("to")
    subject = models.TextField()
    body = models.TextField()
    html_body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)  # List-Unsubscribe and the like
    # What the email is about (a comment), so erasing it takes its emails along.
    about_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")

    status = models.CharField(max_length=6, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        verbose_name = "outgoing email"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key", "to"], name="outgoing_email_once_per_event"),
            models.CheckConstraint(condition=Q(status__in=["queued", "sent", "failed"]), name="outgoing_email_status"),
            # Only a queued email has a time to be tried at.
            models.CheckConstraint(
                condition=Q(status="queued", next_attempt_at__isnull=False) | ~Q(status="queued"),
                name="outgoing_email_queued_is_due_sometime",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outgoing_email_due"),
            models.Index(fields=["about_type", "about_id"], name="outgoing_email_about"),
        ]

    def __str__(self):
        return f"{self.subject} (to {self.to})"

    def message(self, connection=None) -> EmailMultiAlternatives:
        message = EmailMultiAlternatives(
            self.subject, self.body, settings.DEFAULT_FROM_EMAIL, [self.to], headers=self.headers, connection=connection
        )
        if self.html_body:
            message.attach_alternative(self.html_body, "text/html")
        return message
