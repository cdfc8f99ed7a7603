"""Share cards drawn by the task worker and stored (reviews/share_cards.py), and pages pointing at them."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from reviews import jobs, share_cards
from reviews.models import Film, Review
from tests.factories import FilmFactory, ReviewFactory, UserFactory
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
    with committed():
        draft = ReviewFactory(status=Review.Status.DRAFT)
    draft.refresh_from_db()
    assert draft.share_card == "" and not default_storage.exists("cards")
    assert draft.share_card_due is None  # nothing queued, nothing for the chores
    with committed():
        Review.objects.filter(pk=draft.pk).move_to(Review.Status.PUBLISHED)  # the admin list's action
    assert share_cards.make_due() == 1  # the worker's next round of chores
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

    assert share_cards.make_due() == 1
    assert share_cards.make_due() == 0  # drawn once
    second = stored_card(head(client, review.get_absolute_url()))
    assert second != first and default_storage.exists(second)
    assert not default_storage.exists(first)


def test_a_card_the_storage_refuses_is_tried_again_later_not_every_round(media_root, committed, caplog):
    media_root.mkdir(parents=True, exist_ok=True)
    (media_root / "cards").write_text("a file where the cards' folder should be")  # every save there fails
    with committed():
        review = ReviewFactory()
    review.refresh_from_db()
    assert review.share_card == "" and review.share_card_attempts == 1
    assert review.share_card_due > timezone.now() + timedelta(seconds=50)  # the first retry, a minute on
    assert "Could not draw the share card" in caplog.text

    assert share_cards.make_due() == 0  # the next round of chores leaves it alone
    review.refresh_from_db()
    assert review.share_card_attempts == 1

    Review._base_manager.filter(pk=review.pk).update(share_card_due=timezone.now())  # its retry time came
    assert share_cards.make_due() == 0
    review.refresh_from_db()
    assert review.share_card_attempts == 2
    assert review.share_card_due > timezone.now() + timedelta(seconds=110)  # the second retry, two minutes on


def test_a_card_is_given_up_after_its_last_try(settings, media_root, committed, caplog):
    settings.SHARE_CARD_MAX_ATTEMPTS = 3
    media_root.mkdir(parents=True, exist_ok=True)
    (media_root / "cards").write_text("not a folder")
    with committed():
        review = ReviewFactory()
    for _ in range(2):
        Review._base_manager.filter(pk=review.pk).update(share_card_due=timezone.now())
        share_cards.make_due()
    review.refresh_from_db()
    assert review.share_card_attempts == 3 and review.share_card_due is None
    assert f"Gave up drawing the share card of review {review.pk} after 3 tries" in caplog.text
    assert share_cards.make_due() == 0


def test_the_chores_read_no_more_when_more_reviews_have_their_cards(committed, django_assert_max_num_queries):
    with committed():
        ReviewFactory.create_batch(30)
    assert Review.objects.filter(share_card="").count() == 0
    with django_assert_max_num_queries(1):
        assert share_cards.make_due() == 0


def test_of_a_task_and_the_chores_only_one_draws_the_card(django_capture_on_commit_callbacks, client):
    with django_capture_on_commit_callbacks() as callbacks:
        review = ReviewFactory()  # its task queued after the commit, not run yet
    review.refresh_from_db()
    due = review.share_card_due
    Review._base_manager.filter(pk=review.pk).update(share_card_due=timezone.now())  # the task was lost…
    assert share_cards.make_due() == 1  # …so the chores drew it
    assert share_cards.make_share_card.call(review.pk, due.isoformat()) == "taken"  # the task, late
    for callback in callbacks:  # the queued task itself, as the worker would run it
        callback()
    review.refresh_from_db()
    assert review.share_card_due is None and default_storage.exists(review.share_card)


def test_a_film_renamed_or_given_a_new_poster_makes_its_published_reviews_cards_due(committed):
    film = FilmFactory(title="Ballerina")
    with committed():
        published = ReviewFactory(film=film)
        other = ReviewFactory()
    draft = ReviewFactory(film=film, status=Review.Status.DRAFT)
    due = lambda review: Review.objects.values_list("share_card_due", flat=True).get(pk=review.pk)  # noqa: E731
    assert due(published) is None and due(other) is None

    film.synopsis = "A dancer with a gun."
    film.save()
    assert due(published) is None  # the card shows no synopsis

    film.title = "From the World of John Wick: Ballerina"
    film.save()
    assert due(published) <= timezone.now()
    assert due(other) is None and due(draft) is None
    assert share_cards.make_due() == 1

    Film.objects.filter(poster="").update(poster="posters/new.jpg", poster_alt="A dancer on a stage")
    assert due(published) <= timezone.now()


def test_an_author_renamed_makes_their_cards_due(committed):
    with committed():
        review = ReviewFactory()
    author = review.author
    author.first_name = "Ava"
    author.save()
    assert Review.objects.values_list("share_card_due", flat=True).get(pk=review.pk) <= timezone.now()
    assert share_cards.make_due() == 1


def test_the_old_png_addresses_of_cards_shared_before_redirect_for_good_to_the_jpeg_ones(client):
    review = ReviewFactory(slug="grief-with-a-gun")
    response = client.get("/reviews/grief-with-a-gun/share.png")
    assert response.status_code == 301
    assert response["Location"] == reverse("reviews:review_share_card", args=[review.slug])
    assert client.get(response["Location"])["Content-Type"] == "image/jpeg"

    response = client.get("/share.png")
    assert response.status_code == 301 and response["Location"] == reverse("reviews:site_share_card")
    assert client.get(response["Location"])["Content-Type"] == "image/jpeg"


def test_reviews_created_in_bulk_get_their_cards_from_the_chores():
    published, draft = ReviewFactory.build_batch(2, author=UserFactory(), film=FilmFactory())
    draft.status, published.slug, draft.slug = Review.Status.DRAFT, "in-bulk", "in-bulk-draft"
    Review.objects.bulk_create([published, draft])
    assert share_cards.make_due() == 1
    assert Review.objects.get(slug="in-bulk").share_card and not Review.objects.get(slug="in-bulk-draft").share_card


def test_a_save_while_a_worker_holds_the_card_queues_no_second_task_and_the_card_shows_the_save(committed):
    with committed():
        review = ReviewFactory(title="Grief with a gun")
    Review.objects.filter(pk=review.pk).update(title="Grief, with knives")  # its card is due now
    until = jobs.claim(Review._base_manager.filter(pk=review.pk), "share_card_due")  # a worker takes it…
    review.refresh_from_db()
    review.title = "Grief, with a pencil"  # …and an editor saves before it draws
    review.save()
    # Still the worker's claim: a second task would have moved it to its own.
    assert Review.objects.values_list("share_card_due", flat=True).get(pk=review.pk) == until
    assert share_cards.make(review.pk, until) == "made"
    review.refresh_from_db()
    assert review.share_card_due is None
    assert review.share_card == share_cards.name_for(Review.objects.for_list().get(pk=review.pk))
