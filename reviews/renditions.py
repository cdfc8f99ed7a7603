"""Responsive renditions of hero images, posters and photos: narrower copies in WebP, with a JPEG
fallback (PNG for images with transparency), stored beside the originals by a naming convention.

    heroes/still.jpg, 1600 wide → renditions/heroes/still.jpg-480w.webp  …-800w.webp  …-1200w.webp  …-1600w.webp
                                  renditions/heroes/still.jpg-480w.jpg   …-800w.jpg   …-1200w.jpg

Widths come from IMAGE_RENDITION_WIDTHS and are never wider than the original, which images.py has
already capped at IMAGE_MAX_WIDTH; the original itself is the widest fallback.

The task worker makes them, never the save: a save with a new image stores the original, marks the
row's record (hero_renditions, poster_renditions, photo_renditions) "queued", sets when they fall due
(hero_renditions_due …: IMAGE_RENDITION_GRACE_SECONDS ahead) and, after the commit, enqueues
`make_renditions`. The task claims the row on that due time (reviews/jobs.py), encodes the copies, then
writes the record, which names the original it was made for, through the QuerySet's update(), so the
page stamps move and the edge is purged. Pages read only that record (no storage call while rendering):
until it names the image the row holds, they show the original alone. A row whose renditions fell due
(a lost task, a killed worker's claim run out) or were never queued (rows written by update() or
bulk_create()) is claimed by the worker's chores: of any number of workers, one makes them.

Replacing or clearing an image deletes the old renditions after the commit, deleting the row deletes
them too. Originals are never deleted: a review's revisions may still point at them, and restoring one
queues its renditions again. `manage.py make_renditions` builds whatever is missing, at once.
"""

import io
import logging
import posixpath
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import CharField, F, Q, Value
from django.db.models.fields.files import FieldFile
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone
from django_tasks import task
from PIL import Image, ImageOps

from . import jobs
from .jobs import enqueue_after_commit

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
    """The renditions of one original: their names follow from its name, its width and the narrower widths."""

    source: str  # the original's name in storage
    width: int  # the original's width
    fallback: str  # "jpg", or "png" for images with transparency
    narrower: tuple[int, ...]  # the widths below the original's, as they were when the set was made

    @classmethod
    def for_original(cls, source: str, width: int, fallback: str) -> "RenditionSet":
        return cls(source, width, fallback, tuple(sorted({w for w in settings.IMAGE_RENDITION_WIDTHS if w < width})))

    @property
    def source_is_webp(self) -> bool:
        return self.source.lower().endswith(".webp")

    def _rendition(self, width: int, extension: str) -> Rendition:
        return Rendition(f"{FOLDER}{self.source}-{width}w.{extension}", width)

    def _narrower(self) -> list[int]:
        return list(self.narrower)

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


# --- What pages use: the row's record, never the storage ---

MADE, FAILED, QUEUED = "made", "failed", "queued"


def stored_width(file: FieldFile) -> int | None:
    """The width saved in the row (hero_width, poster_width…), read without touching the database or the file."""
    return file.instance.__dict__.get(file.field.width_field) if file.field.width_field else None


def stored_bytes(file: FieldFile) -> int | None:
    """The image's size in bytes, as the worker recorded it for the image the row holds; else None."""
    record = record_of(file)
    return record.get("bytes") if file and record.get("for") == file.name else None


def record_of(file: FieldFile) -> dict:
    """The row's record of this image's renditions ({} when it was not loaded): no SQL, no storage."""
    field = getattr(file.field, "renditions_field", None)
    return (file.instance.__dict__.get(field) if field else None) or {}


def recorded(file: FieldFile) -> RenditionSet | None:
    """The complete rendition set the row records for the image it holds now, or None (not made yet,
    made for the image this one replaced, or the original could not be read)."""
    record = record_of(file)
    if not file or record.get("state") != MADE or record.get("for") != file.name:
        return None
    return RenditionSet(file.name, record["width"], record["fallback"], tuple(record["narrower"]))


def _made(renditions: RenditionSet, size: int | None = None) -> dict:
    return {
        "state": MADE,
        "for": renditions.source,
        "width": renditions.width,
        "fallback": renditions.fallback,
        "narrower": list(renditions.narrower),
        "bytes": size,  # for feeds' enclosures, which would otherwise ask the storage on every render
    }


def _size(file: FieldFile) -> int | None:
    try:
        return file.storage.size(file.name)
    except Exception:  # a nicety: the feed asks the storage itself instead
        return None


def _queued(name: str) -> dict:
    return {"state": QUEUED, "for": name}


# --- Making and removing them ---


def make(file: FieldFile) -> RenditionSet | None:
    """(Re)build every rendition of an image; None, with a logged warning, when the original can't be read.

    Never raises: a missing rendition costs a reader some bytes. Copies are written over the old ones
    and only then are widths no longer made deleted, so a page offering the old set never loses a file.
    """
    try:
        with file.storage.open(file.name, "rb") as original, Image.open(original) as image:
            image.seek(0)
            image = ImageOps.exif_transpose(image)
            transparent = _has_transparency(image)
            image = image.convert("RGBA" if transparent else "RGB")
        renditions = RenditionSet.for_original(file.name, image.width, "png" if transparent else "jpg")
        for rendition in renditions.all():
            _write(file.storage, rendition, image)
        delete(file.storage, file.name, keep={r.name for r in renditions.all()})
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


def delete(storage, source: str, keep=frozenset()) -> int:
    """Delete every rendition of the original `source` (but those in `keep`), whatever widths it was
    made at; returns how many."""
    folder, filename = posixpath.split(f"{FOLDER}{source}")
    try:
        _dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return 0
    doomed = [
        posixpath.join(folder, f)
        for f in files
        if f.startswith(filename) and RENDITION_NAME.fullmatch(f[len(filename) :])
    ]
    doomed = [name for name in doomed if name not in keep]
    for name in doomed:
        storage.delete(name)
    return len(doomed)


def _on_storage(file: FieldFile) -> RenditionSet | None:
    """A complete set already in storage under today's widths (made before records existed): the
    worker adopts it instead of encoding it again. Only the worker asks; pages never do."""
    width = stored_width(file)
    if not file or not width:
        return None
    # A JPEG has no transparency, so its fallback is JPEG; anything else may have fallen back to PNG.
    fallbacks = ["jpg"] if file.name.lower().endswith((".jpg", ".jpeg")) else ["png", "jpg"]
    for fallback in fallbacks:
        renditions = RenditionSet.for_original(file.name, width, fallback)
        if all(file.storage.exists(r.name) for r in renditions.all()):
            return renditions
    return None


def claim(model, pk, field_name: str, name: str, held) -> bool:
    """Take the making of image `name`'s renditions on row `pk` for this worker (`jobs.claim` on its due
    time, which must still be `held`, as read): of two workers, one makes them; a killed worker's claim
    runs out. Through the plain manager: a claim changes nothing a page shows, so no page stamp moves."""
    rows = model._base_manager.filter(pk=pk, **{field_name: name})
    return jobs.claim(rows, model._meta.get_field(field_name).renditions_due_field, held=held) is not None


def make_for(label: str, pk, field_name: str, name: str, *, force: bool = False) -> str:
    """Make and record the renditions of image `name` on row `pk`, if the row still holds it.

    Returns what happened: "made", "adopted" (a complete set was in storage already), "failed" (the
    original can't be read: recorded, so pages show the original and the chores leave it), "done"
    (recorded already) or "replaced" (the row holds another image now, or is gone: nothing recorded).
    """
    model = apps.get_model(label)
    field = model._meta.get_field(field_name)
    row = (
        model._default_manager.filter(pk=pk)
        .only("pk", field_name, field.width_field, field.height_field, field.renditions_field)
        .first()
    )
    file = getattr(row, field_name, None)
    if row is None or not file or file.name != name:
        return "replaced"
    record = record_of(file)
    if not force and record.get("for") == name and record.get("state") in (MADE, FAILED):
        return "done"
    outcome, renditions = "adopted", None if force else _on_storage(file)
    if renditions is None:
        outcome, renditions = "made", make(file)
    new_record = _made(renditions, _size(file)) if renditions else {"state": FAILED, "for": name}
    # Recorded only if the row still holds this image: one replaced meanwhile has its own task.
    if not _record(model, pk, field_name, name, new_record):
        if renditions:
            _delete_unless_used(model, field_name, name)
        return "replaced"
    return outcome if renditions else "failed"


def _record(model, pk, field_name: str, name: str, record: dict) -> bool:
    """Write the record through the QuerySet's update(), which moves the stamps of the pages that show
    the row and purges them from the edge (`pages_showing`: an author's photo, their page and reviews)."""
    field = model._meta.get_field(field_name)
    rows = model._default_manager.filter(pk=pk, **{field_name: name})
    return bool(rows.update(**{field.renditions_field: record, field.renditions_due_field: None}))


@task()
def make_renditions(label: str, pk: int, field_name: str, name: str, due_at: str | None = None) -> str:
    """The task a save with a new image enqueues after its commit (arguments: the row, the image's name
    and when its renditions fell due then); "taken" when the chores claimed them meanwhile, or the row
    holds another image now."""
    model = apps.get_model(label)
    if not claim(model, pk, field_name, name, datetime.fromisoformat(due_at) if due_at else None):
        return "taken"
    return make_for(label, pk, field_name, name)


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
    """Ask the database which image the row holds before this save replaces it, and set the record of
    the image being saved: queued for the worker, or the record of another row showing it already.

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
    queue = instance.__dict__.setdefault("_rendition_queue", {})
    queue[field_name] = False
    field = instance._meta.get_field(field_name)
    file, new = getattr(instance, field_name), _current_name(instance, field_name)
    if new is None:  # deferred and untouched
        return
    if file and new == "":
        # Store a new upload now, as the field's pre_save would a moment later, so the record can name it.
        field.pre_save(instance, instance._state.adding)
        new = file.name
    known = field.renditions_field in instance.__dict__
    if not file:
        setattr(instance, field.renditions_field, {})
        setattr(instance, field.renditions_due_field, None)
    elif record_of(file).get("for") == new or (not known and new == stored):
        pass  # the image it had, and the record it had (queued, made or failed)
    else:  # a new upload, a restored or replaced image, or a row from before the records
        record = _shared_record(sender, field, new) or _queued(new)
        setattr(instance, field.renditions_field, record)
        queue[field_name] = record["state"] == QUEUED
        grace = timezone.now() + timedelta(seconds=settings.IMAGE_RENDITION_GRACE_SECONDS)
        setattr(instance, field.renditions_due_field, grace if queue[field_name] else None)


def _shared_record(model, field, name: str) -> dict | None:
    """The record of an image already stored and shown by another row (an import, a copied review): its
    renditions are made, so this row shows them too, with no task. One query, only when a stored image
    is set by name."""
    if not name:
        return None
    records = model._default_manager.filter(**{field.name: name}).values_list(field.renditions_field, flat=True)
    return next((r for r in records[:5] if r.get("state") == MADE and r.get("for") == name), None)


def _saved(sender, instance, field_name, update_fields=None, **kwargs):
    if update_fields is not None and field_name not in update_fields:
        return
    sources = instance.__dict__.setdefault("_rendition_sources", {})
    old, new = sources.get(field_name), _current_name(instance, field_name)
    if new is None:  # deferred and untouched: nothing was saved to it
        return
    if old and old != new:
        transaction.on_commit(partial(_delete_unless_used, sender, field_name, old))
    if instance.__dict__.get("_rendition_queue", {}).pop(field_name, False):
        # After the commit, so the worker finds the row; a queue that is down leaves it to the chores.
        due = getattr(instance, sender._meta.get_field(field_name).renditions_due_field)
        enqueue_after_commit(make_renditions, sender._meta.label, instance.pk, field_name, new, due.isoformat())
    sources[field_name] = new


def _deleted(sender, instance, field_name, **kwargs):
    name = _current_name(instance, field_name)
    if name:
        transaction.on_commit(partial(_delete_unless_used, sender, field_name, name))


def _delete_unless_used(model, field_name: str, name: str) -> None:
    """After the commit: delete the renditions of `name`, unless another row still shows that image."""
    if not model._default_manager.filter(**{field_name: name}).exists():
        delete(model._meta.get_field(field_name).storage, name)


# --- Catching up: the worker's chores and `manage.py make_renditions` ---


def _missing(model, field_name: str, *, force: bool = False, retry_failed: bool = True):
    """Rows with an image whose record does not name it as made (nor as failed, unless retry_failed):
    one query, the comparison in SQL, so only the few waiting rows come back."""
    field = model._meta.get_field(field_name)
    rows = model._default_manager.exclude(**{field_name: ""})
    rows = rows.only("pk", field_name, field.renditions_field, field.renditions_due_field)
    if force:
        return rows.order_by("pk")
    done = [MADE] if retry_failed else [MADE, FAILED]
    made_for = Coalesce(KT(f"{field.renditions_field}__for"), Value(""), output_field=CharField())
    state = Coalesce(KT(f"{field.renditions_field}__state"), Value(""), output_field=CharField())
    rows = rows.annotate(_made_for=made_for, _state=state)
    return rows.filter(~Q(_made_for=F(field_name)) | ~Q(_state__in=done)).order_by("pk")


def make_missing(*, force: bool = False) -> tuple[int, int]:
    """Build (or adopt) the renditions every image is missing, now (all of them with force); returns
    (made, failed). Images whose original could not be read are tried again."""
    made = failed = 0
    for label, field_name in IMAGE_FIELDS:
        model = apps.get_model(label)
        for row in _missing(model, field_name, force=force).iterator():
            outcome = make_for(label, row.pk, field_name, getattr(row, field_name).name, force=force)
            made += outcome in ("made", "adopted")
            failed += outcome == "failed"
    return made, failed


def make_overdue(limit: int = 20) -> int:
    """The chores' share: images whose renditions fell due (their task lost, a worker's claim run out) or
    were never queued (the row written by update(), bulk_create() or a migration), each claimed first, so
    two workers never make the same ones. Those still within their task's grace are left to it. At most
    `limit` encodings a round, so other chores are not held up; adopting copies already in storage is
    cheap and not counted. Returns how many images it recorded."""
    now = timezone.now()
    recorded_, encoded = 0, 0
    for label, field_name in IMAGE_FIELDS:
        model = apps.get_model(label)
        due_field = model._meta.get_field(field_name).renditions_due_field
        rows = _missing(model, field_name, retry_failed=False)
        for row in rows.filter(Q(**{f"{due_field}__lte": now}) | Q(**{f"{due_field}__isnull": True})):
            name = getattr(row, field_name).name
            if not claim(model, row.pk, field_name, name, getattr(row, due_field)):
                continue  # another worker has it
            outcome = make_for(label, row.pk, field_name, name)
            recorded_ += outcome in ("made", "adopted", "failed")
            encoded += outcome in ("made", "failed")
            if encoded >= limit:
                return recorded_
    return recorded_
