"""Share cards: the og:image of a review without a hero image, and of pages with no picture of their own.

A review's card is drawn ahead by the task worker and stored (reviews/share_cards.py); pages point
here only until that card exists. Here it is drawn with Pillow when a link preview first asks, then
kept in the page cache under the review's change stamps, so an edit draws a new one.
"""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_safe

from . import artwork, share_cards
from .cache_keys import etag, key, pages

SECONDS = 7 * 24 * 3600


def _jpeg(request, kept_under: str, data: bytes) -> HttpResponse:
    """The card, current while its key is: no lifetime of its own, a link preview asks again and gets 304."""
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "public, no-cache"
    response["ETag"] = etag(kept_under)
    return get_conditional_response(request, etag=response["ETag"], response=response)


@require_safe
def review_card(request, slug):
    from .models import Review

    review = get_object_or_404(Review.objects.published().for_list(), slug=slug)
    kept_under = key("share:review", review.pk, review.updated_at, review.page_changed_at)
    data = pages.get(kept_under)
    if data is None:
        data = share_cards.draw(review)
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
