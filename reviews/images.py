"""Checks and clean-up for images that authors drop into the editor.

The upload is judged by its bytes, which Pillow reads, never by the type the browser declares.
What is accepted is re-encoded: orientation applied, resized to a sane width, metadata (EXIF, GPS)
left behind.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow format → (the content types a browser may declare for it, file extension).
ACCEPTED_FORMATS = {
    "JPEG": ({"image/jpeg", "image/pjpeg"}, "jpg"),
    "PNG": ({"image/png"}, "png"),
    "GIF": ({"image/gif"}, "gif"),
    "WEBP": ({"image/webp"}, "webp"),
}
ACCEPTED_LIST = "JPEG, PNG, GIF or WebP"


@dataclass
class CheckedImage:
    content: bytes
    extension: str
    width: int
    height: int


def check_image(upload) -> CheckedImage:
    """Validate an uploaded file and return a clean, resized copy; raise ValidationError saying why not."""
    if upload.size > settings.IMAGE_UPLOAD_MAX_BYTES:
        raise ValidationError(
            f"This file is {filesizeformat(upload.size)}; images must be under "
            f"{filesizeformat(settings.IMAGE_UPLOAD_MAX_BYTES)}."
        )
    head = upload.read(512)
    upload.seek(0)
    if b"<svg" in head.lower() or b"<?xml" in head.lower():
        raise ValidationError(f"SVG images are not accepted (they can carry scripts). Use {ACCEPTED_LIST}.")
    with warnings.catch_warnings():
        # Pillow warns above MAX_IMAGE_PIXELS and raises at twice that; refuse both.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(upload)
            fmt = image.format
            if fmt in ACCEPTED_FORMATS and image.width * image.height > settings.IMAGE_MAX_PIXELS:
                raise Image.DecompressionBombError
            image.verify()  # checks the data is intact without decoding it
            upload.seek(0)
            image = Image.open(upload)
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationError(
                "This image has too many pixels to process safely "
                f"(limit {settings.IMAGE_MAX_PIXELS // 1_000_000} megapixels)."
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationError(f"This file is not an image we can read. Use {ACCEPTED_LIST}.") from None
    if fmt not in ACCEPTED_FORMATS:
        raise ValidationError(f"{fmt} images are not accepted. Use {ACCEPTED_LIST}.")
    declared_types, extension = ACCEPTED_FORMATS[fmt]
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if declared not in declared_types:
        raise ValidationError(
            f"The file says it is {declared or 'of no type'}, but its content is {fmt}. "
            "Save it again in its real format and retry."
        )
    return _reencode(image, fmt, extension)


def _reencode(image: Image.Image, fmt: str, extension: str) -> CheckedImage:
    """Apply the EXIF orientation, fit the width, and write the pixels without any metadata."""
    if fmt == "GIF" and getattr(image, "is_animated", False):
        # Re-encoding would flatten the animation; keep the frames but still drop metadata.
        out = io.BytesIO()
        image.info.pop("comment", None)
        image.save(out, format="GIF", save_all=True)
        return CheckedImage(out.getvalue(), extension, image.width, image.height)
    image = ImageOps.exif_transpose(image)
    if image.width > settings.IMAGE_MAX_WIDTH:
        height = round(image.height * settings.IMAGE_MAX_WIDTH / image.width)
        image = image.resize((settings.IMAGE_MAX_WIDTH, height), Image.Resampling.LANCZOS)
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # A fresh image holds the pixels and nothing else, whatever the encoder would carry over.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    options = {"JPEG": {"quality": 85, "optimize": True, "progressive": True}, "WEBP": {"quality": 85}}
    options = options.get(fmt, {})
    if image.mode == "P":
        clean.putpalette(image.getpalette())
        if "transparency" in image.info:
            options["transparency"] = image.info["transparency"]
    out = io.BytesIO()
    clean.save(out, format=fmt, **options)
    return CheckedImage(out.getvalue(), extension, clean.width, clean.height)


def store_upload(checked: CheckedImage) -> str:
    """Save a checked image under the editor's media path and return its public URL."""
    name = default_storage.save(
        f"{settings.MARKDOWNX_MEDIA_PATH}{uuid.uuid4().hex}.{checked.extension}", ContentFile(checked.content)
    )
    return default_storage.url(name)


def checked_upload(upload) -> ContentFile:
    """The same checks for an image field's upload (hero, poster, photo): a clean file under the old name."""
    checked = check_image(upload)
    stem = (upload.name or "image").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "image"
    return ContentFile(checked.content, name=f"{stem}.{checked.extension}")
