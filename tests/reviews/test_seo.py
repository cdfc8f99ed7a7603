"""What search engines and link previews read in <head>: title, description, canonical URL,
OpenGraph and Twitter cards; and robots.txt."""

import io
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from PIL import Image

from reviews.models import Review
from tests.factories import (
    CommentFactory,
    FilmFactory,
    FranchiseFactory,
    GenreFactory,
    PersonFactory,
    ReviewFactory,
    image_file,
)

pytestmark = pytest.mark.django_db

SITE = "https://films.example"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


class Head(HTMLParser):
    """The <title>, <meta> and <link rel=canonical> of a page, as a crawler reads them."""

    def __init__(self, html):
        super().__init__()
        self.title, self.meta, self.canonical, self._in_title = "", {}, [], False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag == "meta" and ("name" in attrs or "property" in attrs):
            self.meta.setdefault(attrs.get("name") or attrs["property"], []).append(attrs["content"])
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.canonical.append(attrs["href"])

    def handle_endtag(self, tag):
        self._in_title = self._in_title and tag != "title"

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def __getitem__(self, name):
        [value] = self.meta[name]
        return value


def head(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return Head(response.content.decode())


@pytest.fixture
def film():
    return FilmFactory(
        title="Ballerina",
        release_year=2025,
        synopsis="Eve Macarro, raised by the Ruska Roma, hunts the men who killed her father.",
        poster=image_file("poster.jpg", size=(60, 90)),
        poster_alt="Eve in a red coat, a pistol at her side.",
    )


def test_review_page_describes_itself_to_search_engines_and_link_previews(client, film):
    film.genres.add(GenreFactory(name="Action"))
    review = ReviewFactory(
        film=film,
        title="Grief with a gun",
        standfirst="Ana de Armas gives the John Wick world a new, wounded heart.",
        hero_image=image_file("hero.jpg", size=(160, 90)),
        hero_alt="Eve points a shotgun.",
    )
    page = head(client, review.get_absolute_url())
    url = f"{SITE}/reviews/{review.slug}/"
    assert page.title == "Grief with a gun — Ballerina (2025) review · Reel Verdicts"
    assert page["description"] == review.standfirst
    assert page.canonical == [url]
    assert page["og:type"] == "article"
    assert page["og:title"] == "Grief with a gun"
    assert page["og:description"] == review.standfirst
    assert page["og:url"] == url
    assert page["og:site_name"] == "Reel Verdicts"
    assert page["og:image"] == f"{SITE}{review.hero_image.url}"
    assert (page["og:image:width"], page["og:image:height"]) == ("160", "90")
    assert page["og:image:alt"] == "Eve points a shotgun."
    assert page["article:published_time"] == review.published_at.isoformat()
    assert page.meta["article:tag"] == ["Action"]
    assert page["twitter:card"] == "summary_large_image"
    assert page["twitter:image"] == f"{SITE}{review.hero_image.url}"
    assert page["twitter:title"] == "Grief with a gun"
    assert "robots" not in page.meta


def test_a_review_without_a_hero_image_is_shared_with_a_drawn_card_of_its_title_film_and_stars(client, film):
    """A wide card with the title, the film's poster and the stars, drawn with Pillow."""
    review = ReviewFactory(film=film, rating=Decimal("3.5"), title="Grief with a gun")
    page = head(client, review.get_absolute_url())
    card = reverse("reviews:review_share_card", args=[review.slug])
    assert page["og:image"] == f"{SITE}{card}"
    assert page["og:image:width"] == "1200" and page["og:image:height"] == "630"
    alt = "Grief with a gun: a review of Ballerina (2025) on Reel Verdicts, rated 3.5 out of 5."
    assert page["og:image:alt"] == alt
    assert page["twitter:card"] == "summary_large_image"

    response = client.get(card)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "JPEG" and image.size == (1200, 630)
    assert len(response.content) < 150_000  # a PNG of the same card was ~600 KB
    assert client.get(card).content == response.content  # kept, not drawn again


def test_a_link_preview_asks_again_for_a_share_card_and_gets_the_new_one_after_an_edit(client, film):
    review = ReviewFactory(film=film, title="Grief with a gun")
    card = reverse("reviews:review_share_card", args=[review.slug])
    first = client.get(card)
    assert "max-age" not in first["Cache-Control"]  # no lifetime of its own: current while the review is
    assert client.get(card, headers={"if-none-match": first["ETag"]}).status_code == 304
    review.title = "Grief, with knives"
    review.save()
    again = client.get(card, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200 and again.content != first.content


def test_pages_without_a_picture_of_their_own_are_shared_with_the_site_card(client):
    """The home page and a person without a photo still have an og:image: the site's card."""
    person = PersonFactory()
    card = f"{SITE}{reverse('reviews:site_share_card')}"
    for url in [reverse("reviews:home"), person.get_absolute_url()]:
        page = head(client, url)
        assert page["og:image"] == card, url
        assert page["og:image:alt"] == "Reel Verdicts: film reviews, aspect by aspect."
    response = client.get(reverse("reviews:site_share_card"))
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)


def test_a_draft_has_no_share_card(client):
    draft = ReviewFactory(status=Review.Status.DRAFT)
    assert client.get(reverse("reviews:review_share_card", args=[draft.slug])).status_code == 404


def test_the_canonical_url_ignores_comment_pages_and_reply_links(client, settings):
    settings.COMMENT_THREADS_PER_PAGE = 1
    review = ReviewFactory()
    CommentFactory.create_batch(2, review=review)  # a second comment page (past the last is a 404)
    for query in ["?cpage=2", "?replytocom=7", "?utm_source=newsletter"]:
        assert head(client, review.get_absolute_url() + query).canonical == [f"{SITE}/reviews/{review.slug}/"]


def test_a_staff_preview_is_kept_out_of_search_results(client, author):
    draft = ReviewFactory(author=author, status=Review.Status.DRAFT)
    client.force_login(author)
    assert head(client, draft.get_absolute_url())["robots"] == "noindex"


def test_film_page_describes_the_film(client, film):
    page = head(client, film.get_absolute_url())
    assert page["description"] == film.synopsis
    assert page.canonical == [f"{SITE}/films/{film.slug}/"]
    assert page["og:type"] == "video.movie"
    assert page["og:title"] == "Ballerina (2025)"
    assert page["og:description"] == film.synopsis
    assert page["og:image"] == f"{SITE}{film.poster.url}"


def test_person_page_describes_the_person(client):
    person = PersonFactory(
        name="Ana de Armas",
        bio="Cuban-Spanish actor.",
        photo=image_file("ana.jpg", size=(80, 100)),
        photo_alt="Ana de Armas smiling.",
    )
    page = head(client, person.get_absolute_url())
    assert page["description"] == "Cuban-Spanish actor."
    assert page.canonical == [f"{SITE}/people/{person.slug}/"]
    assert (page["og:type"], page["og:title"]) == ("profile", "Ana de Armas")
    assert page["og:image"] == f"{SITE}{person.photo.url}"


def test_a_long_description_is_cut_to_what_search_results_show(client):
    film = FilmFactory(synopsis="A long night. " * 40)
    description = head(client, film.get_absolute_url())["og:description"]
    assert len(description) <= 160 and description.endswith("…")


def test_quotes_and_markup_in_text_stay_inside_the_attributes(client):
    review = ReviewFactory(title='The "Best" <Film>', standfirst='She said "no" & <meant> it.')
    page = head(client, review.get_absolute_url())
    assert page["og:title"] == 'The "Best" <Film>'
    assert page["description"] == page["og:description"] == 'She said "no" & <meant> it.'


def test_later_pages_of_a_list_are_canonical_to_themselves(client, settings):
    settings.REVIEWS_PER_PAGE = 2
    ReviewFactory.create_batch(5)
    assert head(client, reverse("reviews:home")).canonical == [f"{SITE}/"]
    assert head(client, reverse("reviews:home") + "?page=2").canonical == [f"{SITE}/?page=2"]


def test_every_public_page_has_a_title_description_canonical_url_and_card(client, film):
    genre, franchise, person = GenreFactory(name="Action"), FranchiseFactory(name="John Wick"), PersonFactory()
    film.genres.add(genre)
    film.franchise = franchise
    film.save()
    review = ReviewFactory(film=film, rating=Decimal("4"))
    author = review.author.author_profile
    author.bio = "Writes about action films."
    author.save()
    for obj in [None, review, film, person, genre, franchise, author]:
        url = obj.get_absolute_url() if obj else reverse("reviews:home")
        page = head(client, url)
        assert page.title.strip() and page["description"].strip(), url
        assert page.canonical == [f"{SITE}{url}"]
        assert page["og:title"] and page["og:url"] == f"{SITE}{url}" and page["twitter:card"]
        if obj is author:
            assert page["og:type"] == "profile" and page["og:description"] == "Writes about action films."
    archive = head(client, reverse("reviews:archive"))
    assert archive.canonical == [f"{SITE}/archive/"]


@pytest.mark.parametrize(
    "url",
    [reverse("reviews:home"), reverse("reviews:archive"), reverse("reviews:search"), reverse("comments:privacy")],
)
def test_pages_without_a_subject_give_link_previews_their_description(client, url):
    ReviewFactory()
    page = head(client, url)
    assert page["description"].strip()
    assert page["og:description"] == page["twitter:description"] == page["description"]


def test_a_description_with_quotes_and_ampersands_is_escaped_once_for_link_previews(client, settings):
    settings.SITE_NAME = 'Reel & "Real"'
    page = head(client, reverse("comments:privacy"))
    expected = 'What Reel & "Real" stores when you comment, why, and for how long.'
    assert page["og:description"] == page["description"] == expected


def test_a_missing_page_names_no_canonical_url(client):
    response = client.get("/films/no-such-film/")
    assert response.status_code == 404
    assert Head(response.content.decode()).canonical == []


# --- robots.txt ---


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /admin/" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    assert client.get("/sitemap.xml").status_code == 200
    assert client.head("/robots.txt").status_code == 200  # crawlers may ask with HEAD first
