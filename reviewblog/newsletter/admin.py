"""Editors see each newsletter send and how far it got; subscribers are listed, never edited by hand."""

from django.contrib import admin

from .models import Mailing, Subscriber


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "created_at", "state", "queued", "sent", "failed", "waiting", "unsubscribed"]
    list_filter = ["kind"]
    readonly_fields = ["subject", "kind", "review", "week", "created_at", "queued", "unsubscribed", "finished_at"]
    fields = readonly_fields + ["stopped_at"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    @admin.display(description="sent", ordering="sent")
    def sent(self, mailing):
        return mailing.sent

    @admin.display(description="failed", ordering="failed")
    def failed(self, mailing):
        return mailing.failed

    @admin.display(description="waiting to be sent")
    def waiting(self, mailing):
        return mailing.waiting

    @admin.display(description="state")
    def state(self, mailing):
        if mailing.stopped_at:
            return "Stopped: the review was unpublished"
        return "Every email recorded" if mailing.finished_at else "Sending"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "frequency", "status", "asked_at", "confirmed_at", "stop_reason"]
    list_filter = ["status", "frequency"]
    search_fields = ["email"]
    readonly_fields = ["email", "frequency", "status", "asked_at", "confirmed_at", "stopped_at", "stop_reason"]

    def has_add_permission(self, request):
        return False  # only the address's owner subscribes it (double opt-in)

    def has_change_permission(self, request, obj=None):
        return False
