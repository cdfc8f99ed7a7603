"""Comment rules in the admin, kept by Moderators and Editors (comments/models/rules.py)."""

from datetime import timedelta

from django.contrib import admin
from django.db.models import Count, Q
from django.utils import timezone

from .models import CommentRule


@admin.register(CommentRule)
class CommentRuleAdmin(admin.ModelAdmin):
    list_display = ["pattern", "kind", "action", "shadow", "active", "matched", "note", "created_by"]
    list_display_links = ["pattern"]
    list_editable = ["action", "shadow", "active"]
    list_filter = ["kind", "action", "shadow", "active"]
    search_fields = ["pattern", "note"]
    fields = ["kind", "pattern", "action", "shadow", "active", "note"]

    def get_queryset(self, request):
        month = timezone.now() - timedelta(days=30)
        return (
            super()
            .get_queryset(request)
            .select_related("created_by")
            .annotate(matched_count=Count("events__comment", filter=Q(events__created_at__gte=month), distinct=True))
        )

    @admin.display(description="Matched (30 days)", ordering="matched_count")
    def matched(self, rule):
        return rule.matched_count

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
