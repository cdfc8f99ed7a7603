"""Made-up page numbers (reviews/pagination.py): past the last page is "not found", and nothing keeps it."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from reviews.models import AuthorProfile
from tests.factories import CommentFactory, FranchiseFactory, GenreFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def kept_pages() -> int:
    return len(caches["pages"]._cache)  # LocMemCache's store: the test settings keep pages in memory


@pytest.fixture
def review():
    genre, franchise = GenreFactory(slug="noir"), FranchiseFactory(slug="wick")
    review = ReviewFactory(title="Heist", body="A heist.", film__franchise=franchise, published_at="2024-05-02T10:00Z")
    review.film.genres.add(genre)
    CommentFactory(review=review)
    return review


def lists(review):
    slug = AuthorProfile.objects.get(user=review.author).slug
    return [
        reverse("reviews:home"),
        reverse("reviews:genre_detail", args=["noir"]),
        reverse("reviews:franchise_detail", args=["wick"]),
        reverse("reviews:author_detail", args=[slug]),
        reverse("reviews:archive_year", args=[2024]),
        reverse("reviews:archive_month", args=[2024, 5]),
        reverse("reviews:search") + "?q=heist&",
    ]


def with_query(url, query):
    return url + query if url.endswith("&") else f"{url}?{query}"


def test_comment_pages_past_the_last_are_not_found_and_not_kept(client, review):
    assert client.get(review.get_absolute_url()).status_code == 200
    kept = kept_pages()
    for number in range(1000, 1010):
        assert client.get(f"{review.get_absolute_url()}?cpage={number}").status_code == 404
    assert client.get(f"{review.get_absolute_url()}?cpage=0").status_code == 404
    assert kept_pages() == kept  # neither the page nor its comment listing


def test_the_only_comment_page_is_still_page_one(client, review):
    assert client.get(f"{review.get_absolute_url()}?cpage=1").status_code == 200
    assert client.get(f"{review.get_absolute_url()}?cpage=words").status_code == 200  # as before: page 1


def test_list_pages_past_the_last_are_not_found_and_not_kept(client, review):
    for url in lists(review):
        assert client.get(with_query(url, "page=1")).status_code == 200, url
        kept = kept_pages()
        for query in ("page=2", "page=4000", "page=0"):
            assert client.get(with_query(url, query)).status_code == 404, (url, query)
        assert kept_pages() == kept, url
