"""The images of an export: a review's hero image and every image a review or page shows from this site's
MEDIA, each written once as a WordPress attachment (`wp:attachment_url`, `_wp_attached_file`, the alt text
as `_wp_attachment_image_alt`), its parent the first post or page that shows it."""

from collections.abc import Iterator
from datetime import datetime
from email.utils import format_datetime
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from reviews.images import media_prefix

from .wxr_writer import cdata, meta, text, wp_date, wp_date_gmt


class ImageFinder(HTMLParser):
    """(src, alt) of every <img> in stored HTML, entities decoded."""

    def __init__(self, html: str):
        super().__init__()
        self.images: list[tuple[str, str]] = []
        self.feed(html or "")
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            attrs = dict(attrs)
            self.images.append((attrs.get("src") or "", attrs.get("alt") or ""))


def media_name(src: str, site_url: str) -> str | None:
    """ "/media/uploads/a.jpg" or "https://films.example/media/uploads/a.jpg" (or the bucket's
    "https://media.films.example/uploads/a.jpg") → "uploads/a.jpg", the file's name in this site's storage;
    None for an image from anywhere else."""
    media_url = media_prefix()
    prefixes = [media_url] if "://" in media_url else [media_url, site_url + media_url, settings.SITE_URL + media_url]
    address = urlsplit(src)._replace(query="", fragment="").geturl()
    for prefix in prefixes:
        if address.startswith(prefix):
            name = unquote(address[len(prefix) :])
            parts = PurePosixPath(name).parts
            return name if parts and ".." not in parts and not name.startswith("/") else None
    return None


class Images:
    def __init__(self, exporter):
        self.exporter = exporter
        self.written: dict[str, int] = {}  # stored file name → its attachment id, so a file goes out once

    def hero(self, review, post_id: int) -> tuple[int, str]:
        """(the hero image's attachment id, its item; "" when another review already wrote it)."""
        name = review.hero_image.name
        if name in self.written:
            return self.written[name], ""
        attachment_id = self.written[name] = self.exporter.ids.attachment(name)
        item = self.item(
            attachment_id,
            post_id,
            name=name,
            alt=review.hero_alt,
            caption=review.hero_caption,
            date=review.published_at,
            creator=review.author.get_username(),
        )
        return attachment_id, item

    def shown(self, html: str, post_id: int, *, date: datetime | None, creator: str) -> Iterator[str]:
        """An attachment for each image of this site's MEDIA that `html` shows and no item before showed."""
        for src, alt in ImageFinder(html).images:
            name = media_name(src, self.exporter.site_url)
            if name is None or name in self.written or not default_storage.exists(name):
                continue
            self.written[name] = self.exporter.ids.attachment(name)
            yield self.item(self.written[name], post_id, name=name, alt=alt, date=date, creator=creator)

    def item(self, attachment_id, post_id, *, name, alt, caption="", date=None, creator="") -> str:
        url = self.exporter.url(default_storage.url(name))
        stem = PurePosixPath(name).stem
        return "".join(
            [
                "\t<item>\n",
                f"\t\t<title>{cdata(stem)}</title>\n",
                f"\t\t<link>{text(url)}</link>\n",
                f"\t\t<pubDate>{format_datetime(date or timezone.now())}</pubDate>\n",
                f"\t\t<dc:creator>{cdata(creator)}</dc:creator>\n",
                f'\t\t<guid isPermaLink="false">{text(url)}</guid>\n',
                "\t\t<description></description>\n",
                f"\t\t<content:encoded>{cdata('')}</content:encoded>\n",
                f"\t\t<excerpt:encoded>{cdata(caption)}</excerpt:encoded>\n",
                f"\t\t<wp:post_id>{attachment_id}</wp:post_id>\n",
                f"\t\t<wp:post_date>{cdata(wp_date(date))}</wp:post_date>\n",
                f"\t\t<wp:post_date_gmt>{cdata(wp_date_gmt(date))}</wp:post_date_gmt>\n",
                f"\t\t<wp:comment_status>{cdata('closed')}</wp:comment_status>\n",
                f"\t\t<wp:ping_status>{cdata('closed')}</wp:ping_status>\n",
                f"\t\t<wp:post_name>{cdata(stem.lower())}</wp:post_name>\n",
                f"\t\t<wp:status>{cdata('inherit')}</wp:status>\n",
                f"\t\t<wp:post_parent>{post_id}</wp:post_parent>\n",
                "\t\t<wp:menu_order>0</wp:menu_order>\n",
                f"\t\t<wp:post_type>{cdata('attachment')}</wp:post_type>\n",
                f"\t\t<wp:post_password>{cdata('')}</wp:post_password>\n",
                "\t\t<wp:is_sticky>0</wp:is_sticky>\n",
                f"\t\t<wp:attachment_url>{cdata(url)}</wp:attachment_url>\n",
                meta("postmeta", "_wp_attached_file", name),
                meta("postmeta", "_wp_attachment_image_alt", alt),
                "\t</item>\n",
            ]
        )
