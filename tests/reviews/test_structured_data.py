"""schema.org JSON-LD: a Review of a Movie on review pages, a Movie with its ratings on film pages, a
Person on person pages, a ProfilePage on author pages, the WebSite and its search on the home page, and
an ItemList wherever a list of reviews is shown; checked against what Google's documentation requires."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import AuthorProfile, Credit
from reviews.structured_data import json_ld
from tests.factories import (
    CreditFactory,
    FilmFactory,
    FranchiseFactory,
    GenreFactory,
    PersonFactory,
    ReviewFactory,
    UserFactory,
    image_file,
)

pytestmark = pytest.mark.django_db

SITE = "https://films.example"
SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def json_lds(client, url) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    return [json.loads(block) for block in SCRIPT.findall(response.content.decode())]


def assert_google_can_show_a_review_snippet(review: dict):
    """The properties https://developers.google.com/search/docs/appearance/structured-data/review-snippet
    marks required for a Review."""
    assert review["@type"] == "Review"
    assert review["itemReviewed"]["@type"] == "Movie" and review["itemReviewed"]["name"]
    assert review["author"]["@type"] in ("Person", "Organization") and review["author"]["name"]
    assert len(review["author"]["name"]) < 100  # "less than 100 characters"
    rating = review["reviewRating"]
    assert rating["@type"] == "Rating"
    assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]


def assert_google_can_show_an_aggregate_rating(movie: dict):
    rating = movie["aggregateRating"]
    assert rating["@type"] == "AggregateRating" and movie["name"]
    assert rating["ratingCount"] > 0 or rating["reviewCount"] > 0
    assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]


@pytest.fixture
def ballerina():
    film = FilmFactory(
        title="Ballerina",
        release_year=2025,
        poster=image_file("poster.jpg", size=(60, 90)),
        poster_alt="Eve in a red coat.",
        runtime=125,
    )
    CreditFactory(film=film, person=PersonFactory(name="Len Wiseman"), job=Credit.Job.DIRECTOR, character="")
    CreditFactory(film=film, person=PersonFactory(name="Ana de Armas"), character="Eve", billing=1)
    CreditFactory(film=film, person=PersonFactory(name="Keanu Reeves"), character="John Wick", billing=2)
    return film


def test_review_page_carries_a_review_of_the_movie_with_everything_google_asks_for(client, ballerina):
    review = ReviewFactory(
        film=ballerina,
        title="Grief with a gun",
        standfirst="A new, wounded heart.",
        rating=Decimal("4.5"),
        hero_image=image_file("hero.jpg", size=(160, 90)),
        hero_alt="Eve points a shotgun.",
        author=UserFactory(username="ava", first_name="Ava", last_name="Marlowe", group="Authors"),
    )
    [data] = json_lds(client, review.get_absolute_url())
    assert_google_can_show_a_review_snippet(data)
    assert data["@context"] == "https://schema.org"
    assert data["name"] == "Grief with a gun"
    assert data["url"] == f"{SITE}/reviews/{review.slug}/"
    assert data["datePublished"] == review.published_at.isoformat()
    assert data["image"] == f"{SITE}{review.hero_image.url}"
    assert data["reviewRating"] == {"@type": "Rating", "ratingValue": 4.5, "bestRating": 5, "worstRating": 0.5}
    assert data["author"] == {"@type": "Person", "name": "Ava Marlowe", "url": f"{SITE}/authors/ava-marlowe/"}
    assert data["publisher"] == {"@type": "Organization", "name": "Reel Verdicts", "url": f"{SITE}/"}
    movie = data["itemReviewed"]
    assert movie["name"] == "Ballerina"
    assert movie["dateCreated"] == "2025"
    assert movie["url"] == f"{SITE}/films/{ballerina.slug}/"
    assert movie["image"] == f"{SITE}{ballerina.poster.url}"
    assert [p["name"] for p in movie["director"]] == ["Len Wiseman"]
    assert [p["name"] for p in movie["actor"]] == ["Ana de Armas", "Keanu Reeves"]
    assert all(p["@type"] == "Person" and p["url"].startswith(f"{SITE}/people/") for p in movie["actor"])


def test_the_review_author_links_to_their_author_page(client):
    review = ReviewFactory()
    profile = AuthorProfile.objects.get(user=review.author)
    [data] = json_lds(client, review.get_absolute_url())
    assert data["author"]["url"] == f"{SITE}{profile.get_absolute_url()}"


def test_a_known_release_date_is_the_movies_date(client):
    review = ReviewFactory(film=FilmFactory(release_year=2017, release_date="2017-07-28"))
    [data] = json_lds(client, review.get_absolute_url())
    assert data["itemReviewed"]["dateCreated"] == "2017-07-28"


def test_an_unrated_review_is_an_article_about_the_movie_not_a_review_without_a_rating(client):
    [data] = json_lds(client, ReviewFactory(rating=None).get_absolute_url())
    assert data["@type"] == "Article" and "reviewRating" not in data
    assert data["about"]["@type"] == "Movie" and data["about"]["name"] and data["author"]["name"]


def test_a_title_cannot_break_out_of_the_script_element(client):
    title = "</script><script>alert('x')</script> & <!-- more"
    review = ReviewFactory(title=title)
    html = client.get(review.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert html.count("<script") == html.count("</script>")  # every script element closes where it should
    assert html.count('<script type="application/ld+json">') == 1
    [data] = json_lds(client, review.get_absolute_url())
    assert data["name"] == title


def test_json_ld_escapes_html_special_characters():
    assert str(json_ld({"name": "<&>"})) == (
        '<script type="application/ld+json">{"name": "\\u003C\\u0026\\u003E"}</script>'
    )


def test_film_page_carries_the_movie_with_its_aggregate_rating(client, ballerina):
    ReviewFactory(film=ballerina, rating=Decimal("4"))
    ReviewFactory(film=ballerina, rating=Decimal("4.5"))
    ReviewFactory(film=ballerina, rating=None)
    ReviewFactory(film=ballerina, rating=Decimal("1"), status="draft")
    [movie] = json_lds(client, ballerina.get_absolute_url())
    assert_google_can_show_an_aggregate_rating(movie)
    assert movie["@type"] == "Movie" and movie["name"] == "Ballerina"
    assert movie["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": 4.3,  # (4 + 4.5) / 2, as the page shows it
        "ratingCount": 2,
        "reviewCount": 3,
        "bestRating": 5,
        "worstRating": 0.5,
    }
    assert movie["duration"] == "PT125M"
    assert [p["name"] for p in movie["director"]] == ["Len Wiseman"]
    assert [p["name"] for p in movie["actor"]] == ["Ana de Armas", "Keanu Reeves"]


def test_a_film_without_ratings_claims_no_aggregate_rating(client, ballerina):
    ReviewFactory(film=ballerina, rating=None)
    [movie] = json_lds(client, ballerina.get_absolute_url())
    assert movie["@type"] == "Movie" and "aggregateRating" not in movie


def test_person_page_carries_a_person(client):
    person = PersonFactory(
        name="Ana de Armas", bio="Cuban-Spanish actor.", photo=image_file("ana.jpg"), photo_alt="Ana smiling."
    )
    [data] = json_lds(client, person.get_absolute_url())
    assert data == {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": "Ana de Armas",
        "url": f"{SITE}/people/{person.slug}/",
        "description": "Cuban-Spanish actor.",
        "image": f"{SITE}{person.photo.url}",
    }


def test_home_page_tells_search_engines_how_to_search_the_site(client):
    review = ReviewFactory(title="Grief with a gun")
    [website, _] = json_lds(client, reverse("reviews:home"))
    assert website == {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": "Reel Verdicts",
        "url": f"{SITE}/",
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": f"{SITE}/search/?q={{search_term_string}}"},
            "query-input": "required name=search_term_string",
        },
    }
    search = website["potentialAction"]["target"]["urlTemplate"].replace("{search_term_string}", "grief")
    assert item_list(client, search.removeprefix(SITE)) == [f"{SITE}{review.get_absolute_url()}"]  # it works


def test_author_page_is_the_profile_page_of_the_reviewer(client):
    user = UserFactory(first_name="Ava", last_name="Marlowe", group="Authors")
    ReviewFactory.create_batch(2, author=user)
    profile = AuthorProfile.objects.get(user=user)  # made with their first review
    profile.bio = "Writes about action films."
    profile.photo = image_file("ava.jpg")
    profile.photo_alt = "Ava smiling."
    profile.save()
    [page, _] = json_lds(client, profile.get_absolute_url())
    assert page == {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": f"{SITE}/authors/{profile.slug}/",
        "mainEntity": {
            "@type": "Person",
            "name": "Ava Marlowe",
            "url": f"{SITE}/authors/{profile.slug}/",
            "description": "Writes about action films.",
            "image": f"{SITE}{profile.photo.url}",
            "agentInteractionStatistic": {
                "@type": "InteractionCounter",
                "interactionType": "https://schema.org/WriteAction",
                "userInteractionCount": 2,
            },
        },
    }


def item_list(client, url) -> list[str]:
    """The addresses of the page's ItemList, checked to be numbered from 1 in order."""
    [data] = [data for data in json_lds(client, url) if data["@type"] == "ItemList"]
    assert data["@context"] == "https://schema.org"
    elements = data["itemListElement"]
    assert [(e["@type"], e["position"]) for e in elements] == [("ListItem", n) for n in range(1, len(elements) + 1)]
    return [e["url"] for e in elements]


def test_every_list_of_reviews_is_an_item_list_of_the_reviews_shown(client):
    author = UserFactory(group="Authors")
    film = FilmFactory(franchise=FranchiseFactory())
    film.genres.add(GenreFactory())
    older = ReviewFactory(film=film, author=author, title="Slow burn", published_at=timezone.now() - timedelta(days=3))
    newer = ReviewFactory(film=film, author=author, title="Slow again", published_at=timezone.now() - timedelta(days=2))
    shown = [f"{SITE}{newer.get_absolute_url()}", f"{SITE}{older.get_absolute_url()}"]
    when = timezone.localtime(newer.published_at)
    for url in [
        reverse("reviews:home"),
        author.author_profile.get_absolute_url(),
        film.genres.get().get_absolute_url(),
        film.franchise.get_absolute_url(),
        reverse("reviews:archive_year", args=[when.year]),
        reverse("reviews:archive_month", args=[when.year, when.month]),
        reverse("reviews:search") + "?q=slow",
    ]:
        assert item_list(client, url)[-2:] == shown, url


def test_a_later_page_numbers_its_items_on_from_the_page_before(client, settings):
    settings.REVIEWS_PER_PAGE = 2
    reviews = [ReviewFactory(published_at=timezone.now() - timedelta(days=days)) for days in (1, 2, 3)]
    [data] = [d for d in json_lds(client, reverse("reviews:home") + "?page=2") if d["@type"] == "ItemList"]
    assert data["itemListElement"] == [
        {"@type": "ListItem", "position": 3, "url": f"{SITE}{reviews[2].get_absolute_url()}"}
    ]


def test_an_empty_list_claims_no_item_list(client):
    assert [d["@type"] for d in json_lds(client, reverse("reviews:home"))] == ["WebSite"]
    assert json_lds(client, reverse("reviews:search") + "?q=nothing") == []
