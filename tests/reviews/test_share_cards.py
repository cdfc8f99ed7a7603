"""Share cards drawn by the task worker and stored (reviews/share_cards.py), and pages pointing at them."""

import io
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from reviews import share_cards
from reviews.models import Review
from tests.factories import FilmFactory, ReviewFactory
from tests.reviews.test_seo import SITE, head

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` the change commits, and the card task it queued runs (the immediate backend)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def stored_card(page) -> str:
    """The storage name of the card a page's og:image points at (MEDIA_URL is /media/)."""
    prefix = f"{SITE}/media/"
    assert page["og:image"].startswith(prefix), page["og:image"]
    return page["og:image"].removeprefix(prefix)


def test_a_published_review_is_shared_with_a_small_jpeg_card_the_worker_stored(client, committed):
    with committed():
        review = ReviewFactory(film=FilmFactory(title="Ballerina"), rating=Decimal("3.5"), title="Grief with a gun")
    page = head(client, review.get_absolute_url())
    name = stored_card(page)
    assert name.startswith(f"cards/review-{review.pk}-") and name.endswith(".jpg")
    assert page["og:image:type"] == "image/jpeg"
    assert page["og:image:width"] == "1200" and page["og:image:height"] == "630"
    with default_storage.open(name, "rb") as file:
        data = file.read()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.size == (1200, 630)
    assert len(data) < 150_000  # the PNG drawn on request was ~480 KB


def test_a_new_title_gets_a_new_card_and_the_old_one_is_deleted(client, committed):
    with committed():
        review = ReviewFactory(title="Grief with a gun")
    first = stored_card(head(client, review.get_absolute_url()))
    review.title = "Grief, with knives"
    with committed():
        review.save()
    second = stored_card(head(client, review.get_absolute_url()))
    assert second != first and second.startswith(f"cards/review-{review.pk}-")
    assert default_storage.exists(second)
    assert not default_storage.exists(first)


def test_a_draft_gets_no_card_and_publishing_it_does(client, committed):
    with committed() as callbacks:
        draft = ReviewFactory(status=Review.Status.DRAFT)
    draft.refresh_from_db()
    assert draft.share_card == "" and not default_storage.exists("cards")
    assert not any("make_share_card" in repr(callback) for callback in callbacks)
    with committed():
        Review.objects.filter(pk=draft.pk).move_to(Review.Status.PUBLISHED)
    draft.refresh_from_db()
    assert stored_card(head(client, draft.get_absolute_url())) == draft.share_card


def test_until_the_card_is_stored_the_page_points_at_the_card_drawn_on_request(client):
    review = ReviewFactory()  # saved, its transaction not committed: the task has not run
    page = head(client, review.get_absolute_url())
    card = reverse("reviews:review_share_card", args=[review.slug])
    assert page["og:image"] == f"{SITE}{card}"
    response = client.get(card)
    assert response["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(response.content)).format == "JPEG"


def test_a_stored_card_that_no_longer_shows_the_review_is_not_offered(client, committed):
    """A change no task followed (an update(), a film's new poster): the page points at the drawn card."""
    with committed():
        review = ReviewFactory()
    Review.objects.filter(pk=review.pk).update(title="Retitled without a save")
    page = head(client, review.get_absolute_url())
    assert page["og:image"] == f"{SITE}{reverse('reviews:review_share_card', args=[review.slug])}"


def test_deleting_a_review_deletes_its_card(committed):
    with committed():
        review = ReviewFactory()
    review.refresh_from_db()
    name = review.share_card
    assert default_storage.exists(name)
    with committed():
        review.delete()
    assert not default_storage.exists(name)


def test_the_worker_draws_the_card_of_a_review_whose_film_was_renamed(client, committed):
    with committed():
        review = ReviewFactory(film=FilmFactory(title="Ballerina"))
    first = stored_card(head(client, review.get_absolute_url()))
    film = review.film
    film.title = "From the World of John Wick: Ballerina"
    film.save()
    page = head(client, review.get_absolute_url())
    assert page["og:image"] == f"{SITE}{reverse('reviews:review_share_card', args=[review.slug])}"

    assert share_cards.make_missing() == 1
    assert share_cards.make_missing() == 0  # drawn once
    second = stored_card(head(client, review.get_absolute_url()))
    assert second != first and default_storage.exists(second)
    assert not default_storage.exists(first)
