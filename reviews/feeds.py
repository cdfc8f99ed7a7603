"""RSS 2.0 and Atom feeds of published reviews: all of them, and those of one film, person or genre.

Each item carries the whole review as HTML (hero image, standfirst, body, verdict) with absolute
links, as WordPress does in <content:encoded>; the hero image is also the item's enclosure. A feed
runs a fixed number of queries (the feed's subject, one page of reviews, their genres); the page cache
shares one copy with anonymous readers and answers a feed reader whose copy is current with 304
(reviewblog/page_cache.py).
"""

import mimetypes
import re
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import feedgenerator

from .models import Film, Genre, Person, Review, display_name, lists_page_state, row_page_state
from .public_pages import public_page
from .renditions import stored_bytes
from .seo import absolute_url

FEED_ITEMS = 20

_URL_ATTRIBUTE = re.compile(r'(?<=\s)(href|src|srcset)="([^"]*)"')


def absolute_links(html: str, base: str) -> str:
    """Make the links and image addresses in `html` absolute, so they work in a feed reader.

    Works on HTML written by reviews/markdown.py (nh3) and our templates, whose attributes are
    always double-quoted. In-page anchors (a heading's #acting, a footnote's #fn:1) become `base#…`
    too: a feed reader shows the entry apart from the page, where a bare fragment leads nowhere.
    """

    def absolute(url: str) -> str:
        return urljoin(base, url) if url else url

    def replace(match):
        name, value = match.groups()
        if name == "srcset":  # "a.webp 480w, b.webp 960w"
            value = ", ".join(" ".join([absolute(url), *rest]) for url, *rest in map(str.split, value.split(",")))
        else:
            value = absolute(value)
        return f'{name}="{value}"'

    return _URL_ATTRIBUTE.sub(replace, html)


class RssWithContent(feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with the whole review in <content:encoded> and the standfirst in <description>."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": "http://purl.org/rss/1.0/modules/content/"}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content"])


class AtomWithContent(feedgenerator.Atom1Feed):
    """Atom with the whole review in <content type="html"> and the standfirst in <summary>."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content"], {"type": "html"})


class ReviewFeed(Feed):
    """The newest published reviews. Subclasses narrow it to a subject (a film, a person, a genre)."""

    feed_type = RssWithContent
    url_name = "reviews:feed"
    model = None  # the subject's model
    films_of_subject = ""  # the lookup from a film to its subject's slug

    # --- Which reviews ---

    def reviews(self, slug=None):
        """Every review of this feed, drafts too (they count as changes when they leave it)."""
        if self.model is None:
            return Review.objects.all()
        return Review.objects.filter(film__in=Film.objects.filter(**{self.films_of_subject: slug}))

    def get_object(self, request, slug=None):
        return get_object_or_404(self.model, slug=slug) if self.model else None

    def items(self, subject):
        return self.reviews(subject.slug if subject else None).published().for_feed()[:FEED_ITEMS]

    @classmethod
    def page_state(cls, slug=None):
        """The stamp the feed shares with its subject's page (touch_pages moves it with every review)."""
        return row_page_state(cls.model, slug) if cls.model else lists_page_state()

    # --- The feed ---

    def title(self, subject):
        return f"{settings.SITE_NAME}: film reviews"

    def description(self, subject):
        return "New reviews as they are published: direction, acting, writing and craft, scored honestly."

    def link(self, subject):
        return absolute_url(subject.get_absolute_url() if subject else reverse("reviews:home"))

    def feed_url(self, subject):
        return absolute_url(reverse(self.url_name, kwargs={"slug": subject.slug} if subject else {}))

    def author_name(self, subject):
        return settings.SITE_NAME

    def feed_copyright(self, subject):
        return f"© {settings.SITE_NAME}"

    # --- Each review ---

    def item_title(self, review):
        return f"{review.title} — {review.film}" if review.film else review.title

    def item_description(self, review):
        return review.standfirst

    def item_link(self, review):
        return absolute_url(review.get_absolute_url())

    def item_guid(self, review):
        """Stays the same when the title or slug is corrected, so readers never see a review twice."""
        host = urlsplit(settings.SITE_URL).hostname
        return f"tag:{host},{review.created_at:%Y-%m-%d}:review:{review.pk}"

    def item_guid_is_permalink(self, review):
        return False

    def item_pubdate(self, review):
        return review.published_at

    def item_updateddate(self, review):
        return max(review.updated_at, review.published_at)

    def item_author_name(self, review):
        return display_name(review.author)

    def item_author_link(self, review):
        profile = getattr(review.author, "author_profile", None)  # selected with the review
        return absolute_url(profile.get_absolute_url()) if profile else None

    def item_categories(self, review):
        return [genre.name for genre in review.film.genres.all()] if review.film else []

    def item_enclosures(self, review):
        if not review.hero_image:
            return []
        length = stored_bytes(review.hero_image)  # recorded by the renditions' worker: no storage call
        if length is None:
            try:
                length = review.hero_image.size
            except OSError:  # the file went missing: the review itself still belongs in the feed
                return []
        mime_type = mimetypes.guess_type(review.hero_image.name)[0] or "application/octet-stream"
        return [feedgenerator.Enclosure(absolute_url(review.hero_image.url), str(length), mime_type)]

    def item_extra_kwargs(self, review):
        html = render_to_string("reviews/feed_item.html", {"review": review, "film": review.film})
        return {"content": absolute_links(html, self.item_link(review))}


class FilmFeed(ReviewFeed):
    url_name, model, films_of_subject = "reviews:film_feed", Film, "slug"

    def title(self, film):
        return f"Reviews of {film} · {settings.SITE_NAME}"

    def description(self, film):
        return f"New reviews of {film} on {settings.SITE_NAME}."


class PersonFeed(ReviewFeed):
    url_name, model, films_of_subject = "reviews:person_feed", Person, "credits__person__slug"

    def title(self, person):
        return f"Reviews of films with {person.name} · {settings.SITE_NAME}"

    def description(self, person):
        return f"New reviews of films {person.name} worked on, on {settings.SITE_NAME}."


class GenreFeed(ReviewFeed):
    url_name, model, films_of_subject = "reviews:genre_feed", Genre, "genres__slug"

    def title(self, genre):
        return f"{genre.name} film reviews · {settings.SITE_NAME}"

    def description(self, genre):
        return f"New reviews of {genre.name.lower()} films on {settings.SITE_NAME}."


def atom(feed_class, feed_type=AtomWithContent, **attributes):
    """The Atom twin of an RSS feed class: same items, Atom's format (its description as Atom's subtitle).
    The comments' feeds use it too."""
    return type(
        f"{feed_class.__name__}Atom",
        (feed_class,),
        {"feed_type": feed_type, "subtitle": feed_class.description, **attributes},
    )


RSS_FEEDS = [ReviewFeed, FilmFeed, PersonFeed, GenreFeed]
ATOM_FEEDS = {rss_class: atom(rss_class, url_name=f"{rss_class.url_name}_atom") for rss_class in RSS_FEEDS}
# URL name → view, for reviews/urls.py.
VIEWS = {
    feed_class.url_name.removeprefix("reviews:"): public_page(
        feed_class.page_state,
        edge_key=f"{feed_class.model._meta.model_name}-{{}}" if feed_class.model else "lists",
        cache_control={"no_cache": True},  # feed readers ask every time; a 304 costs one query, or none
    )(feed_class())
    for rss_class, atom_class in ATOM_FEEDS.items()
    for feed_class in (rss_class, atom_class)
}
# The feed about each kind of page subject.
SUBJECT_FEEDS = {Film: FilmFeed, Person: PersonFeed, Genre: GenreFeed}


def feed_links(subject=None) -> list[dict]:
    """The RSS and Atom feeds of a film, person or genre, or of the whole site: title, type and URL."""
    rss = SUBJECT_FEEDS[type(subject)]() if subject is not None else ReviewFeed()
    title = rss.title(subject)
    return [
        {"title": title, "type": "application/rss+xml", "url": rss.feed_url(subject)},
        {"title": f"{title} (Atom)", "type": "application/atom+xml", "url": ATOM_FEEDS[type(rss)]().feed_url(subject)},
    ]
