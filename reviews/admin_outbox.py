"""The outbox in the admin: every email the site sends, read-only, with "try again now" for given-up ones."""

from django.contrib import admin, messages

from . import outbox
from .models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "status", "attempts", "created_at", "sent_at", "next_attempt_at"]
    list_filter = ["status"]
    search_fields = ["subject", "to"]
    date_hierarchy = "created_at"
    actions = ["try_again"]
    fields = [
        ("to", "status"),
        "subject",
        "body",
        "html_body",
        "headers",
        ("attempts", "next_attempt_at", "last_error"),
        ("created_at", "sent_at"),
        "key",
    ]
    readonly_fields = [name for line in fields for name in (line if isinstance(line, tuple) else [line])]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # what was recorded is what is sent; the action below is the one change

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return request.user.has_perm("reviews.change_outgoingemail")

    @admin.action(description="Try the selected given-up emails again now", permissions=["retry"])
    def try_again(self, request, queryset):
        count = outbox.try_again(queryset)
        self.message_user(request, f"{count} email{'s' if count != 1 else ''} queued to be tried again.", messages.INFO)
