"""Share cards: the og:image of a review without a hero image, and of pages with no picture of their own.

Drawn with Pillow (reviews/artwork.py) when a link preview first asks, then kept in the page cache
under the review's change stamps, so an edit draws a new one and nobody waits twice.
"""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_safe
from PIL import Image

from . import artwork
from .page_cache import etag, key, pages
from .templatetags.reviews import rating_stars

SECONDS = 7 * 24 * 3600


def _jpeg(request, kept_under: str, data: bytes) -> HttpResponse:
    """The card, current while its key is: no lifetime of its own, a link preview asks again and gets 304."""
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "public, no-cache"
    response["ETag"] = etag(kept_under)
    return get_conditional_response(request, etag=response["ETag"], response=response)


@require_safe
def review_card(request, slug):
    from .models import Review, display_name

    review = get_object_or_404(Review.objects.published().for_list(), slug=slug)
    kept_under = key("share:review", review.pk, review.updated_at, review.page_changed_at)
    data = pages.get(kept_under)
    if data is None:
        film = review.film
        poster = None
        if film and film.poster:
            try:
                with film.poster.open("rb") as file:
                    poster = Image.open(file)
                    poster.load()
            except (OSError, ValueError):
                poster = None
        author = display_name(review.author)
        data = artwork.share_card(
            kicker="Review" if film else "Article",
            title=review.title,
            subtitle=f"{film.title} ({film.year_label})" if film else settings.SITE_NAME,
            rating=rating_stars(review.rating).get("rating"),
            byline=f"By {author}",
            poster=poster,
            site=settings.SITE_NAME,
        )
        pages.set(kept_under, data, SECONDS)
    return _jpeg(request, kept_under, data)


@require_safe
def site_card(request):
    kept_under = key("share:site")
    data = pages.get(kept_under)
    if data is None:
        data = artwork.share_card(
            kicker="Film reviews",
            title=settings.SITE_NAME,
            subtitle="Long-form reviews, aspect by aspect",
            byline="New releases and old favourites, scored honestly",
            site=settings.SITE_NAME,
        )
        pages.set(kept_under, data, SECONDS)
    return _jpeg(request, kept_under, data)
