"""Checks and clean-up for images that authors drop into the editor.

The upload is judged by its bytes, which Pillow reads, never by the type the browser declares.
What is accepted is re-encoded: orientation applied, resized to a sane width, metadata (EXIF, GPS)
left behind.
"""

import io
import logging
import uuid
import warnings
from dataclasses import dataclass
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps

# Pillow format → (the content types a browser may declare for it, file extension).
ACCEPTED_FORMATS = {
    "JPEG": ({"image/jpeg", "image/pjpeg"}, "jpg"),
    "PNG": ({"image/png"}, "png"),
    "GIF": ({"image/gif"}, "gif"),
    "WEBP": ({"image/webp"}, "webp"),
}
ACCEPTED_LIST = "JPEG, PNG, GIF or WebP"
logger = logging.getLogger(__name__)


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
    head = upload.read(512).lower()
    upload.seek(0)
    if b"<svg" in head or b"<?xml" in head:
        raise ValidationError(f"SVG images are not accepted (they can carry scripts). Use {ACCEPTED_LIST}.")
    with warnings.catch_warnings():
        # Pillow warns above its own pixel limit and raises at twice that; refuse both.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(upload)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except Exception:
            raise _unreadable() from None
        # Phone cameras write JPEGs with extra frames (MPO); they are JPEGs to everyone else.
        fmt = "JPEG" if image.format == "MPO" else image.format
        if fmt not in ACCEPTED_FORMATS:
            raise ValidationError(f"{fmt} images are not accepted. Use {ACCEPTED_LIST}.")
        declared_types, extension = ACCEPTED_FORMATS[fmt]
        declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
        if declared not in declared_types:
            raise ValidationError(
                f"The file says it is {declared or 'of no type'}, but its content is {fmt}. "
                "Save it again in its real format and retry."
            )
        if image.width * image.height > settings.IMAGE_MAX_PIXELS:
            raise _too_many_pixels()
        try:
            image.verify()  # checks the data is intact without decoding it
            upload.seek(0)
            with Image.open(upload) as image:
                return _reencode(image, fmt, extension)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except Exception:
            # Broken data can surface as any exception from deep in a decoder (struct.error, SyntaxError…).
            logger.info("Refused an unreadable %s upload", fmt, exc_info=True)
            raise _unreadable() from None


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        f"This image has too many pixels to process safely (limit {settings.IMAGE_MAX_PIXELS // 1_000_000} megapixels)."
    )


def _unreadable() -> ValidationError:
    return ValidationError(f"This file is not an image we can read. Use {ACCEPTED_LIST}.")


def _reencode(image: Image.Image, fmt: str, extension: str) -> CheckedImage:
    """Apply the EXIF orientation, fit the width, and write the pixels without any metadata.

    Animated GIFs keep their first frame only: every frame would have to be decoded and resized,
    which lets a small file cost a worker many seconds.
    """
    image.seek(0)
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if fmt != "JPEG" else "RGB")
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if image.width > settings.IMAGE_MAX_WIDTH:
        height = max(1, round(image.height * settings.IMAGE_MAX_WIDTH / image.width))
        image = image.resize((settings.IMAGE_MAX_WIDTH, height), Image.Resampling.LANCZOS)
    # A fresh image holds the pixels and nothing else, whatever the encoder would carry over.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    options = {"JPEG": {"quality": 85, "optimize": True, "progressive": True}, "WEBP": {"quality": 85}}
    out = io.BytesIO()
    clean.save(out, format=fmt, **options.get(fmt, {}))
    return CheckedImage(out.getvalue(), extension, clean.width, clean.height)


def store_upload(checked: CheckedImage) -> str:
    """Save a checked image under the editor's media path and return its public URL."""
    name = default_storage.save(
        f"{settings.EDITOR_UPLOAD_PATH}{uuid.uuid4().hex}.{checked.extension}", ContentFile(checked.content)
    )
    return default_storage.url(name)


def checked_upload(upload) -> ContentFile:
    """The same checks for an image field's upload (hero, poster, photo): a clean file under the old name."""
    checked = check_image(upload)
    stem = (upload.name or "image").rsplit("/", 1)[-1].rsplit(".", 1)[0] or "image"
    return ContentFile(checked.content, name=f"{stem}.{checked.extension}")


def media_prefix() -> str:
    """What every stored file's URL starts with: MEDIA_URL on disk, the bucket's (or its custom domain's)
    address in object storage. Asked of the storage itself, which computes it without a network call."""
    return default_storage.url("_").removesuffix("_")


def storage_name(src: str) -> str | None:
    """The name in the default storage of a file this site's media serves at `src`; else None."""
    prefix = media_prefix()
    return unquote(src.removeprefix(prefix)) if src.startswith(prefix) and len(src) > len(prefix) else None


def uploaded_image_size(src: str) -> tuple[int, int] | None:
    """(width, height) of an image the editor stored in the media storage, read from its header; else None."""
    name = storage_name(src)
    if name is None:
        return None
    try:
        with default_storage.open(name) as stored, Image.open(stored) as image:
            return image.size
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
