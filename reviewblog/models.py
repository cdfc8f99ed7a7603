"""What the site remembers about content brought in from elsewhere, and the old addresses that lead to it.

`ImportedItem` maps an id in another system (a WordPress post, comment, attachment, author or term) to
the object made from it here, so a second import updates instead of duplicating and an export can give
each object its old id back. `ImportRun` is one import started from the admin, run by the task worker.
`OldLink` is an address the old site answered at; `reviewblog.oldlinks`
answers it with a 301 to wherever that content lives now, looked up only when nothing else matched.
`WorkerHeartbeat` is when the task worker last ran its chores (reviewblog/health.py reads it).
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ImportedItemQuerySet(models.QuerySet):
    def of(self, source: str, kind: str):
        return self.filter(source=source, kind=kind)


class ImportedItem(models.Model):
    class Kind(models.TextChoices):
        POST = "post", "Post"
        PAGE = "page", "Page"
        COMMENT = "comment", "Comment"
        ATTACHMENT = "attachment", "Attachment"
        AUTHOR = "author", "Author"
        CATEGORY = "category", "Category"
        TAG = "tag", "Tag"
        FILM = "film", "Film"  # made by the import (--create-films, a mapping; earlier, the placeholder film)

    # The system and site it came from, e.g. "wordpress:https://films.example" (ids are per site).
    source = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    source_id = models.CharField("id there", max_length=200)
    # What it became here: an object, or only a stored file (an attachment's image), or nothing (skipped).
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    file = models.CharField("stored file", max_length=300, blank=True)
    # What the source said that has no field here but an exporter may want back (sticky, original URL …).
    data = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ImportedItemQuerySet.as_manager()

    class Meta:
        ordering = ["source", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "source_id"], name="imported_item_once"),
            models.CheckConstraint(
                condition=Q(kind__in=["post", "page", "comment", "attachment", "author", "category", "tag", "film"]),
                name="imported_item_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="imported_item_target_idx")]

    def __str__(self):
        return f"{self.source} {self.kind} {self.source_id}"


class OldLink(models.Model):
    """An address of the old site (a path, or "/?p=12" for a query link) and where it leads now.

    The target is the object (its address is read when a reader arrives, so a later slug change never
    makes a chain), plus an optional suffix ("feed/"), or a fixed URL (a stored image, the site feed).
    """

    path = models.CharField(max_length=500, unique=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    suffix = models.CharField(max_length=50, blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url="", object_id__isnull=False) | (~Q(url="") & Q(object_id__isnull=True)),
                name="old_link_one_target",
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="old_link_target_idx")]

    def __str__(self):
        return self.path

    def destination(self) -> str | None:
        """Where a reader is sent now, or None when the object is gone."""
        if self.url:
            return self.url
        obj = self.target
        return obj.get_absolute_url() + self.suffix if obj is not None else None


class ImportRun(models.Model):
    """An import of a WordPress export uploaded in the admin: who, what, how far it got, and its report.

    The upload waits in the private storage, under imports/<key>/, until the task worker has run it, then is deleted
    (it holds readers' emails and IPs); the report stays here.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for the task worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="started by"
    )
    created_at = models.DateTimeField("started", default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField("export file", max_length=200)
    media_name = models.CharField("uploads zip", max_length=200, blank=True)
    create_films = models.BooleanField(default=False)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=20, blank=True)  # "unzipping", "checking", "importing"
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    report = models.TextField(blank=True)
    # The editor's film mapping the run follows, and the one it wrote (every post and its film) to download.
    film_mapping = models.TextField(blank=True)
    film_guesses = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "WordPress import"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]), name="import_run_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def folder(self) -> str:
        """Where the upload waits in the private storage (STORAGES["private"]), which no URL reaches."""
        return f"imports/{self.key}/"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0

    def progress_text(self) -> str:
        if self.status == self.Status.QUEUED:
            return "waiting for the task worker (manage.py run_worker)"
        if self.phase == "importing" and self.total:
            return f"{self.done:,} of {self.total:,} items ({self.percent} %)"
        if self.phase == "checking":
            return f"checking the file: {self.done:,} items read"
        return self.phase or ""

    def start(self) -> bool:
        """Take a queued run for this worker: one conditional UPDATE, so of two workers only one runs it.
        False when it is not queued any more (taken, or ended)."""
        fields = {"status": self.Status.RUNNING, "started_at": timezone.now(), "phase": "", "done": 0, "total": 0}
        if not ImportRun.objects.filter(pk=self.pk, status=self.Status.QUEUED).update(**fields):
            return False
        for name, value in fields.items():
            setattr(self, name, value)
        return True

    def record(self, phase: str, done: int, total: int) -> None:
        """The importer's progress callback: one UPDATE, seen at once by the status page."""
        self._set(phase=phase, done=done, total=total)

    def finish(self, report: str, film_guesses: str = "") -> None:
        self._set(status=self.Status.DONE, finished_at=timezone.now(), report=report, film_guesses=film_guesses)

    def fail(self, message: str) -> None:
        self._set(status=self.Status.FAILED, finished_at=timezone.now(), report=message)

    def _set(self, **fields) -> None:
        for name, value in fields.items():
            setattr(self, name, value)
        ImportRun.objects.filter(pk=self.pk).update(**fields)


class WorkerHeartbeatQuerySet(models.QuerySet):
    def last_seen(self):
        """When any task worker last ran a round of chores, or None if none ever has."""
        return self.aggregate(last=models.Max("seen_at"))["last"]


class WorkerHeartbeat(models.Model):
    """The last round of chores of the task workers on one host: each round stamps its host's row, so
    /readyz and the admin can tell a worker that runs from one that stopped or hangs."""

    host = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField()

    objects = WorkerHeartbeatQuerySet.as_manager()

    def __str__(self):
        return f"{self.host}: {self.seen_at:%Y-%m-%d %H:%M:%S}"

    # A host silent this long is gone (a replaced machine or container name), not stopped: its row goes.
    FORGET_AFTER = timedelta(days=7)

    @classmethod
    def beat(cls, host: str) -> None:
        now = timezone.now()
        cls.objects.update_or_create(host=host[:255], defaults={"seen_at": now})
        cls.objects.filter(seen_at__lt=now - cls.FORGET_AFTER).delete()
