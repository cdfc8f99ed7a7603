"""sitemap.xml: the published pages search engines should find, with the date each last changed."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.utils import timezone

from reviews.models import AuthorProfile, Review
from tests.factories import (
    CreditFactory,
    FilmFactory,
    FranchiseFactory,
    GenreFactory,
    PersonFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SITE = "https://films.example"
NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def sitemap(client) -> dict[str, str | None]:
    """{page address: lastmod} as a search engine reads it."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    assert root.tag == f"{NS}urlset"
    return {url.findtext(f"{NS}loc"): url.findtext(f"{NS}lastmod") for url in root.iter(f"{NS}url")}


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def day(days):
    """The date `days` ago as the sitemap writes it (in the site's time zone)."""
    return f"{timezone.localdate(days_ago(days)):%Y-%m-%d}"


def test_sitemap_lists_published_reviews_and_the_pages_around_them_but_no_drafts(client):
    person, genre, franchise = PersonFactory(), GenreFactory(), FranchiseFactory()
    film = FilmFactory(franchise=franchise)
    film.genres.add(genre)
    CreditFactory(film=film, person=person)
    published = ReviewFactory(film=film)
    draft = ReviewFactory(status=Review.Status.DRAFT, film=FilmFactory(title="Draft only"))
    scheduled = ReviewFactory(published_at=timezone.now() + timedelta(days=1))
    unreviewed = FilmFactory(title="Nobody wrote about it")
    urls = sitemap(client)
    for page in [published, film, person, genre, franchise]:
        assert f"{SITE}{page.get_absolute_url()}" in urls
    assert f"{SITE}/" in urls and f"{SITE}/archive/" in urls
    for page in [draft, draft.film, scheduled, scheduled.film, unreviewed]:
        assert f"{SITE}{page.get_absolute_url()}" not in urls
    assert all(url.startswith(f"{SITE}/") for url in urls)


def test_lastmod_is_when_a_page_last_changed_for_readers(client):
    film = FilmFactory()
    older = ReviewFactory(film=film, published_at=days_ago(30))
    Review.objects.filter(pk=older.pk).update(updated_at=days_ago(3))  # corrected three days ago
    newer = ReviewFactory(film=film, published_at=days_ago(10))
    Review.objects.filter(pk=newer.pk).update(updated_at=days_ago(20))  # written ahead, scheduled
    ReviewFactory(film=film, status=Review.Status.DRAFT)  # saved just now, but nobody can read it
    urls = sitemap(client)
    assert urls[f"{SITE}{older.get_absolute_url()}"] == day(3)
    assert urls[f"{SITE}{newer.get_absolute_url()}"] == day(10)
    assert urls[f"{SITE}{film.get_absolute_url()}"] == day(3)
    assert urls[f"{SITE}/"] == day(3)


def test_an_empty_site_lists_its_home_page(client):
    ReviewFactory(status=Review.Status.DRAFT)
    assert sitemap(client) == {f"{SITE}/": None}


def test_sitemap_lists_the_pages_of_authors_with_a_published_review(client):
    review = ReviewFactory(author=UserFactory(first_name="Ava", last_name="Marlowe"), published_at=days_ago(2))
    writer = AuthorProfile.objects.get(user=review.author)
    Review.objects.filter(pk=review.pk).update(updated_at=days_ago(2))
    draft = ReviewFactory(author=UserFactory(first_name="Theo", last_name="Vance"), status=Review.Status.DRAFT)
    drafter = AuthorProfile.objects.get(user=draft.author)
    urls = sitemap(client)
    assert urls[f"{SITE}{writer.get_absolute_url()}"] == day(2)
    assert f"{SITE}{drafter.get_absolute_url()}" not in urls
    assert client.get(writer.get_absolute_url()).status_code == 200


def test_sitemap_lists_public_simple_pages_without_a_date(client):
    public = FlatPage.objects.create(url="/about/", title="About", content="<p>Us.</p>")
    hidden = FlatPage.objects.create(url="/draft/", title="Draft", content="<p>Soon.</p>", registration_required=True)
    elsewhere = FlatPage.objects.create(url="/other-site/", title="Other site", content="<p>Not ours.</p>")
    public.sites.add(settings.SITE_ID)
    hidden.sites.add(settings.SITE_ID)
    urls = sitemap(client)
    assert urls[f"{SITE}/pages/about/"] is None
    assert f"{SITE}{hidden.get_absolute_url()}" not in urls
    assert f"{SITE}{elsewhere.get_absolute_url()}" not in urls


def test_sitemap_runs_one_query_per_section(client, django_assert_num_queries):
    for _ in range(30):
        film = FilmFactory(franchise=FranchiseFactory())
        film.genres.add(GenreFactory())
        CreditFactory.create_batch(2, film=film)
        ReviewFactory(film=film)
    for n in range(5):
        page = FlatPage.objects.create(url=f"/page-{n}/", title=f"Page {n}", content="<p>Text.</p>")
        page.sites.add(settings.SITE_ID)
    sitemap(client)  # Django's sitemap view reads the Site row once per process, then keeps it
    # Pages, reviews, films, people, genres, franchises, authors, simple pages.
    with django_assert_num_queries(8):
        urls = sitemap(client)
    assert len(urls) == 2 + 30 * 7 + 5  # home, archive; per review: itself, film, 2 people, genre, franchise, author
