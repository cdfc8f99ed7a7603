"""A comment's history: one row per thing that happened to it, shown to moderators and counted by the
spam-defence report (which layer acted, which rule)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class CommentEvent(models.Model):
    """One line of a comment's history, shown to moderators."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        CHECKED = "checked", "Akismet answered"
        CHECK_FAILED = "check_failed", "Akismet check failed"
        APPROVED = "approved", "Approved"
        UNAPPROVED = "unapproved", "Sent back to the queue"
        MARKED_SPAM = "marked_spam", "Marked as spam"
        TRASHED = "trashed", "Moved to the trash"
        REPORTED_SPAM = "reported_spam", "Reported to Akismet as spam"
        REPORTED_HAM = "reported_ham", "Reported to Akismet as not spam"
        REPORT_FAILED = "report_failed", "Report to Akismet failed"
        NOTIFIED = "notified", "Reader told it is published"
        EDITED = "edited", "Edited"
        ANONYMISED = "anonymised", "Personal data erased"
        IMPORTED = "imported", "Imported"
        HELD = "held", "Held for a moderator"
        FILED_SPAM = "filed_spam", "Filed as spam"
        SHADOW = "shadow", "Shadow rule would have acted"
        UNDONE = "undone", "Decision undone"
        STAFF_REPLY = "staff_reply", "Answered by the site's staff"

    class Layer(models.TextChoices):
        """Which defence acted (for the moderators' history and the spam-defence report)."""

        HONEYPOT = "honeypot", "Honeypot"
        RATE_LIMIT = "rate_limit", "Rate limit"
        SIZE = "size", "Size"
        LINKS = "links", "Links"
        RULES = "rules", "Rules"
        TIMING = "timing", "Timing"
        USER_AGENT = "user_agent", "No User-Agent"
        DUPLICATE = "duplicate", "Same text, other names"
        BURST = "burst", "Burst from one network"
        AKISMET = "akismet", "Akismet"

    comment = models.ForeignKey("Comment", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    layer = models.CharField(max_length=12, choices=Layer.choices, blank=True)
    # What an edit replaced (the reader's own words are never lost to a moderator's edit).
    before = models.TextField("before the edit", blank=True)
    rule = models.ForeignKey("CommentRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="events")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["layer", "created_at"], name="commentevent_layer_idx")]
        verbose_name = "history entry"
        verbose_name_plural = "history"

    def __str__(self):
        who = f" by {self.actor}" if self.actor_id else ""
        return f"{self.get_kind_display()}{who}" + (f": {self.note}" if self.note else "")
