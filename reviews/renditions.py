"""Responsive renditions of hero images, posters and photos: narrower copies in WebP, with a JPEG
fallback (PNG for images with transparency), stored beside the originals by a naming convention.

    heroes/still.jpg, 1600 wide → renditions/heroes/still.jpg-480w.webp  …-800w.webp  …-1200w.webp  …-1600w.webp
                                  renditions/heroes/still.jpg-480w.jpg   …-800w.jpg   …-1200w.jpg

Widths come from IMAGE_RENDITION_WIDTHS and are never wider than the original, which images.py has
already capped at IMAGE_MAX_WIDTH; the original itself is the widest fallback. No database rows:
pages work the names out from the stored width (hero_width, poster_width…) and check once per image
that the set is complete, falling back to the original when it is not (old uploads, a failed build).

The files follow the rows (wired in apps.py): saving a row with a new image makes its renditions,
replacing or clearing the image deletes the old ones, deleting the row deletes them too. Originals
are never deleted: a review's revisions may still point at them, and restoring one rebuilds its
renditions. `manage.py make_renditions` builds whatever is missing.
"""

import io
import logging
import posixpath
import re
from dataclasses import dataclass
from functools import partial

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save
from PIL import Image, ImageOps

# The image fields that get renditions, as (model, field).
IMAGE_FIELDS = [
    ("reviews.Review", "hero_image"),
    ("reviews.Film", "poster"),
    ("reviews.Person", "photo"),
    ("reviews.AuthorProfile", "photo"),
]
FOLDER = "renditions/"
ENCODERS = {
    "webp": ("WEBP", {"quality": 80, "method": 4}),
    "jpg": ("JPEG", {"quality": 82, "optimize": True, "progressive": True}),
    "png": ("PNG", {"optimize": True}),
}
RENDITION_NAME = re.compile(r"-\d+w\.(?:webp|jpg|png)")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendition:
    name: str
    width: int


@dataclass(frozen=True)
class RenditionSet:
    """The renditions of one original, worked out from its name and width alone."""

    source: str  # the original's name in storage
    width: int  # the original's width
    fallback: str  # "jpg", or "png" for images with transparency

    @property
    def source_is_webp(self) -> bool:
        return self.source.lower().endswith(".webp")

    def _rendition(self, width: int, extension: str) -> Rendition:
        return Rendition(f"{FOLDER}{self.source}-{width}w.{extension}", width)

    def _narrower(self) -> list[int]:
        return sorted({w for w in settings.IMAGE_RENDITION_WIDTHS if w < self.width})

    def webp(self) -> list[Rendition]:
        return [self._rendition(w, "webp") for w in [*self._narrower(), self.width]]

    def fallbacks(self) -> list[Rendition]:
        """Narrower copies in the fallback format; a WebP original needs a full-width one too."""
        widths = [*self._narrower(), self.width] if self.source_is_webp else self._narrower()
        return [self._rendition(w, self.fallback) for w in widths]

    def all(self) -> list[Rendition]:
        """Every file, in the order they are written: the last one marks the set complete."""
        return [*self.webp(), *self.fallbacks()]

    @property
    def marker(self) -> str:
        return self.all()[-1].name


# --- What pages use ---


def stored_width(file: FieldFile) -> int | None:
    """The width saved in the row (hero_width, poster_width…), read without touching the database or the file."""
    return file.instance.__dict__.get(file.field.width_field) if file.field.width_field else None


def available(file: FieldFile) -> RenditionSet | None:
    """The complete rendition set of this image, or None: one or two `exists()` checks, no SQL."""
    width = stored_width(file)
    if not file or not width:
        return None
    # A JPEG has no transparency, so its fallback is JPEG; anything else may have fallen back to PNG.
    fallbacks = ["jpg"] if file.name.lower().endswith((".jpg", ".jpeg")) else ["png", "jpg"]
    for fallback in fallbacks:
        renditions = RenditionSet(file.name, width, fallback)
        if file.storage.exists(renditions.marker):
            return renditions
    return None


# --- Making and removing them ---


def make(file: FieldFile) -> RenditionSet | None:
    """(Re)build every rendition of an image; None, with a logged warning, when the original can't be read.

    Never raises: a missing rendition costs a reader some bytes, a failed save would cost the author their work.
    """
    try:
        with file.storage.open(file.name, "rb") as original, Image.open(original) as image:
            image.seek(0)
            image = ImageOps.exif_transpose(image)
            transparent = _has_transparency(image)
            image = image.convert("RGBA" if transparent else "RGB")
        renditions = RenditionSet(file.name, image.width, "png" if transparent else "jpg")
        delete(file.storage, file.name)
        for rendition in renditions.all():
            _write(file.storage, rendition, image)
        return renditions
    except Exception:
        logger.warning("Could not make renditions of %s", file.name, exc_info=True)
        return None


def _has_transparency(image: Image.Image) -> bool:
    if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
        return False
    alpha = image.convert("RGBA").getchannel("A")
    return alpha.getextrema()[0] < 255  # some pixel is not fully opaque


def _write(storage, rendition: Rendition, image: Image.Image) -> None:
    extension = rendition.name.rsplit(".", 1)[1]
    fmt, options = ENCODERS[extension]
    if rendition.width != image.width:
        height = max(1, round(image.height * rendition.width / image.width))
        image = image.resize((rendition.width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    storage.delete(rendition.name)
    saved = storage.save(rendition.name, ContentFile(out.getvalue()))
    if saved != rendition.name:  # another process wrote it meanwhile; keep the one pages look for
        storage.delete(saved)


def delete(storage, source: str) -> int:
    """Delete every rendition of the original `source`, whatever widths it was made at; returns how many."""
    folder, filename = posixpath.split(f"{FOLDER}{source}")
    try:
        _dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return 0
    doomed = [f for f in files if f.startswith(filename) and RENDITION_NAME.fullmatch(f[len(filename) :])]
    for name in doomed:
        storage.delete(posixpath.join(folder, name))
    return len(doomed)


# --- Following the rows (connected in ReviewsConfig.ready) ---


def connect() -> None:
    for label, field_name in IMAGE_FIELDS:
        model = apps.get_model(label)
        uid = f"reviews.renditions.{label}.{field_name}"
        pre_save.connect(partial(_saving, field_name=field_name), sender=model, weak=False, dispatch_uid=uid)
        post_save.connect(partial(_saved, field_name=field_name), sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(partial(_deleted, field_name=field_name), sender=model, weak=False, dispatch_uid=uid)


def _current_name(instance, field_name: str) -> str | None:
    """The stored image the instance holds now: its name in storage, "" for none (or an upload not saved
    yet), None if the field was deferred and never loaded. Read from __dict__, so never a query."""
    attname = instance._meta.get_field(field_name).attname
    if attname not in instance.__dict__:
        return None
    value = instance.__dict__[attname]
    if isinstance(value, str):
        return value
    if isinstance(value, FieldFile) and value._committed:
        return value.name or ""
    return ""


def _saving(sender, instance, field_name, **kwargs):
    """Ask the database which image the row holds before this save replaces it.

    What the instance remembers from when it was built is not enough: a restored revision is built
    from history (it remembers the old image, not the one stored now), a row loaded with `.only()`
    never saw the field. One small query per image field, on saves only.
    """
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and field_name not in update_fields:
        return
    stored = None
    if instance.pk is not None:
        stored = sender._default_manager.filter(pk=instance.pk).values_list(field_name, flat=True).first()
    instance.__dict__.setdefault("_rendition_sources", {})[field_name] = stored or ""


def _saved(sender, instance, field_name, update_fields=None, **kwargs):
    if update_fields is not None and field_name not in update_fields:
        return
    sources = instance.__dict__.setdefault("_rendition_sources", {})
    old, new = sources.get(field_name), _current_name(instance, field_name)
    if new is None:  # deferred and untouched: nothing was saved to it
        return
    if old and old != new:
        transaction.on_commit(partial(_delete_unless_used, sender, field_name, old))
    file = getattr(instance, field_name)
    if new and available(file) is None:
        make(file)
    sources[field_name] = new


def _deleted(sender, instance, field_name, **kwargs):
    name = _current_name(instance, field_name)
    if name:
        transaction.on_commit(partial(_delete_unless_used, sender, field_name, name))


def _delete_unless_used(model, field_name: str, name: str) -> None:
    """After the commit: delete the renditions of `name`, unless another row still shows that image."""
    if not model._default_manager.filter(**{field_name: name}).exists():
        delete(model._meta.get_field(field_name).storage, name)


def make_missing(*, force: bool = False) -> tuple[int, int]:
    """Build the renditions every image is missing (all of them with force); returns (made, failed)."""
    made = failed = 0
    for label, field_name in IMAGE_FIELDS:
        model = apps.get_model(label)
        field = model._meta.get_field(field_name)
        rows = model._default_manager.exclude(**{field_name: ""}).only(
            "pk", field_name, field.width_field, field.height_field
        )
        for row in rows.iterator():
            file = getattr(row, field_name)
            if not force and available(file) is not None:
                continue
            if make(file) is None:
                failed += 1
            else:
                made += 1
    return made, failed
