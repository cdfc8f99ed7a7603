"""What <head> tells search engines, link previews and feed readers about a page.

{% meta_tags review %} canonical URL, OpenGraph and Twitter card tags (a plain page: {% meta_tags description=… %},
    which base.html fills with the page's meta description)
{% feed_links film %} autodiscovery <link>s of the film's feeds (no argument: the site's feeds)
{% subscribe_links film %} the same feeds as visible links
{% structured_data review %} schema.org JSON-LD (of a page of a list: `{% structured_data page %}`)
{% site_structured_data %} the WebSite and its search, for the home page
"""

import html

from django import template
from django.conf import settings
from django.utils.translation import to_locale

from .. import feeds
from ..seo import PageMeta, absolute_url, page_meta, site_card, summary
from ..structured_data import json_ld, website
from ..structured_data import structured_data as structured_data_for

register = template.Library()


@register.inclusion_tag("includes/_meta.html", takes_context=True)
def meta_tags(context, subject=None, description=""):
    """`description`: of a page with no subject, as rendered for its <meta name="description"> (escaped)."""
    if subject is not None:
        meta = page_meta(subject)
    else:
        meta = PageMeta(title=settings.SITE_NAME, description=summary(html.unescape(description)), **site_card())
    request = context.get("request")
    url = meta.url or (request.path if request else "/")
    page = context.get("page")  # a page of a paginated list is a page of its own
    if getattr(page, "number", 1) > 1:
        url += f"?page={page.number}"
    width, height = meta.image_size
    image = meta.image.url if meta.image else meta.image_url
    return {
        "meta": meta,
        "canonical": absolute_url(url),
        "site_name": settings.SITE_NAME,
        "locale": to_locale(settings.LANGUAGE_CODE),
        "image_url": absolute_url(image) if image else "",
        "width": width,
        "height": height,
        # A wide picture fills a large card; a poster or a portrait sits beside the text.
        "card": "summary_large_image" if image and (width or 0) >= (height or 0) else "summary",
    }


@register.inclusion_tag("includes/_feed_links.html")
def feed_links(subject=None):
    return {"feeds": feeds.feed_links(subject)}


@register.inclusion_tag("includes/_subscribe_links.html")
def subscribe_links(subject=None):
    return {"feeds": feeds.feed_links(subject)}


@register.simple_tag
def structured_data(subject, **page):
    """JSON-LD for `subject`; keyword arguments add what only the page knows (a film's average rating)."""
    data = structured_data_for(subject, **page)
    return json_ld(data) if data else ""


@register.simple_tag
def site_structured_data():
    return json_ld(website())
