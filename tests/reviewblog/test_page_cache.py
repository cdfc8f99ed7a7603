"""The page cache (reviewblog/page_cache.py): anonymous readers share one rendered copy, and the next reader
after any change sees the change at once."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import moderation
from comments.models import Comment
from reviewblog import page_cache
from reviews.models import Film, Genre, Person, Review, public_page_state
from tests.factories import CommentFactory, ReviewFactory

pytestmark = pytest.mark.django_db
HOME = "/"


@pytest.fixture
def review():
    return ReviewFactory(title="Grief with a gun", body="Eve learns to fight.", film__title="Ballerina")


def read(url, client=None) -> str:
    response = (client or Client()).get(url)  # a new reader each time: no cookies
    assert response.status_code == 200
    return response.content.decode()


def test_the_next_anonymous_reader_gets_the_same_copy_for_one_query(review, django_assert_num_queries):
    first = read(review.get_absolute_url())
    with django_assert_num_queries(1):
        again = Client().get(review.get_absolute_url())
    assert again.content.decode() == first
    # Served before the rest of the site runs, it still carries the headers the rendered page had.
    assert again["X-Frame-Options"] == "DENY"
    assert "Cookie" in again["Vary"]
    assert "private" in again["Cache-Control"]
    assert "csrftoken" not in again.cookies  # nobody's token is baked into the shared copy


def test_an_approved_comment_shows_to_the_next_reader(review):
    comment = CommentFactory(review=review, status=Comment.Status.PENDING, body="The staircase fight!")
    assert "The staircase fight!" not in read(review.get_absolute_url())
    moderation.approve(comment)
    assert "The staircase fight!" in read(review.get_absolute_url())


@pytest.mark.parametrize("decision", [moderation.mark_spam, moderation.trash, moderation.unapprove])
def test_a_comment_a_moderator_takes_down_leaves_the_page_at_once(review, decision):
    comment = CommentFactory(review=review, status=Comment.Status.PENDING, body="Cheap pills here")
    moderation.approve(comment)
    assert "Cheap pills here" in read(review.get_absolute_url())
    decision(Comment.objects.get(pk=comment.pk))
    assert "Cheap pills here" not in read(review.get_absolute_url())


def test_an_edited_review_shows_to_the_next_reader(review):
    assert "Eve learns to fight." in read(review.get_absolute_url())
    assert "Grief with a gun" in read(HOME)
    review.title = "Grief, with knives"
    review.body = "Eve learns to fight, and to grieve."
    review.save()
    page = read(review.get_absolute_url())
    assert "Eve learns to fight, and to grieve." in page and "Grief, with knives" in page
    assert "Grief, with knives" in read(HOME)


def test_a_renamed_film_shows_on_its_reviews_at_once(review):
    assert "Ballerina" in read(review.get_absolute_url())
    film = review.film
    film.title = "From the World of John Wick: Ballerina"
    film.save()
    assert "From the World of John Wick: Ballerina" in read(review.get_absolute_url())


def test_publishing_shows_the_review_at_once_and_unpublishing_hides_it(review):
    draft = ReviewFactory(title="A draft about stunts", status=Review.Status.DRAFT)
    assert "A draft about stunts" not in read(HOME)
    assert Client().get(draft.get_absolute_url()).status_code == 404

    Review.objects.filter(pk=draft.pk).move_to(Review.Status.PUBLISHED)  # the admin's "Publish" action
    assert "A draft about stunts" in read(HOME)
    assert "A draft about stunts" in read(draft.get_absolute_url())

    Review.objects.filter(pk=draft.pk).move_to(Review.Status.DRAFT)
    assert "A draft about stunts" not in read(HOME)
    assert Client().get(draft.get_absolute_url()).status_code == 404


def test_a_scheduled_review_appears_when_its_time_comes(review):
    soon = timezone.now() + timedelta(hours=1)
    scheduled = ReviewFactory(title="Tomorrow's verdict", published_at=soon)
    assert "Tomorrow's verdict" not in read(HOME).replace("&#x27;", "'")
    # Time passes (nothing is saved when a schedule comes due).
    Review.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert "Tomorrow's verdict" in read(HOME).replace("&#x27;", "'")


def test_made_up_query_strings_render_without_filling_the_cache(review, django_assert_max_num_queries):
    read(review.get_absolute_url())
    with django_assert_max_num_queries(7):  # rendered, not served from the cache…
        page = read(review.get_absolute_url() + "?utm_source=newsletter")
    assert "Grief with a gun" in page
    with django_assert_max_num_queries(7):  # …and not kept either
        read(review.get_absolute_url() + "?utm_source=newsletter")


def test_the_cache_can_be_turned_off(review, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 0
    read(review.get_absolute_url())
    with django_assert_num_queries(7):
        read(review.get_absolute_url())


def test_deleting_what_a_page_shows_shows_at_once(review, admin_client):
    genre = Genre.objects.create(name="Neo-noir")
    review.film.genres.add(genre)
    person = Person.objects.create(name="Anjelica Huston")
    review.film.credits.create(person=person, job="cast", character="The Director")
    page = read(review.get_absolute_url())
    assert "Neo-noir" in page and "Anjelica Huston" in page

    admin_client.post(reverse("admin:reviews_genre_delete", args=[genre.pk]), {"post": "yes"})
    assert "Neo-noir" not in read(review.get_absolute_url())
    admin_client.post(
        reverse("admin:reviews_person_changelist"),
        {"action": "delete_selected", "_selected_action": [person.pk], "post": "yes"},
    )
    assert "Anjelica Huston" not in read(review.get_absolute_url())


# --- Stamps the shared cache vouches for (settings.PAGE_STAMPS_SHARED, on with Redis) ---


@pytest.fixture
def shared_stamps(settings):
    settings.PAGE_STAMPS_SHARED = True
    page_cache.pages.delete(page_cache.GENERATION)
    return settings


def test_with_a_shared_cache_a_warm_hit_reads_no_stamp_from_the_database(
    shared_stamps, review, django_assert_num_queries
):
    first = read(review.get_absolute_url())
    read(review.get_absolute_url())  # this process now remembers the page's stamps
    with django_assert_num_queries(0):
        assert read(review.get_absolute_url()) == first


def test_with_a_shared_cache_every_change_still_shows_at_once(shared_stamps, review):
    comment = CommentFactory(review=review, status=Comment.Status.PENDING, body="The staircase fight!")
    read(review.get_absolute_url())
    assert "The staircase fight!" not in read(review.get_absolute_url())
    moderation.approve(comment)
    assert "The staircase fight!" in read(review.get_absolute_url())
    Film.objects.filter(pk=review.film_id).update(title="From the World of John Wick: Ballerina")
    assert "From the World of John Wick: Ballerina" in read(review.get_absolute_url())
    assert "From the World of John Wick: Ballerina" in read(HOME)


def test_a_reader_who_read_the_stamps_before_a_change_committed_never_keeps_them(
    shared_stamps, review, django_capture_on_commit_callbacks
):
    """The bad order: a reader reads the old stamps from the database, a writer commits a change (and
    moves the generation after commit), and only then does the reader remember what it read."""
    url = review.get_absolute_url()
    read(url)
    generation = page_cache.pages.get(page_cache.GENERATION)  # the reader: the generation first…
    old = public_page_state(review.slug)  # …then the database, before the writer commits
    with django_capture_on_commit_callbacks(execute=True):
        review.title = "Grief, with knives"
        review.save()
    asked = (public_page_state, (), (("slug", review.slug),))
    page_cache.remember(generation, asked, old)  # the reader, late, files the old stamps
    assert "Grief, with knives" in read(url)


def test_when_the_shared_cache_loses_the_stamps_the_database_answers(shared_stamps, review):
    read(review.get_absolute_url())
    read(review.get_absolute_url())
    page_cache.pages.clear()  # evicted, or Redis restarted
    Review.objects.filter(pk=review.pk).update(title="Grief, with knives")
    page_cache.pages.clear()  # also the new generation that change wrote
    assert "Grief, with knives" in read(review.get_absolute_url())


def test_with_a_shared_cache_a_scheduled_review_still_appears_when_its_time_comes(shared_stamps, review):
    soon = timezone.now() + timedelta(seconds=2)
    ReviewFactory(title="Just in time", published_at=soon)
    read(HOME)
    page = read(HOME)  # remembered, until the next review goes live
    if timezone.now() < soon:  # (a slow machine may already be past it)
        assert "Just in time" not in page
    while timezone.now() <= soon:  # time passes; nothing is saved
        time.sleep(0.05)
    assert "Just in time" in read(HOME)
