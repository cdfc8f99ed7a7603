"""Simple pages (flatpages) as WordPress pages: their HTML, title, slug, hierarchy (`wp:post_parent`, read
from their addresses: /about/team/ is a child of /about/), `publish`, or `private` while they need a login.
An imported page gets its WordPress id back; the images it shows from this site's MEDIA are attachments."""

from collections.abc import Iterator

from django.conf import settings
from django.contrib.flatpages.models import FlatPage

from ..models import ImportedItem
from .wxr_writer import cdata, text, wp_date, wp_date_gmt


def parent_url(url: str) -> str:
    """ "/about/team/" → "/about/"; "/about/" → "/"."""
    return url.rstrip("/").rsplit("/", 1)[0] + "/"


def pages(exporter) -> Iterator[str]:
    site_pages = list(FlatPage.objects.filter(sites=settings.SITE_ID).order_by("url"))  # parents first
    remembered = exporter.ids.remembered(ImportedItem.Kind.PAGE, FlatPage, [page.pk for page in site_pages])
    ids = {page.url: exporter.ids.page(remembered.get(page.pk)) for page in site_pages}
    for page in site_pages:
        page_id = ids[page.url]
        creator = str((remembered[page.pk].data if page.pk in remembered else {}).get("creator", ""))
        yield from exporter.images.shown(page.content, page_id, date=None, creator=creator)
        yield item(exporter, page, page_id, ids.get(parent_url(page.url), 0), creator)


def item(exporter, page: FlatPage, page_id: int, parent_id: int, creator: str) -> str:
    slug = page.url.strip("/").rsplit("/", 1)[-1]
    status = "private" if page.registration_required else "publish"
    return "".join(
        [
            "\t<item>\n",
            f"\t\t<title>{cdata(page.title)}</title>\n",
            f"\t\t<link>{text(exporter.url(page.get_absolute_url()))}</link>\n",
            f"\t\t<dc:creator>{cdata(creator)}</dc:creator>\n",
            f'\t\t<guid isPermaLink="false">{text(exporter.site_url)}/?page_id={page_id}</guid>\n',
            "\t\t<description></description>\n",
            f"\t\t<content:encoded>{cdata(exporter.html(page.content))}</content:encoded>\n",
            f"\t\t<excerpt:encoded>{cdata('')}</excerpt:encoded>\n",
            f"\t\t<wp:post_id>{page_id}</wp:post_id>\n",
            f"\t\t<wp:post_date>{cdata(wp_date(None))}</wp:post_date>\n",  # flatpages keep no date
            f"\t\t<wp:post_date_gmt>{cdata(wp_date_gmt(None))}</wp:post_date_gmt>\n",
            f"\t\t<wp:comment_status>{cdata('closed')}</wp:comment_status>\n",
            f"\t\t<wp:ping_status>{cdata('closed')}</wp:ping_status>\n",
            f"\t\t<wp:post_name>{cdata(slug)}</wp:post_name>\n",
            f"\t\t<wp:status>{cdata(status)}</wp:status>\n",
            f"\t\t<wp:post_parent>{parent_id}</wp:post_parent>\n",
            "\t\t<wp:menu_order>0</wp:menu_order>\n",
            f"\t\t<wp:post_type>{cdata('page')}</wp:post_type>\n",
            f"\t\t<wp:post_password>{cdata('')}</wp:post_password>\n",
            "\t\t<wp:is_sticky>0</wp:is_sticky>\n",
            "\t</item>\n",
        ]
    )
