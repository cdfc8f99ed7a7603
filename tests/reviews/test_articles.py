"""A piece about no single film (a list, an essay, a festival diary) and a film whose year nobody knows
yet: every page shows them plainly, and the admin lets an editor check what an import guessed."""

import json
import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from reviews.models import Film, Review
from tests.browser_form import browser_form
from tests.factories import FilmFactory, ReviewFactory
from tests.test_admin_roundtrip import change_url, resave_unchanged

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db):
    return ReviewFactory(film=None, title="My ten films of the year", standfirst="Ranked, argued, regretted.")


def structured(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


def test_an_article_page_shows_no_film_and_calls_itself_an_article(client, article, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>My ten films of the year · " in html and " review · " not in html
    assert 'class="film-facts"' not in html and "None" not in html
    assert re.search(r'<p class="kicker">\s*Article\s*</p>', html)
    data = structured(html)
    assert data["@type"] == "Article" and "itemReviewed" not in data and "about" not in data


def test_an_article_is_listed_on_home_in_feeds_search_and_its_share_card(client, article):
    home = client.get(reverse("reviews:home")).content.decode()
    assert "My ten films of the year" in home and '<p class="card-film">Article</p>' in home
    feed = client.get(reverse("reviews:feed")).content.decode()
    assert "<title>My ten films of the year</title>" in feed and "A review of" not in feed
    search = client.get(reverse("reviews:search"), {"q": "ten films"}).content.decode()
    assert 'Reviews <span class="search-count">1</span>' in search and '<p class="card-film">Article</p>' in search
    card = client.get(reverse("reviews:review_share_card", args=[article.slug]))
    assert card.status_code == 200 and card["Content-Type"] == "image/jpeg"


def test_a_film_whose_year_is_unknown_says_so_everywhere(client):
    film = FilmFactory(title="Poor Things", release_year=None)
    review = ReviewFactory(film=film)
    assert str(film) == "Poor Things (year unknown)" and film.slug == "poor-things"
    film_page = client.get(film.get_absolute_url()).content.decode()
    assert "(year unknown)" in film_page and "None" not in film_page
    review_page = client.get(review.get_absolute_url()).content.decode()
    assert "(year unknown" in review_page and "None" not in review_page
    assert '"dateCreated"' not in review_page


def test_an_editor_sets_the_year_with_the_release_date_alone(editor_client):
    film = FilmFactory(title="Poor Things", release_year=None)
    data = browser_form(editor_client.get(change_url(film)).content.decode())
    response = editor_client.post(change_url(film), data | {"release_date": "2023-12-08"})
    assert response.status_code == 302
    film.refresh_from_db()
    assert film.release_year == 2023


def test_films_of_unknown_year_are_one_filter_away(editor_client):
    FilmFactory(title="Poor Things", release_year=None)
    FilmFactory(title="Heat", release_year=1995)
    url = reverse("admin:reviews_film_changelist") + "?release_year__isempty=1"
    page = editor_client.get(url).content.decode()
    assert "Poor Things" in page and "Heat" not in page


def test_reviews_with_a_film_to_check_are_listed_and_choosing_a_film_clears_the_flag(editor, editor_client):
    # Whole seconds, as the admin's date and time fields show them.
    guessed = ReviewFactory(
        film_to_check=True, title="A guessed one", published_at=datetime(2024, 3, 1, 18, tzinfo=UTC)
    )
    ReviewFactory(title="A sure one")
    page = editor_client.get(reverse("admin:reviews_review_changelist") + "?film_to_check__exact=1").content.decode()
    assert "A guessed one" in page and "A sure one" not in page and "· to check" in page

    assert resave_unchanged(editor_client, editor, guessed) is None  # an unchanged save keeps the flag
    guessed.refresh_from_db()
    assert guessed.film_to_check

    other = FilmFactory(title="The right film", release_year=2001)
    data = browser_form(editor_client.get(change_url(guessed)).content.decode())
    assert editor_client.post(change_url(guessed), data | {"film": str(other.pk)}).status_code == 302
    guessed.refresh_from_db()
    assert guessed.film == other and not guessed.film_to_check


def test_checked_in_bulk_from_the_list(editor_client):
    guessed = ReviewFactory.create_batch(3, film_to_check=True)
    url = reverse("admin:reviews_review_changelist")
    response = editor_client.post(
        url, {"action": "film_checked", "_selected_action": [str(r.pk) for r in guessed[:2]]}, follow=True
    )
    assert "2 review(s) no longer marked “film to check”" in response.content.decode()
    assert list(Review.objects.filter(film_to_check=True)) == [guessed[2]]


def test_an_article_is_written_in_the_admin_without_a_film(editor_client):
    data = browser_form(editor_client.get(reverse("admin:reviews_review_add")).content.decode())
    data |= {"title": "On slowness", "standfirst": "Films that take their time.", "body": "An essay.", "film": ""}
    assert editor_client.post(reverse("admin:reviews_review_add"), data).status_code == 302
    assert Review.objects.get(title="On slowness").film is None


def test_films_of_unknown_year_come_after_the_dated_ones_on_every_database(client, editor_client):
    FilmFactory(title="Poor Things", release_year=None)
    FilmFactory(title="Heat", release_year=1995)
    FilmFactory(title="Dune: Part Two", release_year=2024)
    assert list(Film.objects.values_list("title", flat=True)) == ["Dune: Part Two", "Heat", "Poor Things"]
    page = editor_client.get(reverse("admin:reviews_film_changelist")).content.decode()
    assert page.index("Dune: Part Two") < page.index("Heat") < page.index("Poor Things")
