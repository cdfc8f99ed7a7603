"""An export of this very site (`export_wordpress`) imported into it: what is already here.

The export names each review and simple page by its address on this site (`<link>`). When the export's
address is this site's (`SITE_URL`) and the address of one of our posts (each names its film, or none, in
`_reviewblog_film_title`) or pages still leads to a review or simple page, it is already here: the import
leaves it as it is, with its comments and images ("already here" in the report, in a dry run as in the real
one), instead of making a copy under another slug. What the site no longer has (a review deleted since the
export) comes back. A post this site remembers importing from that address (an `ImportedItem`: the site was
filled from its own export) is updated as any import updates.
"""

from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.urls import Resolver404, resolve

from reviews.models import Review

from ..models import ImportedItem
from . import wxr
from .films import FILM_TITLE_META

BATCH = 500


class AlreadyHere:
    """WordPress ids of the export's posts and pages that are this site's own, found here; read in the
    first pass (`note` each item, then `settle`), asked in the second (`post_id in here`)."""

    def __init__(self, importer):
        self.importer = importer
        self.slugs: dict[str, int] = {}  # review slug → WordPress post id
        self.urls: dict[str, int] = {}  # simple page's url → WordPress page id
        self.ids: set[int] = set()

    def __contains__(self, wordpress_id: int) -> bool:
        return wordpress_id in self.ids

    def is_own_export(self) -> bool:
        return self.importer.source == "wordpress:" + settings.SITE_URL.rstrip("/")

    def note(self, item: wxr.Item) -> None:
        if item.post_type not in ("post", "page") or not item.link or not self.is_own_export():
            return
        try:
            match = resolve(self.importer.local_path(item.link))
        except Resolver404:
            return
        ours = FILM_TITLE_META in item.meta  # every post of our export names its film, or none
        if item.post_type == "post" and ours and match.view_name == "reviews:review_detail":
            self.slugs[match.kwargs["slug"]] = item.id
        elif item.post_type == "page" and match.url_name == "django.contrib.flatpages.views.flatpage":
            self.urls["/" + match.kwargs["url"].lstrip("/")] = item.id

    def settle(self) -> None:
        """The noted posts and pages found here, less those remembered from an import of this address."""
        for found, model, field in ((self.slugs, Review, "slug"), (self.urls, FlatPage, "url")):
            keys = list(found)
            for start in range(0, len(keys), BATCH):
                here = model.objects.filter(**{f"{field}__in": keys[start : start + BATCH]})
                self.ids |= {found[key] for key in here.values_list(field, flat=True)}
        remembered = ImportedItem.objects.filter(
            source=self.importer.source, kind__in=[ImportedItem.Kind.POST, ImportedItem.Kind.PAGE]
        )
        ids = [str(i) for i in self.ids]
        for start in range(0, len(ids), BATCH):
            batch = remembered.filter(source_id__in=ids[start : start + BATCH]).values_list("source_id", flat=True)
            self.ids -= {int(i) for i in batch}
        self.slugs, self.urls = {}, {}
