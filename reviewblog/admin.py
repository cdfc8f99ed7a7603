"""The admin's WordPress import: a form to upload an export (and a zip of its uploads), a status page that
follows the task worker's progress and shows the report. Editors and superusers only (`add_importrun`).
Also flatpages' admin, with a page's text kept as saved."""

import zipfile

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.flatpages.admin import FlatPageAdmin
from django.contrib.flatpages.forms import FlatpageForm
from django.contrib.flatpages.models import FlatPage
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import slugify

from reviews.models.base import plain_text

from . import imports
from .models import ImportRun
from .wordpress import mapping


class SimplePageForm(FlatpageForm):
    def clean_content(self):
        # A browser sends a textarea's line ends as CRLF: kept as LF, saving an unchanged page changes nothing.
        return plain_text(self.cleaned_data["content"])


admin.site.unregister(FlatPage)


@admin.register(FlatPage)
class SimplePageAdmin(FlatPageAdmin):
    form = SimplePageForm


class ImportForm(forms.Form):
    export = forms.FileField(
        label="WordPress export (.xml)", help_text="In WordPress: Tools → Export → All content → Download Export File."
    )
    uploads = forms.FileField(
        label="Uploads (.zip, optional)",
        required=False,
        help_text="A zip of the blog's wp-content/uploads folder, so images come over too.",
    )
    films = forms.FileField(
        label="Film mapping (.csv, optional)",
        required=False,
        help_text="The film mapping a dry run offers, corrected in a spreadsheet: each post it lists gets exactly "
        "the film it names (an empty title: no film).",
    )
    create_films = forms.BooleanField(
        required=False, label="Create missing films", help_text="Make a film for each post whose film is not here."
    )
    dry_run = forms.BooleanField(
        required=False, label="Dry run", help_text="Report what the import would do, and change nothing."
    )

    def clean_export(self):
        upload = self.cleaned_data["export"]
        limit = settings.WORDPRESS_UPLOAD_MAX_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(f"The export is over {limit} MB (WORDPRESS_UPLOAD_MAX_MB).")
        start = upload.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
        upload.seek(0)
        if not start.startswith((b"<?xml", b"<rss", b"<!--")):
            raise forms.ValidationError("This is not an XML file: choose the .xml file WordPress's export wrote.")
        return upload

    def clean_films(self):
        upload = self.cleaned_data.get("films")
        if not upload:
            return ""
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("The film mapping is over 5 MB: that is not the file a dry run offers.")
        try:
            text = upload.read().decode("utf-8-sig")
            mapping.read(text)
        except UnicodeDecodeError:
            raise forms.ValidationError("The film mapping is not UTF-8 text: save it as “CSV UTF-8”.") from None
        except mapping.MappingError as error:
            raise forms.ValidationError(str(error)) from None
        return text

    def clean_uploads(self):
        upload = self.cleaned_data.get("uploads")
        if not upload:
            return None
        try:
            with zipfile.ZipFile(upload) as archive:
                imports.check_zip(archive)
        except zipfile.BadZipFile:
            raise forms.ValidationError("This is not a zip file.") from None
        except imports.UnsafeArchive as error:
            raise forms.ValidationError(str(error)) from None
        upload.seek(0)
        return upload


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["file_name", "created_by", "created_at", "status", "progress_text", "dry_run"]
    list_filter = ["status"]

    def has_change_permission(self, request, obj=None):
        return False  # a run is a record: started from the form, changed only by the worker

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            run = imports.start(
                export_file=form.cleaned_data["export"],
                uploads_zip=form.cleaned_data["uploads"],
                film_mapping=form.cleaned_data["films"],
                create_films=form.cleaned_data["create_films"],
                dry_run=form.cleaned_data["dry_run"],
                by=request.user,
            )
            return redirect(reverse("admin:reviewblog_importrun_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import a WordPress export",
            "form": form,
        }
        return TemplateResponse(request, "admin/reviewblog/importrun/upload.html", context)

    def get_urls(self):
        films = path(
            "<int:object_id>/films.csv", self.admin_site.admin_view(self.films_view), name="reviewblog_importrun_films"
        )
        return [films, *super().get_urls()]

    def films_view(self, request, object_id):
        """The film mapping a run wrote, to correct in a spreadsheet and give back to the next run."""
        run = self.get_object(request, str(object_id))
        if run is None or not run.film_guesses:
            raise Http404("This import wrote no film mapping.")
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        response = HttpResponse(run.film_guesses, content_type="text/csv; charset=utf-8")
        name = slugify(run.file_name.rsplit(".", 1)[0])[:80] or "wordpress"  # the uploader's name, made safe
        response["Content-Disposition"] = f'attachment; filename="{name}-films.csv"'
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_object(request, object_id)
        if run is None:
            raise Http404("No such import.")
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"WordPress import: {run.file_name}",
            "run": run,
        }
        return TemplateResponse(request, "admin/reviewblog/importrun/status.html", context)


@admin.register(AccessAttempt)
class LoginFailureAdmin(AccessAttemptAdmin):
    """Addresses with failed admin logins (django-axes): read only; deleting one unlocks it at once, as
    `manage.py axes_reset_ip` does. Axes' own admin is off: it also offers logs the site does not keep."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
