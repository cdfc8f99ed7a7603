"""The moderators' queue: pending first, why each comment is held, one click per decision."""

from datetime import timedelta
from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Case, IntegerField, When
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timesince import timesince

from reviews.admin import DeletesOneByOne, bulk_action

from . import admin_desk, admin_report, admin_rules, moderation  # noqa: F401  (admin_rules registers the rules' admin)
from .models import Comment, CommentEvent, InvalidTransition, touch_review
from .templatetags.comments_admin import screening_status

Status = Comment.Status

# verb → (button label, function, past tense); which verbs a comment offers depends on its status.
VERBS = {
    "approve": ("Approve", moderation.approve, "approved"),
    "not-spam": ("Not spam", moderation.approve, "approved and reported to Akismet as not spam"),
    "unapprove": ("Unapprove", moderation.unapprove, "sent back to the queue"),
    "spam": ("Spam", moderation.mark_spam, "marked as spam"),
    "trash": ("Trash", moderation.trash, "moved to the trash"),
    "restore": ("Restore", moderation.unapprove, "restored to the queue"),
}
OFFERED = {
    Status.PENDING: ["approve", "spam", "trash"],
    Status.APPROVED: ["unapprove", "spam", "trash"],
    Status.SPAM: ["not-spam", "trash"],
    Status.TRASH: ["restore", "spam"],
}


class CommentEventInline(admin.TabularInline):
    model = CommentEvent
    fields = ["created_at", "kind", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(DeletesOneByOne, admin.ModelAdmin):
    # WordPress-style: the decisions sit right under the words they are about.
    list_display = ["comment", "author", "state", "held_because", "age"]
    list_display_links = None
    list_filter = ["status", "verdict", "kind"]
    list_select_related = ["review"]
    search_fields = ["author_name", "author_email", "ip_address", "body"]
    list_per_page = 50
    actions = ["approve_selected", "spam_selected", "trash_selected", "not_spam_selected"]
    inlines = [CommentEventInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["status", "held_because", "review_link", "parent_link"]}),
        ("What the reader wrote", {"fields": ["author_name", "author_email", "author_url", "body"]}),
        ("Screening", {"fields": ["verdict", "check_attempts", "next_check_at", "report_due"]}),
        (
            "Where it came from (kept for a limited time)",
            {"fields": ["created_at", "ip_address", "user_agent", "referrer"]},
        ),
        ("Reader's wishes", {"fields": ["notify_on_approval", "notified_at"]}),
    ]
    readonly_fields = [
        "status",
        "held_because",
        "review_link",
        "parent_link",
        "author_email",
        "verdict",
        "check_attempts",
        "next_check_at",
        "report_due",
        "created_at",
        "ip_address",
        "user_agent",
        "referrer",
        "notify_on_approval",
        "notified_at",
    ]

    class Media:
        css = {"all": ["css/moderation.css"]}

    # --- The queue ---

    @staticmethod
    def _is_queue(request) -> bool:
        match = request.resolver_match
        return bool(match) and match.url_name == "comments_comment_changelist"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # Blatant spam stays out of sight unless asked for by status, verdict or a search.
        if self._is_queue(request) and not {"status__exact", "verdict__exact", "q"} & set(request.GET):
            queryset = queryset.exclude(verdict=Comment.Verdict.DISCARD)
        return queryset

    def get_ordering(self, request):
        """Comments waiting for a decision first, newest first within each group."""
        if self._is_queue(request):
            waiting_first = Case(When(status=Status.PENDING, then=0), default=1, output_field=IntegerField())
            return [waiting_first.asc(), "-created_at", "-id"]
        return super().get_ordering(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), **screening_status()}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The decisions get small forms of their own beside the edit form (not buttons inside it,
        # where pressing Enter in a field would trigger the first of them).
        comment = self.get_object(request, object_id)
        decisions = (
            [
                (VERBS[verb][0], reverse("admin:comments_comment_moderate", args=[comment.pk, verb]), verb)
                for verb in OFFERED[comment.status]
            ]
            if comment and self.has_change_permission(request, comment)
            else []
        )
        extra_context = {**(extra_context or {}), "decisions": decisions}
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False  # comments come from readers

    # --- Columns ---

    @admin.display(description="Comment")
    def comment(self, comment):
        return format_html(
            '<div class="excerpt">{}</div><div class="row-actions">{} <a href="{}">Open</a></div>',
            Truncator(comment.body).chars(160),
            self.decision_buttons(comment),
            reverse("admin:comments_comment_change", args=[comment.pk]),
        )

    @admin.display(description="Status / Akismet", ordering="status")
    def state(self, comment):
        return format_html(
            "{}<br><span class='quiet'>{}</span><br><a class='quiet' href='{}'>on “{}”</a>",
            comment.get_status_display(),
            comment.get_verdict_display(),
            comment.review.get_absolute_url(),
            Truncator(comment.review.title).chars(40),
        )

    @admin.display(description="Author", ordering="author_name")
    def author(self, comment):
        return format_html(
            "<strong>{}</strong><br><span class='quiet'>{}</span><br><span class='quiet'>{}</span>",
            comment.author_name,
            comment.author_email,
            comment.ip_address or "",
        )

    @admin.display(description="Review")
    def review_link(self, comment):
        return format_html('<a href="{}">{}</a>', comment.review.get_absolute_url(), comment.review.title)

    @admin.display(description="In reply to")
    def parent_link(self, comment):
        if not comment.parent_id:
            return "—"
        url = reverse("admin:comments_comment_change", args=[comment.parent_id])
        return format_html('<a href="{}">{}</a>', url, Truncator(comment.parent.body).chars(80))

    @admin.display(description="Why it is held")
    def held_because(self, comment):
        if comment.status == Status.APPROVED:
            return "—"
        reasons = comment.why_held()
        return format_html_join(mark_safe("<br>"), "{}", ((r,) for r in reasons)) if reasons else "—"

    @admin.display(description="Age", ordering="created_at")
    def age(self, comment):
        # One unit is enough to sort a queue by ("3 hours ago", not "3 hours, 12 minutes ago").
        if timezone.now() - comment.created_at < timedelta(minutes=1):
            return "just now"
        return f"{timesince(comment.created_at, depth=1)} ago"

    def decision_buttons(self, comment):
        # The changelist and change pages are forms carrying the CSRF token; each button posts it to its verb.
        return format_html_join(
            " ",
            '<button type="submit" class="button moderate moderate-{}" formmethod="post" formnovalidate '
            'formaction="{}" aria-label="{} the comment by {}">{}</button>',
            (
                (
                    verb,
                    reverse("admin:comments_comment_moderate", args=[comment.pk, verb]),
                    VERBS[verb][0],
                    comment.author_name,
                    VERBS[verb][0],
                )
                for verb in OFFERED[comment.status]
            ),
        )

    # --- One click per row ---

    def get_urls(self):
        def desk_view(view):
            return self.admin_site.admin_view(partial(view, self))

        return [
            path("desk/", desk_view(admin_desk.desk), name="comments_comment_desk"),
            path("desk/undo/", desk_view(admin_desk.undo), name="comments_comment_desk_undo"),
            path("desk/bulk/", desk_view(admin_desk.bulk), name="comments_comment_desk_bulk"),
            path("desk/email/", desk_view(admin_desk.email_preference), name="comments_comment_desk_email"),
            path("report/", desk_view(admin_report.report), name="comments_comment_report"),
            path("desk/<int:pk>/reply/", desk_view(admin_desk.reply), name="comments_comment_desk_reply"),
            path("desk/<int:pk>/edit/", desk_view(admin_desk.edit), name="comments_comment_desk_edit"),
            path("desk/<int:pk>/<slug:verb>/", desk_view(admin_desk.decide), name="comments_comment_desk_decide"),
            path(
                "<int:pk>/moderate/<slug:verb>/",
                self.admin_site.admin_view(self.moderate),
                name="comments_comment_moderate",
            ),
            *super().get_urls(),
        ]

    def moderate(self, request, pk, verb):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        comment = get_object_or_404(Comment.objects.select_related("review"), pk=pk)
        if verb not in VERBS:
            raise Http404(f"No such decision: {verb}")
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        _, act, done = VERBS[verb]
        try:
            act(comment, by=request.user)
        except InvalidTransition as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"The comment by {comment.author_name} was {done}.")
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
            back = reverse("admin:comments_comment_changelist")
        return HttpResponseRedirect(back)

    # --- The same as bulk actions ---

    def _bulk(self, request, queryset, verb):
        _, act, done = VERBS[verb]
        if verb == "not-spam":
            queryset = queryset.filter(status=Status.SPAM)
        changed, skipped = moderation.decide_each(queryset.select_related("review"), act, by=request.user)
        message = f"{changed} comment{'s' if changed != 1 else ''} {done}."
        if skipped:
            message += f" {skipped} already were, or cannot be from where they are."
        self.message_user(request, message, messages.SUCCESS if changed else messages.WARNING)

    approve_selected = bulk_action("Approve selected comments", _bulk, "approve")
    spam_selected = bulk_action("Mark selected comments as spam", _bulk, "spam")
    trash_selected = bulk_action("Move selected comments to the trash", _bulk, "trash")
    not_spam_selected = bulk_action("Not spam: approve selected and tell Akismet", _bulk, "not-spam")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            before = form.initial.get("body", "") if "body" in form.changed_data else ""
            obj.log(CommentEvent.Kind.EDITED, by=request.user, note=", ".join(form.changed_data), before=before)
            if obj.status == Status.APPROVED:
                touch_review(obj.review)
