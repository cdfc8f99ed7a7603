"""Every public page is shared from the page cache, and the next anonymous reader after any change sees it,
whichever way the change was made: a save, a QuerySet.update(), delete() or bulk_create(), a many-to-many
change, the admin, a comment approved, a scheduled review going live."""

from datetime import timedelta

import pytest
from django.contrib.admin.utils import quote
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import moderation
from comments.models import Comment
from reviews.models import AuthorProfile, Credit, Film, Genre, Review, lists_page_state, public_page_state, state_times
from tests.browser_form import browser_form
from tests.factories import (
    CommentFactory,
    CreditFactory,
    FilmFactory,
    FranchiseFactory,
    GenreFactory,
    PersonFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.now() - timedelta(days=1)


@pytest.fixture(autouse=True, params=["stamps read from the database", "stamps vouched for by the shared cache"])
def stamps(request, settings):
    """Each test twice: as on SQLite (every hit reads its stamp), and as with Redis (a hit reads the
    generation of stamps, reviewblog/page_cache.py current_state)."""
    settings.PAGE_STAMPS_SHARED = "shared" in request.param


@pytest.fixture
def site():
    """A review of a film in a franchise and a genre, by an author, mentioning an actor of the film."""
    franchise = FranchiseFactory(name="John Wick")
    genre = GenreFactory(name="Action")
    film = FilmFactory(title="Ballerina", release_year=2025, franchise=franchise)
    film.genres.add(genre)
    CreditFactory(film=film, person=PersonFactory(name="Ana de Armas"))
    author = UserFactory(first_name="Dana", last_name="Critic", group="Authors")
    review = ReviewFactory(
        film=film, author=author, title="Grief with a gun", body="With [[Ana de Armas]].", published_at=YESTERDAY
    )
    return review


def pages(review) -> dict[str, str]:
    film, profile = review.film, AuthorProfile.objects.get(user=review.author)
    person = film.credits.get().person
    published = timezone.localtime(review.published_at)
    return {
        "home": "/",
        "review": review.get_absolute_url(),
        "film": film.get_absolute_url(),
        "person": person.get_absolute_url(),
        "author": profile.get_absolute_url(),
        "genre": film.genres.get().get_absolute_url(),
        "franchise": film.franchise.get_absolute_url(),
        "archive": reverse("reviews:archive"),
        "month": reverse("reviews:archive_month", args=[published.year, published.month]),
        "search": reverse("reviews:search"),
        "feed": reverse("reviews:feed"),
        "film feed": reverse("reviews:film_feed", args=[film.slug]),
        "person feed": reverse("reviews:person_feed", args=[person.slug]),
        "genre feed": reverse("reviews:genre_feed", args=[film.genres.get().slug]),
    }


# The pages that list a review, and so show its title.
LISTING = ["home", "film", "person", "author", "genre", "franchise", "month", "feed", "film feed", "genre feed"]


def read(url) -> tuple[int, str]:
    response = Client().get(url)  # a new anonymous reader each time
    return response.status_code, response.content.decode().replace("&#x27;", "'")


def text(url) -> str:
    status, content = read(url)
    assert status == 200, url
    return content


def prime(urls) -> None:
    """Every page rendered and kept, as after a while of readers."""
    for url in urls:
        text(url)


def test_every_public_page_is_shared_for_one_query_or_none_with_a_shared_cache(
    site, settings, django_assert_num_queries
):
    for name, url in pages(site).items():
        first = text(url)
        with django_assert_num_queries(0 if settings.PAGE_STAMPS_SHARED else 1):
            again = Client().get(url)
        assert again.status_code == 200 and again.content.decode().replace("&#x27;", "'") == first, name


def test_every_shared_page_answers_a_current_copy_with_304(site):
    for name, url in pages(site).items():
        copy = Client().get(url)
        assert Client().get(url, headers={"if-none-match": copy["ETag"]}).status_code == 304, name


def as_admin(admin_client, obj, **changes) -> None:
    """Change `obj` in the admin as a browser would: its form as it stands, with these fields changed."""
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])
    response = admin_client.post(url, {**browser_form(admin_client.get(url).content.decode()), **changes})
    assert response.status_code == 302, response.content.decode()[:2000]


# --- A review's title, wherever it is changed from, on every page that lists it ---


def edit_with_save(review, admin_client):
    review.title = "Grief, with knives"
    review.save()


def edit_with_update(review, admin_client):
    Review.objects.filter(pk=review.pk).update(title="Grief, with knives")


def edit_in_the_admin(review, admin_client):
    as_admin(admin_client, review, title="Grief, with knives")


@pytest.mark.parametrize("edit", [edit_with_save, edit_with_update, edit_in_the_admin])
def test_a_retitled_review_shows_on_every_page_listing_it(site, admin_client, edit):
    urls = pages(site)
    prime(urls.values())
    edit(site, admin_client)
    for name in [*LISTING, "review"]:
        assert "Grief, with knives" in text(urls[name]), name


def test_a_review_added_with_bulk_create_joins_every_list(site):
    urls = pages(site)
    prime(urls.values())
    Review.objects.bulk_create(
        [
            Review(
                film=site.film,
                author=site.author,
                title="Bulk review",
                slug="bulk",
                published_at=YESTERDAY,
                status="published",
            )
        ]
    )
    for name in LISTING:
        if name != "person":  # it mentions nobody
            assert "Bulk review" in text(urls[name]), name


@pytest.mark.parametrize("how", ["move_to", "update", "delete", "queryset delete"])
def test_a_review_taken_down_leaves_every_list(site, how):
    urls = pages(site)
    ReviewFactory(film=site.film, author=site.author, title="Keeps the pages up", body="[[Ana de Armas]]")
    prime(urls.values())
    if how == "move_to":
        Review.objects.filter(pk=site.pk).move_to(Review.Status.DRAFT)
    elif how == "update":
        Review.objects.filter(pk=site.pk).update(status=Review.Status.DRAFT)
    elif how == "delete":
        site.delete()
    else:
        Review.objects.filter(pk=site.pk).delete()
    assert read(urls["review"])[0] == 404
    for name in LISTING:
        assert "Grief with a gun" not in text(urls[name]), name


def test_a_scheduled_review_going_live_joins_every_list_without_a_save(site, settings):
    if settings.PAGE_STAMPS_SHARED:  # remembered stamps trust the clock, which this test does not move
        pytest.skip("rewrites the date instead of waiting; test_page_cache.py waits for one with shared stamps")
    urls = pages(site)
    scheduled = ReviewFactory(
        film=site.film, author=site.author, title="Tomorrow's review", published_at=timezone.now() + timedelta(days=1)
    )
    prime(urls.values())
    assert "Tomorrow's review" not in text(urls["home"])
    # Time passes: nothing is saved (the plain QuerySet.update moves no stamp), the date is behind us now.
    models.QuerySet.update(Review.objects.filter(pk=scheduled.pk), published_at=timezone.now() - timedelta(seconds=1))
    for name in LISTING:
        if name not in ("person", "month"):  # it mentions nobody; it went live in another month, maybe
            assert "Tomorrow's review" in text(urls[name]), name
    assert read(scheduled.get_absolute_url())[0] == 200


def test_an_approved_comment_shows_in_the_count_on_every_card(site):
    urls = pages(site)
    comment = CommentFactory(review=site, status=Comment.Status.PENDING)
    prime(urls.values())
    moderation.approve(comment)
    for name in ["home", "author", "genre", "franchise", "month"]:
        assert "1 comment" in text(urls[name]), name


# --- What the lists show about a review: its author, film, genre, franchise, people ---


@pytest.mark.parametrize("how", ["save", "admin"])
def test_a_renamed_author_shows_on_their_page_and_every_byline(site, admin_client, how):
    urls = pages(site)
    prime(urls.values())
    if how == "save":
        site.author.first_name = "Renamed"
        site.author.save()
    else:
        as_admin(admin_client, site.author, first_name="Renamed")
    for name in ["author", "review", "home", "genre", "franchise", "month", "film"]:
        assert "Renamed Critic" in text(urls[name]), name


@pytest.mark.parametrize("how", ["save", "update", "admin"])
def test_a_new_author_bio_shows_on_their_page(site, admin_client, how):
    urls = pages(site)
    prime(urls.values())
    profile = AuthorProfile.objects.get(user=site.author)
    if how == "save":
        profile.bio = "Writes about stunts."
        profile.save()
    elif how == "update":
        AuthorProfile.objects.filter(pk=profile.pk).update(bio="Writes about stunts.")
    else:
        as_admin(admin_client, profile, bio="Writes about stunts.")
    assert "Writes about stunts." in text(urls["author"])


@pytest.mark.parametrize("how", ["save", "update", "admin"])
def test_a_renamed_genre_shows_on_its_page_and_its_films(site, admin_client, how):
    urls = pages(site)
    prime(urls.values())
    genre = Genre.objects.get()
    if how == "save":
        genre.name = "Gun fu"
        genre.save()
    elif how == "update":
        Genre.objects.filter(pk=genre.pk).update(name="Gun fu")
    else:
        as_admin(admin_client, genre, name="Gun fu")
    for name in ["genre", "film", "review", "genre feed"]:
        assert "Gun fu" in text(urls[name]), name


@pytest.mark.parametrize("how", ["save", "update", "admin"])
def test_a_film_added_to_a_franchise_joins_its_page(site, admin_client, how):
    urls = pages(site)
    other = ReviewFactory(film=FilmFactory(title="Chapter 4"), title="Four hours of stairs")
    prime(urls.values())
    film = other.film
    if how == "save":
        film.franchise = site.film.franchise
        film.save()
    elif how == "update":
        Film.objects.filter(pk=film.pk).update(franchise=site.film.franchise)
    else:
        as_admin(admin_client, film, franchise=site.film.franchise_id)
    page = text(urls["franchise"])
    assert "Chapter 4" in page and "Four hours of stairs" in page
    assert "Chapter 4" in text(urls["film"])  # "More from the World of John Wick"


@pytest.mark.parametrize("side", ["film.genres", "genre.films"])
def test_a_film_given_a_genre_joins_its_page(site, side):
    urls = pages(site)
    other = ReviewFactory(film=FilmFactory(title="Chapter 4"), title="Four hours of stairs")
    prime(urls.values())
    genre = Genre.objects.get()
    if side == "film.genres":
        other.film.genres.add(genre)
    else:
        genre.films.add(other.film)
    page = text(urls["genre"])
    assert "Chapter 4" in page and "Four hours of stairs" in page
    assert "Four hours of stairs" in text(urls["genre feed"])


@pytest.mark.parametrize("how", ["save", "update", "admin"])
def test_a_renamed_film_shows_on_every_page_naming_it(site, admin_client, how):
    urls = pages(site)
    prime(urls.values())
    if how == "save":
        site.film.title = "From the World of John Wick: Ballerina"
        site.film.save()
    elif how == "update":
        Film.objects.filter(pk=site.film_id).update(title="From the World of John Wick: Ballerina")
    else:
        as_admin(admin_client, site.film, title="From the World of John Wick: Ballerina")
    for name in ["film", "review", "person", "home", "author", "genre", "franchise", "month", "feed"]:
        assert "From the World of John Wick: Ballerina" in text(urls[name]), name


def test_a_credit_added_with_bulk_create_shows_on_the_film_and_the_person(site):
    urls = pages(site)
    newcomer = PersonFactory(name="Keanu Reeves")
    prime([*urls.values(), newcomer.get_absolute_url()])
    Credit.objects.bulk_create([Credit(film=site.film, person=newcomer, character="John Wick")])
    assert "Keanu Reeves" in text(urls["film"])
    assert "Ballerina" in text(newcomer.get_absolute_url())


def test_an_author_with_a_new_review_lists_it(site):
    urls = pages(site)
    prime(urls.values())
    ReviewFactory(film=site.film, author=site.author, title="A second look")
    for name in ["author", "home", "film", "genre", "franchise", "feed"]:
        assert "A second look" in text(urls[name]), name


def test_the_page_state_sql_agrees_with_published_and_scheduled(site):
    """The state queries are compiled from ReviewQuerySet.published() and scheduled(), so they agree."""
    now = timezone.now()
    for n, (status, when) in enumerate(
        [("published", now - timedelta(hours=1)), ("published", now + timedelta(hours=2)), ("draft", now)]
    ):
        ReviewFactory(title=f"State {n}", status=status, published_at=when)
    *_, newest_live, next_live = state_times(lists_page_state())
    assert newest_live == Review.objects.published().latest("published_at").published_at
    assert next_live == Review.objects.scheduled().earliest("published_at").published_at
    for review in Review.objects.all():
        assert (public_page_state(review.slug) is not None) == Review.objects.published().filter(pk=review.pk).exists()
