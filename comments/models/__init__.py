"""Reader comments: one row per comment with its moderation state, and a history row per event.

The state machine lives here (`Comment.move_to`); the verbs that do more than change a row
(tell Akismet, email the reader, touch the review) live in `comments/moderation.py`.
"""

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from reviews.models import Review
from reviews.models.base import TextField

from .body import count_links, render_body
from .counters import DefenceCount
from .events import CommentEvent
from .followups import ModeratorPreference, SentEmail, Subscription
from .rules import CommentRule

__all__ = [
    "Comment",
    "CommentEvent",
    "CommentQuerySet",
    "CommentRule",
    "DefenceCount",
    "InvalidTransition",
    "ModeratorPreference",
    "SentEmail",
    "Subscription",
    "count_links",
    "network_of",
    "touch_review",
    "touch_reviews",
]


def network_of(ip: str | None) -> str:
    """The network a burst is counted over, as text: a /24 of IPv4, a /56 of IPv6 (one household or
    server; providers hand each customer a /56 or a /64). Empty without an address."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return ""
    return str(ipaddress.ip_network(f"{address}/{24 if address.version == 4 else 56}", strict=False))


class InvalidTransition(ValueError):
    pass


def shown_q(own_ids) -> Q:
    """Comments a reader sees: approved ones, plus their own that still wait for a moderator."""
    shown = Q(status=Comment.Status.APPROVED) | Q(status=Comment.Status.PENDING, pk__in=own_ids or [])
    return Q(kind=Comment.Kind.COMMENT) & shown


def thread_root_q(own_ids) -> Q:
    """Top-level comments that start a thread the reader sees: shown themselves, or removed but still
    holding replies the reader sees (they stand as a "removed" placeholder, as in WordPress)."""
    shown_reply = Comment.objects.filter(shown_q(own_ids), root=OuterRef("pk"))
    return Q(root=None) & (shown_q(own_ids) | Q(Exists(shown_reply)))


def touch_reviews(condition: Q) -> None:
    """Tell these reviews' pages that their discussion changed: one UPDATE bumps `page_changed_at` (the
    page cache, ETags and card fragments read it) and counts their approved comments afresh for the cards.
    Counted, never incremented, so a count can only be as wrong as until the next change."""
    approved = (
        Comment.objects.public()
        .filter(review=OuterRef("pk"))
        .order_by()
        .values("review")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Review.objects.filter(condition).update(
        page_changed_at=timezone.now(), comment_count=Coalesce(Subquery(approved), 0)
    )


def touch_review(review: Review) -> None:
    """`touch_reviews` for one review (its instance's `comment_count` is not refreshed)."""
    touch_reviews(Q(pk=review.pk))
    review.page_changed_at = timezone.now()


class CommentQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """As save() would: each body rendered to body_html (callers set parent, root and depth)."""
        objs = list(objs)
        for comment in objs:
            comment.body_html = render_body(comment.body)
        return super().bulk_create(objs, *args, **kwargs)

    bulk_create.alters_data = True

    def bulk_update(self, objs, fields, *args, **kwargs):
        """As save(update_fields=…) would: a changed body is rendered to body_html too."""
        objs = list(objs)
        if "body" in fields:
            for comment in objs:
                comment.body_html = render_body(comment.body)
            fields = [*fields, "body_html"]
        return super().bulk_update(objs, fields, *args, **kwargs)

    bulk_update.alters_data = True

    def public(self):
        """Approved reader comments (pingbacks and trackbacks are kept, never listed with them)."""
        return self.filter(status=Comment.Status.APPROVED, kind=Comment.Kind.COMMENT)

    def pending(self):
        """The moderation queue: comments waiting for a decision."""
        return self.filter(status=Comment.Status.PENDING)

    def shown_to(self, own_ids):
        """What a reader sees: approved comments, plus their own that still wait for a moderator."""
        return self.filter(shown_q(own_ids))

    def thread_roots(self, review, own_ids):
        return self.filter(thread_root_q(own_ids), review=review).order_by("created_at", "id")

    def due_for_recheck(self, now=None):
        """Pending comments whose next check has come: a re-check after Akismet failed, or a first check
        that never finished (its task lost, its worker killed, the database busy) once its claim ran out."""
        return self.filter(
            status=Comment.Status.PENDING,
            verdict__in=[Comment.Verdict.ERROR, Comment.Verdict.UNCHECKED],
            next_check_at__lte=now or timezone.now(),
        ).order_by("next_check_at")

    def overdue_first_checks(self):
        """New comments whose first check should have happened a chores round ago: no worker is taking them."""
        late = timezone.now() - timedelta(seconds=settings.COMMENT_CHORES_SECONDS)
        return self.filter(status=Comment.Status.PENDING, verdict=Comment.Verdict.UNCHECKED, next_check_at__lte=late)

    def awaiting_check(self):
        """Every comment still waiting for an Akismet verdict, due or not (for a re-check by hand)."""
        return self.filter(
            status=Comment.Status.PENDING, verdict__in=[Comment.Verdict.ERROR, Comment.Verdict.UNCHECKED]
        ).order_by("created_at")

    def due_for_report(self, now=None):
        return self.exclude(report_due="").filter(next_report_at__lte=now or timezone.now()).order_by("next_report_at")

    def by_email(self, email: str):
        return self.filter(author_email__iexact=email.strip())

    def copies_of(self, comment):
        """Comments the same email already sent with exactly these words on this review (trash aside)."""
        return (
            self.by_email(comment.author_email)
            .filter(review=comment.review_id, body=comment.body)
            .exclude(status=Comment.Status.TRASH)
        )


class Comment(models.Model):
    class Kind(models.TextChoices):
        COMMENT = "comment", "Comment"
        # Notices from other sites that linked here, brought over from WordPress; never shown as comments.
        PINGBACK = "pingback", "Pingback"
        TRACKBACK = "trackback", "Trackback"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        TRASH = "trash", "Trash"

    class Verdict(models.TextChoices):
        UNCHECKED = "unchecked", "Not checked"
        HAM = "ham", "Not spam"
        SPAM = "spam", "Spam"
        DISCARD = "discard", "Blatant spam"
        ERROR = "error", "Could not check"

    # Moves a moderator (or Akismet) may make; anything else is a bug.
    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.SPAM, Status.TRASH},
        Status.APPROVED: {Status.PENDING, Status.SPAM, Status.TRASH},
        Status.SPAM: {Status.APPROVED, Status.PENDING, Status.TRASH},
        Status.TRASH: {Status.APPROVED, Status.PENDING, Status.SPAM},
    }

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    # The top-level comment of the thread (empty for a top-level comment): pages hold whole threads.
    root = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    # The site user who wrote it (a review's author answering readers), where known.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    author_name = models.CharField("name", max_length=80)
    # Blank only once erased at the reader's request; the form always asks for one.
    author_email = models.EmailField("email", blank=True, help_text="Never shown on the site.")
    author_url = models.URLField(
        "website", max_length=200, blank=True, validators=[URLValidator(schemes=["http", "https"])]
    )
    body = TextField("comment")  # stored as a form sends it back, so a moderator's unchanged save logs no edit
    body_html = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    # Kept for Akismet and for tracing abuse; emptied after COMMENT_PERSONAL_DATA_DAYS.
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    referrer = models.CharField(max_length=1000, blank=True)
    # network_of(ip_address), kept with it on save: a burst is one indexed count, not a scan of addresses.
    network = models.CharField(max_length=50, blank=True, default="", editable=False)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    status_changed_at = models.DateTimeField(default=timezone.now)
    verdict = models.CharField("Akismet", max_length=10, choices=Verdict.choices, default=Verdict.UNCHECKED)
    check_attempts = models.PositiveSmallIntegerField(default=0)
    # When the next check is due (or, while one runs, when its claim runs out); empty when none is to come.
    next_check_at = models.DateTimeField(null=True, blank=True)
    # Sent from a browser that posted an approved comment with this email: trust nobody can type.
    returning_reader = models.BooleanField(default=False, editable=False)
    # Why the comment was held or filed as spam before Akismet had its say, in words for moderators.
    hold_notes = models.JSONField(default=list, blank=True)

    # A moderator's decision that Akismet still has to hear about ("spam" or "ham").
    report_due = models.CharField(max_length=4, blank=True)
    reported_as = models.CharField(max_length=4, blank=True)  # what Akismet was last told, if anything
    report_attempts = models.PositiveSmallIntegerField(default=0)
    next_report_at = models.DateTimeField(null=True, blank=True)

    # Seconds from the reader's first touch of the form to sending it, from the signed stamp that
    # static/js/comment-form.js fetches (comments/screening.py); empty without JavaScript.
    typing_seconds = models.FloatField(null=True, blank=True, editable=False)
    # The form came back with a stamp we did not sign, or one used before (a bot copying fields): a bot signal.
    stamp_forged = models.BooleanField(default=False, editable=False)

    notify_on_approval = models.BooleanField("email me when it is published", default=False)
    notified_at = models.DateTimeField(null=True, blank=True)
    # When the readers following the review (or replies to the parent) were emailed about it: once only.
    followers_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["review", "status", "created_at"], name="comment_thread_idx"),
            models.Index(fields=["status", "verdict", "next_check_at"], name="comment_recheck_idx"),
            models.Index(fields=["network", "created_at"], name="comment_network_idx"),
            models.Index(fields=["ip_address", "created_at"], name="comment_address_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "spam", "trash"]), name="comment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["comment", "pingback", "trackback"]), name="comment_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(verdict__in=["unchecked", "ham", "spam", "discard", "error"]),
                name="comment_verdict_valid",
            ),
            models.CheckConstraint(
                condition=Q(report_due__in=["", "spam", "ham"], reported_as__in=["", "spam", "ham"]),
                name="comment_report_valid",
            ),
        ]

    def __str__(self):
        return f"{self.author_name} on {self.review}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:
            self.body_html = render_body(self.body)
        self.network = network_of(self.ip_address)
        if self.parent_id and not self.pk:
            self.root_id = self.parent.root_id or self.parent_id
            self.depth = self.parent.depth + 1
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        if update_fields is not None and "ip_address" in update_fields:
            kwargs["update_fields"] = {*kwargs["update_fields"], "network"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """The comment's permalink: it lands on the page of the thread that holds it."""
        return reverse("comments:permalink", args=[self.pk])

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            touch_review(self.review)  # it, or a "removed" placeholder, or its replies leave the page
        return result

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

    @property
    def can_take_replies(self) -> bool:
        return self.status == self.Status.APPROVED and self.depth + 1 < settings.COMMENT_MAX_DEPTH

    def move_to(self, status: str, *, by=None, note: str = "", layer: str = "", rule=None) -> None:
        """Change the status and write the history row; illegal moves raise InvalidTransition."""
        if status not in self.TRANSITIONS[self.status]:
            raise InvalidTransition(f"A {self.get_status_display().lower()} comment cannot become {status}.")
        page_changes = self.Status.APPROVED in (self.status, status)  # it appears on or leaves the page
        # One transaction: no reader may render the new page state (a new cache key) with the old status.
        with transaction.atomic():
            self.status = status
            self.status_changed_at = timezone.now()
            self.save(update_fields=["status", "status_changed_at"])
            if page_changes:
                touch_review(self.review)
        kind = {
            self.Status.APPROVED: CommentEvent.Kind.APPROVED,
            self.Status.PENDING: CommentEvent.Kind.UNAPPROVED,
            self.Status.SPAM: CommentEvent.Kind.MARKED_SPAM,
            self.Status.TRASH: CommentEvent.Kind.TRASHED,
        }[status]
        self.log(kind, by=by, note=note, layer=layer, rule=rule)

    def log(self, kind: str, *, by=None, note: str = "", layer: str = "", rule=None, before="") -> "CommentEvent":
        return CommentEvent.objects.create(
            comment=self, kind=kind, actor=by, note=note[:300], layer=layer, rule=rule, before=before
        )

    def why_held(self) -> list[str]:
        """Why this comment is not on the site, in the words a moderator reads in the queue."""
        reasons = []
        if self.verdict == self.Verdict.SPAM:
            reasons.append("Akismet: spam")
        elif self.verdict == self.Verdict.DISCARD:
            reasons.append(f"Akismet: blatant spam (deleted after {settings.COMMENT_SPAM_DAYS} days)")
        elif self.verdict == self.Verdict.ERROR:
            tries = f"{self.check_attempts} {'try' if self.check_attempts == 1 else 'tries'}"
            if self.next_check_at:
                reasons.append(f"Akismet could not be reached ({tries}, {self._next_try()})")
            else:
                reasons.append(
                    f"Akismet could not be reached ({tries}; gave up after "
                    f"{settings.COMMENT_RECHECK_GIVE_UP_DAYS} days, decide by hand)"
                )
        elif self.verdict == self.Verdict.UNCHECKED and self.status == self.Status.PENDING:
            reasons.append(self._unchecked_reason())
        return reasons + list(self.hold_notes)

    def _unchecked_reason(self) -> str:
        if not settings.AKISMET_API_KEY:
            return "not checked for spam (no Akismet key)"
        if self.next_check_at is None:
            return "not checked for spam (screening was off when it arrived; run recheck_comments)"
        if self.next_check_at > timezone.now():
            return "waiting for its spam check"
        return "spam check overdue: is the task worker (manage.py run_worker) running?"

    def _next_try(self) -> str:
        if self.next_check_at <= timezone.now():
            return "re-check due now"
        local = timezone.localtime(self.next_check_at)
        if local.date() == timezone.localdate():
            return f"next at {local:%H:%M}"
        return f"next on {local:%-d %b} at {local:%H:%M}"
