from django import forms
from django.core.files.uploadedfile import UploadedFile

from .images import checked_upload


class CheckedImagesForm(forms.ModelForm):
    """Admin form whose image uploads pass the editor's checks: real images only, resized, metadata stripped."""

    def _post_clean(self):
        for name, value in list(self.cleaned_data.items()):
            if isinstance(value, UploadedFile) and isinstance(self.fields[name], forms.ImageField):
                try:
                    self.cleaned_data[name] = checked_upload(value)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        super()._post_clean()
