"""What the site remembers about content brought in from elsewhere, and the old addresses that lead to it.

`ImportedItem` maps an id in another system (a WordPress post, comment, attachment, author or term) to
the object made from it here, so a second import updates instead of duplicating and an export can give
each object its old id back. `OldLink` is an address the old site answered at; `reviewblog.oldlinks`
answers it with a 301 to wherever that content lives now, looked up only when nothing else matched.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q


class ImportedItemQuerySet(models.QuerySet):
    def of(self, source: str, kind: str):
        return self.filter(source=source, kind=kind)

    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class ImportedItem(models.Model):
    class Kind(models.TextChoices):
        POST = "post", "Post"
        PAGE = "page", "Page"
        COMMENT = "comment", "Comment"
        ATTACHMENT = "attachment", "Attachment"
        AUTHOR = "author", "Author"
        CATEGORY = "category", "Category"
        TAG = "tag", "Tag"
        FILM = "film", "Film"  # made by the import (--create-films, or the placeholder of unmatched posts)

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
