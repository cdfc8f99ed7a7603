from django import forms
from django.core.files.uploadedfile import UploadedFile

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
