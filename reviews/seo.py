"""What search engines and link previews read about a page: absolute URLs, meta description, canonical
URL, OpenGraph and Twitter card tags, and robots.txt.

`page_meta(obj)` describes the page of a review, film, person, genre, franchise, author or simple page; the
`{% meta_tags %}` tag (templatetags/seo.py) writes it into <head>.
"""

import html
from dataclasses import dataclass, field
from functools import singledispatch
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.db.models.fields.files import ImageFieldFile
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape, strip_tags
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from . import share_cards
from .models import AuthorProfile, Film, Franchise, Genre, Person, Review

DESCRIPTION_CHARS = 160  # what search results show of a description


def absolute_url(url: str) -> str:
    """`url` as a full address on the public site (SITE_URL); full addresses are kept as they are."""
    return urljoin(settings.SITE_URL + "/", url)


def summary(text: str) -> str:
    """One line of at most DESCRIPTION_CHARS characters, cut at a word."""
    return Truncator(" ".join(text.split())).chars(DESCRIPTION_CHARS)


@dataclass
class PageMeta:
    title: str
    description: str = ""
    url: str = ""  # the canonical path; empty: the requested path
    type: str = "website"  # og:type
    image: ImageFieldFile | None = None
    image_url: str = ""  # a share card (reviews/share_cards.py, views_share.py) when there is no uploaded image
    image_type: str = ""  # og:image:type, where known without opening the file
    image_alt: str = ""
    image_size: tuple[int | None, int | None] = (None, None)
    properties: list[tuple[str, str]] = field(default_factory=list)  # more OpenGraph properties
    noindex: bool = False


SHARE_CARD_SIZE = (1200, 630)


def _share_card(url: str, alt: str) -> dict:
    return {"image_url": url, "image_alt": alt, "image_size": SHARE_CARD_SIZE, "image_type": "image/jpeg"}


def site_card() -> dict:
    """The og:image of a page with no picture of its own (the home page, a genre, a person without a photo)."""
    return _share_card(reverse("reviews:site_share_card"), f"{settings.SITE_NAME}: film reviews, aspect by aspect.")


def _image(image, alt, width, height) -> dict:
    """The image fields of PageMeta; the stored dimensions spare opening the file."""
    return {"image": image, "image_alt": alt, "image_size": (width, height)} if image else {}


@singledispatch
def page_meta(obj) -> PageMeta:
    raise TypeError(f"No page metadata for {type(obj).__name__}")


@page_meta.register
def _(review: Review) -> PageMeta:
    film = review.film
    properties = [
        ("article:published_time", review.published_at.isoformat()),
        ("article:modified_time", review.updated_at.isoformat()),
        *(("article:tag", genre.name) for genre in (film.genres.all() if film else ())),
    ]
    return PageMeta(
        title=review.title,
        description=summary(review.standfirst),
        url=review.get_absolute_url(),
        type="article",
        # The hero image, or else a card of the title, the film, its poster and the stars: the one the
        # worker stored, or while there is none for what the review shows now, one drawn on request.
        **(
            _image(review.hero_image, review.hero_alt, review.hero_width, review.hero_height)
            or _share_card(
                share_cards.stored_url(review) or reverse("reviews:review_share_card", args=[review.slug]),
                (
                    f"{review.title}: a review of {film} on {settings.SITE_NAME}"
                    if film
                    else f"{review.title}, on {settings.SITE_NAME}"
                )
                + (f", rated {review.rating.normalize():f} out of 5." if review.rating is not None else "."),
            )
        ),
        properties=properties,
        noindex=not review.is_public,  # a staff preview of a draft or a scheduled review
    )


@page_meta.register
def _(film: Film) -> PageMeta:
    properties = [("video:release_date", film.release_date.isoformat())] if film.release_date else []
    if film.runtime:
        properties.append(("video:duration", str(film.runtime * 60)))
    return PageMeta(
        title=str(film),
        description=summary(film.synopsis),
        url=film.get_absolute_url(),
        type="video.movie",
        **(_image(film.poster, film.poster_alt, film.poster_width, film.poster_height) or site_card()),
        properties=properties,
    )


@page_meta.register(Person)
@page_meta.register(AuthorProfile)
def _(someone) -> PageMeta:
    """A person in the films, or a reviewer: both have a name, a short bio and a portrait."""
    return PageMeta(
        title=someone.name,
        description=summary(someone.bio),
        url=someone.get_absolute_url(),
        type="profile",
        **(_image(someone.photo, someone.photo_alt, someone.photo_width, someone.photo_height) or site_card()),
    )


@page_meta.register
def _(genre: Genre) -> PageMeta:
    return PageMeta(
        title=f"{genre.name} film reviews",
        description=f"Reviews of {genre.name.lower()} films on {settings.SITE_NAME}.",
        url=genre.get_absolute_url(),
        **site_card(),
    )


@page_meta.register
def _(franchise: Franchise) -> PageMeta:
    return PageMeta(
        title=f"From the World of {franchise.name}",
        description=summary(franchise.description or f"Reviews of the {franchise.name} films."),
        url=franchise.get_absolute_url(),
        **site_card(),
    )


@page_meta.register
def _(page: FlatPage) -> PageMeta:
    """A simple page (About, Contact). Its title comes marked safe from flatpages' view: escaped here."""
    return PageMeta(
        title=escape(page.title),
        description=summary(html.unescape(strip_tags(page.content))),
        url=page.get_absolute_url(),
        **site_card(),
        noindex=page.registration_required,
    )


@require_safe
def robots_txt(request):
    sitemap = absolute_url(reverse("sitemap"))
    return render(request, "robots.txt", {"sitemap": sitemap}, content_type="text/plain; charset=utf-8")
