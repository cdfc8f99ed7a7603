from django import forms
from django.core.files.uploadedfile import UploadedFile

from . import editing
from .images import checked_upload


class CheckedImagesForm(forms.ModelForm):
    """Admin form whose image uploads pass the editor's checks: real images only, resized, metadata stripped."""

    def clean(self):
        cleaned_data = super().clean()
        for name, value in list(cleaned_data.items()):
            if isinstance(value, UploadedFile) and isinstance(self.fields[name], forms.ImageField):
                try:
                    cleaned_data[name] = checked_upload(value)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned_data


class VersionField(forms.CharField):
    """The version of the review a form was loaded from; never one of the changes a save records."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data):
        return False


class ReviewForm(CheckedImagesForm):
    """The review editor's form (and the restore form): a save made from a form loaded before someone
    else's save is refused with what they changed (reviews/editing.py), keeping everything typed."""

    loaded_version = VersionField(required=False)
    # The preview reads the form without saving, so it checks nothing.
    check_version = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if self.instance.pk:
            self.fields["loaded_version"].initial = editing.version_of(self.instance)

    def clean(self):
        cleaned_data = super().clean()
        token = cleaned_data.get("loaded_version")
        # A form without the field (a script, a page from before it existed) is not checked.
        if self.check_version and self.instance.pk and token:
            self.conflict = editing.conflict_since(self.instance.pk, token, yours=cleaned_data)
            if self.conflict is not None:
                # The author has now seen the other save: saving again (after merging) goes through.
                self.data = self.data.copy()
                self.data[self.add_prefix("loaded_version")] = self.conflict.version
                raise forms.ValidationError(self.conflict.message, code="edit_conflict")
        return cleaned_data
