"""schema.org JSON-LD: what Google reads for review snippets on review, film and person pages, a
ProfilePage on an author's page, the WebSite with its search on the home page, and an ItemList of what
a list page shows.

Review snippets: https://developers.google.com/search/docs/appearance/structured-data/review-snippet
Profile pages: https://developers.google.com/search/docs/appearance/structured-data/profile-page
Everything here comes from rows the page has already loaded, so it costs no query of its own.
"""

from decimal import ROUND_HALF_UP, Decimal
from functools import singledispatch

from django.conf import settings
from django.core.paginator import Page
from django.urls import reverse
from django.utils.html import json_script
from django.utils.safestring import SafeString, mark_safe

from .models import AuthorProfile, Credit, Film, Person, Review, display_name
from .seo import absolute_url

BEST_RATING, WORST_RATING = 5, 0.5


def json_ld(data: dict) -> SafeString:
    """`data` in a <script type="application/ld+json"> element.

    json_script escapes <, > and & as \\u003C, \\u003E and \\u0026, so no title can close the
    element early; only the type differs from the element it writes.
    """
    return mark_safe(json_script(data).replace('type="application/json"', 'type="application/ld+json"', 1))


def _number(value) -> int | float:
    """4 for 4.0, 4.5 for 4.5, and an average to one decimal, as the page shows it."""
    value = Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return int(value) if value == value.to_integral_value() else float(value)


def _image(image) -> str | None:
    return absolute_url(image.url) if image else None


def _compact(data: dict) -> dict:
    """Leave out what is unknown rather than say null or nothing."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def _person(person: Person) -> dict:
    return {"@type": "Person", "name": person.name, "url": absolute_url(person.get_absolute_url())}


def _people(persons) -> list[dict]:
    seen = {}
    for person in persons:
        seen.setdefault(person.pk, _person(person))
    return list(seen.values())


def _author(user) -> dict:
    profile = getattr(user, "author_profile", None)  # selected with the review, or None
    return _compact(
        {
            "@type": "Person",
            "name": display_name(user),
            "url": absolute_url(profile.get_absolute_url()) if profile else None,
        }
    )


def _publisher() -> dict:
    return {"@type": "Organization", "name": settings.SITE_NAME, "url": absolute_url("/")}


def _movie(film: Film, *, cast, image=None) -> dict:
    return _compact(
        {
            "@type": "Movie",
            "name": film.title,
            "url": absolute_url(film.get_absolute_url()),
            "dateCreated": film.release_date.isoformat() if film.release_date else str(film.release_year or ""),
            "director": _people(film.directors()),
            "actor": _people(credit.person for credit in cast),
            "image": _image(film.poster) or image,
        }
    )


@singledispatch
def structured_data(obj, **page) -> dict:
    raise TypeError(f"No structured data for {type(obj).__name__}")


@structured_data.register
def _(review: Review, **page) -> dict:
    """A Review of a Movie: the cast is the one the page names (the top billed)."""
    hero = _image(review.hero_image)
    data = {
        "@context": "https://schema.org",
        "@type": "Review",
        "name": review.title,
        "headline": review.title,
        "description": review.standfirst,
        "url": absolute_url(review.get_absolute_url()),
        "image": hero,
        "datePublished": review.published_at.isoformat(),
        "dateModified": max(review.updated_at, review.published_at).isoformat(),
        "author": _author(review.author),
        "publisher": _publisher(),
        "itemReviewed": _movie(review.film, cast=review.film.main_cast(), image=hero) if review.film else None,
    }
    if review.film is None:  # a piece about no single film: an article, whatever its score
        data["@type"] = "Article"
        del data["itemReviewed"]
    elif review.rating is None:
        # Google requires reviewRating on a Review; without a score the page is an article about the film.
        data["@type"] = "Article"
        data["about"] = data.pop("itemReviewed")
    else:
        data["reviewRating"] = {
            "@type": "Rating",
            "ratingValue": _number(review.rating),
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
        }
    return _compact(data)


@structured_data.register
def _(film: Film, *, rating=None, rating_count=0, review_count=0, **page) -> dict:
    """A Movie with everything its page shows; with ratings, their average as an AggregateRating."""
    cast = [credit for credit in film.credits.all() if credit.job == Credit.Job.CAST]
    data = {
        "@context": "https://schema.org",
        **_movie(film, cast=cast),
        "description": film.synopsis,
        "datePublished": film.release_date.isoformat() if film.release_date else None,
        "duration": f"PT{film.runtime}M" if film.runtime else None,
        "genre": [genre.name for genre in film.genres.all()],
    }
    if rating is not None and rating_count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": _number(rating),
            "ratingCount": rating_count,
            "reviewCount": max(review_count, rating_count),
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
        }
    return _compact(data)


@structured_data.register
def _(person: Person, **page) -> dict:
    return _compact(
        {
            "@context": "https://schema.org",
            **_person(person),
            "description": person.bio,
            "image": _image(person.photo),
        }
    )


@structured_data.register
def _(profile: AuthorProfile, *, review_count=None, **page) -> dict:
    """A reviewer's page: a ProfilePage about them, with how many reviews they have published."""
    url = absolute_url(profile.get_absolute_url())
    person = {
        "@type": "Person",
        "name": profile.name,
        "url": url,
        "description": profile.bio,
        "image": _image(profile.photo),
    }
    if review_count is not None:
        person["agentInteractionStatistic"] = {
            "@type": "InteractionCounter",
            "interactionType": "https://schema.org/WriteAction",
            "userInteractionCount": review_count,
        }
    return {"@context": "https://schema.org", "@type": "ProfilePage", "url": url, "mainEntity": _compact(person)}


@structured_data.register
def _(page: Page, **extra) -> dict:
    """One page of a list (reviews, search results): an ItemList of the addresses it shows, numbered on
    from the pages before it. Nothing for an empty page."""
    first = page.start_index()  # the paginator has counted the list already, to number its pages
    items = [
        {"@type": "ListItem", "position": first + index, "url": absolute_url(obj.get_absolute_url())}
        for index, obj in enumerate(page)
    ]
    return {"@context": "https://schema.org", "@type": "ItemList", "itemListElement": items} if items else {}


def website() -> dict:
    """The site itself, and how to search it (the home page carries it)."""
    search = absolute_url(reverse("reviews:search"))
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings.SITE_NAME,
        "url": absolute_url("/"),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": f"{search}?q={{search_term_string}}"},
            "query-input": "required name=search_term_string",
        },
    }
