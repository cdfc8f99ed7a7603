"""Share cards: the og:image of a review without a hero image, and of pages with no picture of their own.

Drawn with Pillow (reviews/artwork.py) when a link preview first asks, then kept in the page cache
under the review's change stamps, so an edit draws a new one and nobody waits twice.
"""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe
from PIL import Image

from . import artwork
from .page_cache import code_version, pages
from .templatetags.reviews import rating_stars

SECONDS = 7 * 24 * 3600


def _png(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def review_card(request, slug):
    from .models import Review, display_name

    review = get_object_or_404(Review.objects.published().for_list(), slug=slug)
    stamps = [review.updated_at, review.page_changed_at]
    key = f"share:review:{code_version()}:{review.pk}:" + ":".join(str(s.timestamp()) if s else "-" for s in stamps)
    data = pages.get(key)
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
        pages.set(key, data, SECONDS)
    return _png(data)


@require_safe
def site_card(request):
    key = f"share:site:{code_version()}"
    data = pages.get(key)
    if data is None:
        data = artwork.share_card(
            kicker="Film reviews",
            title=settings.SITE_NAME,
            subtitle="Long-form reviews, aspect by aspect",
            byline="New releases and old favourites, scored honestly",
            site=settings.SITE_NAME,
        )
        pages.set(key, data, SECONDS)
    return _png(data)
