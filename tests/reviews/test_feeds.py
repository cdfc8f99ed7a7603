"""RSS 2.0 and Atom feeds: what a feed reader gets, for the whole site and per film, person and genre."""

import xml.etree.ElementTree as ET
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.sites.models import Site
from django.urls import reverse
from django.utils import timezone

from reviews.feeds import absolute_links
from reviews.models import Credit, Review
from tests.factories import (
    CreditFactory,
    FilmFactory,
    GenreFactory,
    PersonFactory,
    ReviewFactory,
    UserFactory,
    image_file,
)

pytestmark = pytest.mark.django_db

SITE = "https://films.example"
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def rss(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert (root.tag, root.get("version")) == ("rss", "2.0")
    return root.find("channel")


def atom(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def titles(channel):
    return [item.findtext("title") for item in channel.iter("item")]


@pytest.fixture
def ballerina():
    film = FilmFactory(title="Ballerina", release_year=2025)
    film.genres.add(GenreFactory(name="Action"), GenreFactory(name="Thriller"))
    return film


@pytest.fixture
def review(ballerina):
    return ReviewFactory(
        film=ballerina,
        title="Grief with a gun",
        standfirst="Ana de Armas gives the John Wick world a new, wounded heart.",
        body="## Acting\n\nDe Armas is **superb**.\n\n![The staircase fight](/media/uploads/stairs.jpg)\n\n"
        "A footnote.[^1]\n\n[^1]: Shot in Prague.",
        rating=Decimal("4.5"),
        hero_image=image_file("hero.jpg", size=(160, 90)),
        hero_alt="Eve points a shotgun.",
        hero_caption="Ana de Armas as Eve.",
        author=UserFactory(username="ava", first_name="Ava", last_name="Marlowe", group="Authors"),
    )


# --- The site's feed ---


def test_rss_feed_lists_published_reviews_newest_first_and_never_drafts_or_scheduled_ones(client):
    ReviewFactory(title="Older", published_at=timezone.now() - timezone.timedelta(days=9))
    ReviewFactory(title="Newer")
    ReviewFactory(title="Secret draft", status=Review.Status.DRAFT)
    ReviewFactory(title="Scheduled piece", published_at=timezone.now() + timezone.timedelta(hours=1))
    channel = rss(client, reverse("reviews:feed"))
    assert [title.split(" — ")[0] for title in titles(channel)] == ["Newer", "Older"]
    assert channel.findtext("title") == "Reel Verdicts: film reviews"
    assert channel.findtext("link") == f"{SITE}/"
    assert channel.find(f"{ATOM}link").attrib == {"href": f"{SITE}/feed/", "rel": "self"}
    assert channel.findtext("language") == "en-gb"


def test_rss_item_carries_the_whole_review_with_absolute_links_and_the_hero_as_enclosure(client, review):
    item = rss(client, reverse("reviews:feed")).find("item")
    assert item.findtext("title") == "Grief with a gun — Ballerina (2025)"
    assert item.findtext("link") == f"{SITE}/reviews/{review.slug}/"
    assert item.findtext("description") == "Ana de Armas gives the John Wick world a new, wounded heart."
    assert item.findtext(f"{DC}creator") == "Ava Marlowe"
    assert [c.text for c in item.findall("category")] == ["Action", "Thriller"]
    guid = item.find("guid")
    assert guid.get("isPermaLink") == "false" and guid.text.startswith("tag:films.example,")
    enclosure = item.find("enclosure").attrib
    assert enclosure == {
        "url": f"{SITE}{review.hero_image.url}",
        "length": str(review.hero_image.size),
        "type": "image/jpeg",
    }

    content = item.findtext(f"{CONTENT}encoded")
    assert f'<img src="{SITE}{review.hero_image.url}" alt="Eve points a shotgun."' in content
    assert "<figcaption>Ana de Armas as Eve.</figcaption>" in content
    assert "De Armas is <strong>superb</strong>." in content
    assert f'src="{SITE}/media/uploads/stairs.jpg"' in content  # an image dropped into the body
    assert f'href="{SITE}/films/{review.film.slug}/"' in content
    # A feed reader shows the entry away from the page: its heading and footnote links lead to the review.
    assert f'href="{SITE}/reviews/{review.slug}/#acting"' in content
    assert f'href="{SITE}/reviews/{review.slug}/#fnref:1"' in content
    assert 'href="#' not in content
    assert "Rating: 4.5 out of 5." in content
    assert 'src="/' not in content and 'href="/' not in content


def test_atom_feed_has_the_same_reviews_with_full_content(client, review):
    ReviewFactory(title="Secret draft", status=Review.Status.DRAFT)
    feed = atom(client, reverse("reviews:feed_atom"))
    assert feed.findtext(f"{ATOM}title") == "Reel Verdicts: film reviews"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == f"{SITE}/feed/atom/"
    assert feed.findtext(f"{ATOM}updated")
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Grief with a gun — Ballerina (2025)"
    assert entry.find(f"{ATOM}link[@rel='alternate']").get("href") == f"{SITE}/reviews/{review.slug}/"
    assert entry.findtext(f"{ATOM}id").startswith("tag:films.example,")
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Ava Marlowe"
    assert entry.findtext(f"{ATOM}published") and entry.findtext(f"{ATOM}updated")
    assert entry.findtext(f"{ATOM}summary") == review.standfirst
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "De Armas is <strong>superb</strong>." in content.text
    enclosure = entry.find(f"{ATOM}link[@rel='enclosure']")
    assert (enclosure.get("href"), enclosure.get("type")) == (f"{SITE}{review.hero_image.url}", "image/jpeg")


def test_feeds_link_authors_to_their_author_page(client, review):
    from reviews.models import AuthorProfile

    profile = AuthorProfile.objects.get(user=review.author)  # every author gets a page with their first review
    item = rss(client, reverse("reviews:feed")).find("item")
    assert item.findtext(f"{DC}creator") == "Ava Marlowe"
    entry = atom(client, reverse("reviews:feed_atom")).find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}author/{ATOM}uri") == f"{SITE}{profile.get_absolute_url()}"


def test_feed_keeps_titles_and_content_that_look_like_markup_intact(client):
    ReviewFactory(title='Fast & "Furious" <b>10</b>', standfirst="Cars < plot & that's fine.")
    item = rss(client, reverse("reviews:feed")).find("item")
    assert item.findtext("title").startswith('Fast & "Furious" <b>10</b> — ')
    assert item.findtext("description") == "Cars < plot & that's fine."


def test_feed_holds_the_twenty_newest_reviews(client):
    for days in range(25):
        ReviewFactory(title=f"Day {days}", published_at=timezone.now() - timezone.timedelta(days=days + 1))
    assert titles(rss(client, reverse("reviews:feed")))[0].startswith("Day 0 ")
    assert len(titles(rss(client, reverse("reviews:feed")))) == 20


def test_a_review_without_a_hero_image_has_no_enclosure(client):
    ReviewFactory()
    assert rss(client, reverse("reviews:feed")).find("item/enclosure") is None


def test_a_spoiler_warning_leads_the_content(client):
    ReviewFactory(contains_spoilers=True)
    content = rss(client, reverse("reviews:feed")).find("item").findtext(f"{CONTENT}encoded")
    assert content.startswith("<p><strong>This review contains spoilers.</strong></p>")


# --- Per film, person and genre ---


def test_film_feed_has_only_that_films_published_reviews(client, review, ballerina):
    ReviewFactory(film=ballerina, title="Second take")
    ReviewFactory(film=ballerina, title="Draft take", status=Review.Status.DRAFT)
    ReviewFactory(title="Another film")
    channel = rss(client, reverse("reviews:film_feed", args=[ballerina.slug]))
    assert [t.split(" — ")[0] for t in titles(channel)] == ["Second take", "Grief with a gun"]
    assert channel.findtext("title") == "Reviews of Ballerina (2025) · Reel Verdicts"
    assert channel.findtext("link") == f"{SITE}/films/{ballerina.slug}/"
    feed = atom(client, reverse("reviews:film_feed_atom", args=[ballerina.slug]))
    assert len(feed.findall(f"{ATOM}entry")) == 2


def test_person_feed_has_reviews_of_every_film_they_are_credited_on_once_each(client, review, ballerina):
    person = PersonFactory(name="Ana de Armas")
    CreditFactory(person=person, film=ballerina, character="Eve")
    CreditFactory(person=person, film=ballerina, job=Credit.Job.PRODUCER, character="")  # two credits, one film
    blonde = FilmFactory(title="Atomic Blonde")
    CreditFactory(person=person, film=blonde, character="Delphine")
    ReviewFactory(film=blonde, title="Style over sense", published_at=timezone.now() - timezone.timedelta(days=5))
    ReviewFactory(title="A film she is not in")
    channel = rss(client, reverse("reviews:person_feed", args=[person.slug]))
    assert [t.split(" — ")[0] for t in titles(channel)] == ["Grief with a gun", "Style over sense"]
    assert channel.findtext("title") == "Reviews of films with Ana de Armas · Reel Verdicts"
    assert len(atom(client, reverse("reviews:person_feed_atom", args=[person.slug])).findall(f"{ATOM}entry")) == 2


def test_genre_feed_has_reviews_of_films_in_that_genre(client, review, ballerina):
    comedy = FilmFactory(title="A comedy")
    comedy.genres.add(GenreFactory(name="Comedy"))
    ReviewFactory(film=comedy, title="Laughs")
    action = ballerina.genres.get(name="Action")
    channel = rss(client, reverse("reviews:genre_feed", args=[action.slug]))
    assert [t.split(" — ")[0] for t in titles(channel)] == ["Grief with a gun"]
    assert channel.findtext("title") == "Action film reviews · Reel Verdicts"
    assert atom(client, reverse("reviews:genre_feed_atom", args=[action.slug])).find(f"{ATOM}entry") is not None


@pytest.mark.parametrize("name", ["film_feed", "person_feed_atom", "genre_feed"])
def test_feed_of_something_unknown_is_not_found(client, name):
    assert client.get(reverse(f"reviews:{name}", args=["no-such-thing"])).status_code == 404


def test_a_film_without_published_reviews_has_an_empty_but_valid_feed(client):
    film = FilmFactory()
    ReviewFactory(film=film, status=Review.Status.DRAFT)
    assert titles(rss(client, reverse("reviews:film_feed", args=[film.slug]))) == []


# --- Query budget ---


@pytest.mark.parametrize(
    "name, queries",
    # Changes since the reader's copy; the film, person or genre; the reviews; their genres.
    [("feed", 3), ("feed_atom", 3), ("film_feed", 4), ("person_feed", 4), ("genre_feed_atom", 4)],
)
def test_feeds_run_a_fixed_number_of_queries(client, django_assert_num_queries, name, queries):
    Site.objects.get_current()  # read once per process (the feed's site), then kept
    person, genre, film = PersonFactory(), GenreFactory(), FilmFactory()
    film.genres.add(genre, GenreFactory())
    CreditFactory.create_batch(50, film=film)
    CreditFactory(film=film, person=person)
    for _ in range(30):
        ReviewFactory(film=film, hero_image=image_file(), hero_alt="A still")
    subject = {"film_feed": film, "person_feed": person, "genre_feed_atom": genre}.get(name)
    args = [subject.slug] if subject else []
    with django_assert_num_queries(queries):
        response = client.get(reverse(f"reviews:{name}", args=args))
    assert response.content.count(b"<item>") + response.content.count(b"<entry>") == 20


# --- Autodiscovery ---


class LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "alternate":
            self.links.append((attrs["type"], attrs["href"]))


def feed_links(client, url):
    parser = LinkCollector()
    parser.feed(client.get(url).content.decode())
    return parser.links


def test_every_page_advertises_the_site_feeds(client):
    assert feed_links(client, reverse("reviews:home")) == [
        ("application/rss+xml", f"{SITE}/feed/"),
        ("application/atom+xml", f"{SITE}/feed/atom/"),
    ]


def test_film_person_and_genre_pages_advertise_their_own_feeds_which_work(client, review, ballerina):
    person = PersonFactory()
    CreditFactory(person=person, film=ballerina)
    genre = ballerina.genres.first()
    for page, rss_name in [(ballerina, "film_feed"), (person, "person_feed"), (genre, "genre_feed")]:
        links = feed_links(client, page.get_absolute_url())
        own = [(kind, href) for kind, href in links if href.startswith(f"{SITE}{page.get_absolute_url()}")]
        assert own == [
            ("application/rss+xml", f"{SITE}{reverse(f'reviews:{rss_name}', args=[page.slug])}"),
            ("application/atom+xml", f"{SITE}{reverse(f'reviews:{rss_name}_atom', args=[page.slug])}"),
        ]
        for kind, href in own:
            response = client.get(href.removeprefix(SITE))
            assert response.status_code == 200 and response["Content-Type"].startswith(kind)
        html = client.get(page.get_absolute_url()).content.decode()
        assert f'<a href="{own[0][1]}" type="application/rss+xml">RSS</a>' in html  # and a visible link


def test_review_page_advertises_its_films_feed(client, review, ballerina):
    assert ("application/rss+xml", f"{SITE}/films/{ballerina.slug}/feed/") in feed_links(
        client, review.get_absolute_url()
    )


# --- Absolute links ---


@pytest.mark.parametrize(
    "html, expected",
    [
        ('<img src="/media/a.jpg" alt="">', f'<img src="{SITE}/media/a.jpg" alt="">'),
        ('<a href="https://elsewhere.example/x">x</a>', '<a href="https://elsewhere.example/x">x</a>'),
        ('<a href="#fn:1">1</a>', f'<a href="{SITE}/reviews/r/#fn:1">1</a>'),
        ('<a class="headerlink" href="#acting">#</a>', f'<a class="headerlink" href="{SITE}/reviews/r/#acting">#</a>'),
        ('<a href="notes/">n</a>', f'<a href="{SITE}/reviews/r/notes/">n</a>'),
        (
            '<img srcset="/m/a-480.webp 480w, /m/a-960.webp 960w" src="/m/a.jpg">',
            f'<img srcset="{SITE}/m/a-480.webp 480w, {SITE}/m/a-960.webp 960w" src="{SITE}/m/a.jpg">',
        ),
        ('<a href="mailto:ed@films.example">mail</a>', '<a href="mailto:ed@films.example">mail</a>'),
    ],
)
def test_absolute_links(html, expected):
    assert absolute_links(html, f"{SITE}/reviews/r/") == expected
