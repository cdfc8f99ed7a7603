"""WordPress pages → simple pages (django.contrib.flatpages) under /pages/, keeping their hierarchy.

A page's HTML becomes Markdown as a post's does (convert.py; its images go through the media library)
and then the safe HTML reviews/markdown.py makes of Markdown, stored as the flatpage's content.
Published pages are public. Drafts, pending, private and scheduled pages are imported too, but need a
login (only staff have one here) until an editor unticks "Registration required"; trashed ones are
skipped. `/?page_id=N`, `/?p=N` and the old permalink (`/about/team/`) answer 301 with the new address.
"""

from urllib.parse import unquote

from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.utils.text import Truncator, slugify

from reviews.images import uploaded_image_size
from reviews.markdown import render_markdown

from ..models import ImportedItem
from . import wxr
from .convert import html_to_markdown

MAX_DEPTH = 10  # parents followed up from a page; more is a loop in a broken export
URL_LENGTH = FlatPage._meta.get_field("url").max_length


class PageImporter:
    def __init__(self, importer):
        self.importer = importer
        self.slugs: dict[int, tuple[str, int]] = {}  # WordPress page id → (its slug, its parent's id)

    def note(self, item: wxr.Item) -> None:
        """The first pass: every page's slug and parent, so a child read before its parent finds its place."""
        slug = unquote(item.slug) or slugify(item.title) or f"page-{item.id}"
        self.slugs[item.id] = (slug, item.parent)

    def path(self, page_id: int, clean=lambda slug: slug) -> str:
        """ "/about/team/": the slugs from the top page down to this one."""
        slugs, seen = [], set()
        while page_id in self.slugs and page_id not in seen and len(slugs) < MAX_DEPTH:
            seen.add(page_id)
            slug, page_id = self.slugs[page_id]
            slugs.insert(0, clean(slug))
        return "/" + "/".join(slugs) + "/"

    def import_page(self, item: wxr.Item) -> FlatPage | None:
        importer, report = self.importer, self.importer.report
        if item.status == "trash":
            report.skip("pages", "in WordPress's trash")
            return None
        if item.id in importer.here:
            report.skip("pages", "already here")
            return None
        if item.id not in self.slugs:
            self.note(item)
        record = importer.existing(ImportedItem.Kind.PAGE, item.id)
        page = record.target if record else None
        outcome = "updated" if page else "imported"
        page = page or FlatPage()
        converted = html_to_markdown(
            item.content,
            rewrite_url=lambda url: importer.media.rewrite(url, post_id=item.id),
            alt_for=importer.media.alt_for,
            find_rating=False,
        )
        page.title = Truncator(item.title or f"Page {item.id}").chars(200)
        page.content = render_markdown(converted.markdown, image_size=uploaded_image_size)
        page.registration_required = item.status != "publish"
        if not page.url:  # a later run keeps the address, which an editor may have changed
            page.url = self.free_url(page, item)
        page.save()
        page.sites.add(settings.SITE_ID)
        data = {"status": item.status, "link": item.link, "creator": item.creator}
        importer.remember(ImportedItem.Kind.PAGE, item.id, page, item=record, data=data)
        if page.registration_required:
            report.notes.append(
                f"page {item.id} “{page.title}” was {item.status} in WordPress: imported at {page.get_absolute_url()} "
                "for logged-in staff only; untick “Registration required” in the admin to publish it"
            )
        if item.comments:
            report.notes.append(f"page {item.id} “{page.title}”: its {len(item.comments)} comments were left out")
        self.links(item, page)
        report.count("pages", outcome)
        return page

    def free_url(self, page: FlatPage, item: wxr.Item) -> str:
        """The page's place in the hierarchy, made of ASCII slugs; "-2" added if another page has it."""
        url = self.path(item.id, clean=lambda slug: slugify(slug) or f"page-{item.id}")
        if len(url) > URL_LENGTH - 4:
            url = f"/page-{item.id}/"
        base, n = url.rstrip("/"), 1
        while FlatPage.objects.filter(url=url).exclude(pk=page.pk).exists():
            n += 1
            url = f"{base}-{n}/"
        return url

    def links(self, item: wxr.Item, page: FlatPage) -> None:
        """WordPress's addresses of the page (query links, its permalink, its place in the hierarchy)."""
        paths = {f"/?page_id={item.id}", f"/?p={item.id}"}
        if item.slug:
            paths.add(self.path(item.id))  # pages' permalinks are their hierarchy, whatever the posts' structure
        if item.link:
            paths.add(self.importer.local_path(item.link))
        here = page.get_absolute_url()
        for path in sorted(paths - {here}):  # the page's own address would answer with itself
            self.importer.link(path, page)
