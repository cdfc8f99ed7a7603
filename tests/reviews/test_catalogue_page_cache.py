"""Film and person pages in the page cache (reviewblog/page_cache.py): shared by anonymous readers, and
current for the next reader after any change to what they show, whichever way the change was made
(a save, a delete, a QuerySet.update() or delete(), bulk_create, a many-to-many change)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comments import moderation
from comments.models import Comment
from reviews.models import Credit, Film, Franchise, Genre, Person, Review, film_page_state, person_page_state
from tests.factories import (
    CommentFactory,
    CreditFactory,
    FilmFactory,
    FranchiseFactory,
    GenreFactory,
    PersonFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def credit():
    film = FilmFactory(title="Ballerina", release_year=2025, franchise=FranchiseFactory(name="John Wick"))
    film.genres.add(GenreFactory(name="Action"))
    return CreditFactory(film=film, person=PersonFactory(name="Ana de Armas"), character="Eve Macarro")


@pytest.fixture
def film(credit):
    return credit.film


@pytest.fixture
def person(credit):
    return credit.person


def read(obj) -> str:
    response = Client().get(obj.get_absolute_url())  # a new reader each time: no cookies
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def test_the_next_anonymous_reader_gets_the_same_copy_for_one_query(film, person, django_assert_num_queries):
    for page in (film, person):
        first = read(page)
        with django_assert_num_queries(1):
            again = Client().get(page.get_absolute_url())
        assert again.content.decode().replace("&#x27;", "'") == first
        assert "Cookie" in again["Vary"]


def test_a_reader_with_a_session_is_never_served_the_shared_copy(film, admin_client, django_assert_max_num_queries):
    read(film)
    with django_assert_max_num_queries(12) as queries:
        admin_client.get(film.get_absolute_url())
    assert len(queries) > 1  # rendered for them


def test_a_missing_film_or_person_is_a_404_and_not_kept(db):
    assert Client().get("/films/no-such-film/").status_code == 404
    assert film_page_state("no-such-film") is None and person_page_state("no-such-person") is None


def test_an_edited_film_shows_on_its_page_and_its_people_pages(film, person):
    assert "Ballerina" in read(film) and "Ballerina" in read(person)
    film.title, film.synopsis = "From the World of John Wick: Ballerina", "Eve trains."
    film.save()
    assert "Eve trains." in read(film)
    assert "From the World of John Wick: Ballerina" in read(person)


def test_credits_added_changed_and_deleted_show_at_once(film, person, credit):
    other = PersonFactory(name="Keanu Reeves")
    read(film), read(other)
    added = Credit.objects.create(film=film, person=other, character="John Wick")
    assert "Keanu Reeves" in read(film) and "Ballerina" in read(other)

    credit.character = "Eve"
    credit.save()
    assert "Eve Macarro" not in read(film) and "Eve Macarro" not in read(person)

    added.person = person  # moved to another person: both people's pages change
    added.save()
    assert "Ballerina" not in read(other) and "John Wick" in read(person)

    added.delete()
    assert "John Wick</" not in read(person)


def test_a_renamed_person_shows_on_their_films(film, person):
    assert "Ana de Armas" in read(film)
    person.name, person.bio = "Ana Celia de Armas", "Cuban-Spanish actor."
    person.save()
    assert "Ana Celia de Armas" in read(film)
    assert "Cuban-Spanish actor." in read(person)


def test_genres_renamed_added_and_removed_show_at_once(film):
    assert "Action" in read(film)
    genre = Genre.objects.get(name="Action")
    genre.name = "Gun fu"
    genre.save()
    assert "Gun fu" in read(film)
    film.genres.add(GenreFactory(name="Neo-noir"))  # as the admin sets them, after saving the film
    assert "Neo-noir" in read(film)
    film.genres.remove(genre)
    assert "Gun fu" not in read(film)
    GenreFactory(name="Thriller").films.add(film)  # from the genre's side
    assert "Thriller" in read(film)
    film.genres.clear()
    assert "Thriller" not in read(film) and "Neo-noir" not in read(film)


def test_a_renamed_or_deleted_franchise_shows_at_once(film):
    sibling = FilmFactory(title="John Wick", release_year=2014, franchise=film.franchise)
    assert "John Wick" in read(sibling)
    franchise = Franchise.objects.get(pk=film.franchise_id)
    franchise.name = "Wick-verse"
    franchise.save()
    assert "Wick-verse" in read(film)
    franchise.delete()
    assert "Wick-verse" not in read(film)


def test_reviews_published_edited_and_unpublished_show_on_the_film_page(film):
    review = ReviewFactory(film=film, title="Grief with a gun", status=Review.Status.DRAFT)
    assert "Grief with a gun" not in read(film)
    Review.objects.filter(pk=review.pk).move_to(Review.Status.PUBLISHED)  # the admin's "Publish" action
    assert "Grief with a gun" in read(film)
    review = fresh(review)
    review.title = "Grief, with knives"
    review.save()
    assert "Grief, with knives" in read(film)
    Review.objects.filter(pk=review.pk).move_to(Review.Status.DRAFT)
    assert "Grief, with knives" not in read(film)


def test_a_review_of_a_sibling_film_changes_the_franchise_counts(film):
    sibling = FilmFactory(title="John Wick", release_year=2014, franchise=film.franchise)
    before = read(film)
    ReviewFactory(film=sibling)  # film has no reviews of its own: only its stamp can say so
    assert read(film) != before


def test_reviews_that_mention_a_film_or_person_show_on_their_pages(film, person):
    read(film), read(person)
    review = ReviewFactory(title="Dancing with death", body="Better than [[Ballerina]], with [[Ana de Armas]].")
    assert "Dancing with death" in read(film) and "Dancing with death" in read(person)
    review.body = "No mentions now."
    review.save()
    assert "Dancing with death" not in read(film) and "Dancing with death" not in read(person)


def test_a_scheduled_review_appears_when_its_time_comes(film):
    scheduled = ReviewFactory(film=film, title="Tomorrow's verdict", published_at=timezone.now() + timedelta(hours=1))
    assert "Tomorrow's verdict" not in read(film)
    Review.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert "Tomorrow's verdict" in read(film)


def test_comments_and_author_renames_move_the_film_page(film):
    review = ReviewFactory(film=film)
    comment = CommentFactory(review=review, status=Comment.Status.PENDING)
    state = film_page_state(film.slug)
    moderation.approve(comment)  # review cards may count comments
    assert film_page_state(film.slug) != state
    state = film_page_state(film.slug)
    review.author.first_name = "Renamed"
    review.author.save()
    assert film_page_state(film.slug) != state
    assert "Renamed" in read(film)


def test_deleting_a_review_or_person_shows_at_once(film, person):
    review = ReviewFactory(film=film, title="Grief with a gun")
    assert "Grief with a gun" in read(film)
    review.delete()
    assert "Grief with a gun" not in read(film)
    person.delete()
    assert "Ana de Armas" not in read(film)


# QuerySet.update(), delete() and bulk_create() skip save() and delete(): they cannot leave a stale page.


def test_queryset_updates_of_films_people_credits_and_genres_show_at_once(film, person):
    read(film), read(person)
    Film.objects.filter(pk=film.pk).update(title="Renamed by update")
    assert "Renamed by update" in read(person) and "Renamed by update" in read(film)
    Person.objects.filter(pk=person.pk).update(name="Updated Name")
    assert "Updated Name" in read(film)
    Credit.objects.filter(film=film).update(character="Updated Role")
    assert "Updated Role" in read(film) and "Updated Role" in read(person)
    Genre.objects.filter(films=film).update(name="Updated Genre")
    assert "Updated Genre" in read(film)
    Franchise.objects.filter(pk=film.franchise_id).update(name="Updated Saga")
    assert "Updated Saga" in read(film)


def test_a_queryset_update_of_a_review_shows_on_every_page_that_lists_it(film):
    review = ReviewFactory(film=film, title="Before update")
    read(film), read(review)
    Review.objects.filter(pk=review.pk).update(title="After update")  # no stamp named: it moves anyway
    assert "After update" in read(film) and "After update" in read(review)
    Review.objects.filter(pk=review.pk).update(status=Review.Status.DRAFT)
    assert "After update" not in read(film)


def test_queryset_deletes_and_bulk_creates_show_at_once(film, person):
    read(film), read(person)
    Credit.objects.filter(film=film).delete()
    assert "Ana de Armas" not in read(film) and "Ballerina" not in read(person)
    Credit.objects.bulk_create([Credit(film=film, person=person, character="Back again")])
    assert "Back again" in read(film) and "Back again" in read(person)
    Person.objects.filter(pk=person.pk).delete()
    assert "Ana de Armas" not in read(film)
