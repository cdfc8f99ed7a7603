"""Revisions of a review in the admin: who saved what and when, a compare page, and restoring one.

django-simple-history keeps the revisions and gives the list and the restore form (SimpleHistoryAdmin).
This adds what a newsroom needs on top:
- the model admin's own permission rules on every page: whoever may not change a review gets a 404 or a
  403 for its revisions too, and the current review (not the old revision) decides;
- a summary of each save in words ("Published", "Changed the title and body");
- a compare page with a word-level diff of the body (reviews/revisions.py);
- a restore that brings back the text, images and rating but keeps the address, author and publishing
  settings as they are now, as WordPress does, and records itself as a new revision (so it can be undone).
"""

from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.forms import FileField
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from simple_history.admin import SimpleHistoryAdmin

from . import revisions

# "1 December 2026, 13:02": the site's own style; the locale's "1:02 p.m." would end sentences in "p.m..".
WHEN_FORMAT = "j F Y, H:i"


def when(record) -> str:
    return formats.date_format(timezone.localtime(record.history_date), WHEN_FORMAT)


class RestoreFormMixin:
    """The form of a revision being restored: its files may have been deleted since, so check they are still there."""

    def clean(self):
        cleaned_data = super().clean()
        for name, field in self.fields.items():
            file = cleaned_data.get(name)
            kept = isinstance(field, FileField) and file and not isinstance(file, UploadedFile)
            if kept and not file.storage.exists(file.name):
                self.add_error(name, "This revision's file is no longer stored: upload it again or clear it.")
        return cleaned_data


class RevisionsAdmin(SimpleHistoryAdmin):
    object_history_template = "admin/reviews/review/revisions.html"
    object_history_list_template = "admin/reviews/review/_revision_list.html"
    object_history_form_template = "admin/reviews/review/revision_restore.html"
    history_list_per_page = 50
    # Restoring brings back the words and pictures; these stay as they are now unless changed on the form.
    kept_on_restore = ["slug", "author", "status", "published_at", "comments_open"]

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_revision_compare"
        view = self.admin_site.admin_view(self.compare_view)
        return [path("<str:object_id>/history/<int:version_id>/compare/", view, name=name), *super().get_urls()]

    def revisions_of(self, request, object_id):
        """The object whose revisions are asked for: 404 if this user cannot see it, 403 if they cannot change it."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with this ID.")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def revision(self, obj, version_id):
        if not str(version_id).isdigit():
            raise Http404("No such revision.")
        return get_object_or_404(obj.history.select_related("history_user"), history_id=version_id)

    def revision_url(self, name, obj, *args):
        info = self.admin_site.name, self.opts.app_label, self.opts.model_name
        return reverse("{}:{}_{}_{}".format(*info, name), args=[quote(obj.pk), *args])

    # --- The list: who, when, what ---

    def history_view(self, request, object_id, extra_context=None):
        request.revisions_of = self.revisions_of(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_view_title(self, request, obj):
        return f"Revisions of “{obj}”"

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Describe each save on the page in words, and mark the revisions that match the object as it is now."""
        records = list(historical_records)
        if not records:
            return
        oldest = records[-1]
        # The page may end in the middle of the history: one more query fetches the save before it.
        before_oldest = None if oldest.history_type == "+" else oldest.prev_record
        now = revisions.as_revision(request.revisions_of)
        # Only the newest revision (the first row of the first page) can be the current one: after a restore,
        # the revision restored matches the text now as well, and must not be called "Current version" too.
        newest = records[0] if getattr(historical_records, "number", 1) == 1 else None
        for record, previous in zip(records, [*records[1:], before_oldest], strict=True):
            record.summary = revisions.summarise(record, previous)
            record.is_current = (
                record is newest and record.history_type != "-" and not revisions.changed_fields(now, record)
            )

    # --- Compare a revision with the text now, or with the revision before it ---

    def compare_view(self, request, object_id, version_id):
        request.current_app = self.admin_site.name
        obj = self.revisions_of(request, object_id)
        record = self.revision(obj, version_id)
        if request.GET.get("against") == "previous":
            against = "previous"
            old, new = record.prev_record, record
            old_label = f"Before ({when(old)})" if old else "Before (nothing)"
            new_label = f"This revision ({when(record)})"
        else:
            against = "now"
            old, new = record, revisions.as_revision(obj)
            old_label, new_label = f"This revision ({when(record)})", "Now"
        now = new if against == "now" else revisions.as_revision(obj)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Compare revisions of “{obj}”",
            "subtitle": None,
            "opts": self.opts,
            "object": obj,
            "record": record,
            "when": when(record),
            "against": against,
            "old_label": old_label,
            "new_label": new_label,
            "rows": revisions.body_diff(old.body if old else "", new.body),
            "changes": revisions.field_changes(new, old) if old else [],
            "same": old is not None and not revisions.changed_fields(new, old),
            "restorable": record.history_type != "-" and bool(revisions.changed_fields(now, record)),
            "history_url": self.revision_url("history", obj),
            "compare_url": self.revision_url("revision_compare", obj, record.history_id),
            "restore_url": self.revision_url("simple_history", obj, record.history_id),
        }
        return TemplateResponse(request, "admin/reviews/review/revision_compare.html", context)

    # --- Restore: simple-history's revert form, saved as a new revision ---

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self.revisions_of(request, object_id)
        record = self.revision(obj, version_id)
        request.restoring = (obj, record)
        context = {
            "current": obj,
            "record": record,
            "when": when(record),
            "compare_url": self.revision_url("revision_compare", obj, record.history_id),
            **(extra_context or {}),
        }
        # The form locks the review's row to compare versions (reviews/editing.py) until the restore is saved.
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, context)

    # simple-history checks permissions against the old revision; the review as it is now decides here,
    # so an author whose review was once someone else's may restore its older revisions.
    def current(self, request, obj):
        restoring = getattr(request, "restoring", None)
        return obj if restoring is None else restoring[0]

    def has_view_history_or_change_history_permission(self, request, obj=None):
        return super().has_view_history_or_change_history_permission(request, self.current(request, obj))

    def has_view_history_permission(self, request, obj=None):
        return super().has_view_history_permission(request, self.current(request, obj))

    def has_change_history_permission(self, request, obj=None):
        return super().has_change_history_permission(request, self.current(request, obj))

    def history_form_view_title(self, request, obj):
        return f"Restore a revision of “{obj}”"

    def get_form(self, request, obj=None, change=False, **kwargs):
        restoring = getattr(request, "restoring", None)
        if restoring is None or obj is None:
            return super().get_form(request, obj, change, **kwargs)
        # `obj` is the revision about to be shown for restoring. It keeps the address, author and publishing
        # settings of the review now, and whatever this user may not change (shown read-only) as it is now.
        current, _record = restoring
        for name in [*self.kept_on_restore, *self.get_readonly_fields(request, current)]:
            try:
                attname = current._meta.get_field(name).attname
            except FieldDoesNotExist:
                continue
            setattr(obj, attname, getattr(current, attname))
        obj.updated_at = current.updated_at  # the form carries the version of the review now, not the revision's
        form = super().get_form(request, obj, change, **kwargs)
        return type(form)("RestoreForm", (RestoreFormMixin, form), {})

    def save_model(self, request, obj, form, change):
        if restoring := getattr(request, "restoring", None):
            obj._change_reason = f"Restored the revision of {when(restoring[1])}"
        super().save_model(request, obj, form, change)

    def response_change(self, request, obj):
        restoring = getattr(request, "restoring", None)
        if restoring is None:
            return super().response_change(request, obj)
        _current, record = restoring
        self.message_user(
            request,
            f"Restored “{obj}” to its revision of {when(record)}: the text it replaced is kept as a revision, "
            "so you can undo this from the list below.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self.revision_url("history", obj))
