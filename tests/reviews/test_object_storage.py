"""Media in S3-compatible object storage (AWS_STORAGE_BUCKET_NAME), against a real S3 server on 127.0.0.1:
uploads, the worker's renditions, replacing and deleting, what pages point at, share cards, the demo."""

import io
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from PIL import Image

from reviews.models import Review
from tests.factories import FilmFactory, ReviewFactory
from tests.reviews.test_images import image_bytes, upload
from tests.reviews.test_renditions import hero_upload, picture_file, review_form
from tests.s3_server import MEDIA_BUCKET

pytestmark = pytest.mark.django_db

WIDER = {"480w.webp", "800w.webp", "1200w.webp", "1600w.webp", "480w.jpg", "800w.jpg", "1200w.jpg"}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` the change commits, and the renditions task it queued runs (the immediate backend)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def bucket_url(s3, name="") -> str:
    return f"{s3.url}/{MEDIA_BUCKET}/{name}"


def renditions_in_bucket(s3, name: str) -> set[str]:
    prefix = f"renditions/{name}-"
    return {key.removeprefix(prefix) for key in s3.stored(prefix=prefix)}


def local_files(media_root) -> list:
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


def image_addresses(html: str) -> list[str]:
    """Every image address a page gives a browser or a link preview: src, srcset candidates, og/twitter images."""
    found = re.findall(r'<img[^>]* src="([^"]+)"', html)
    for srcset in re.findall(r'srcset="([^"]+)"', html):
        found += [candidate.strip().split(" ")[0] for candidate in srcset.split(",")]
    found += re.findall(r'<meta (?:property|name)="(?:og|twitter):image" content="([^"]+)"', html)
    return found


def test_an_authors_hero_goes_to_the_bucket_and_the_worker_puts_its_renditions_beside_it(
    author_client, s3_media, media_root, committed
):
    with committed():
        response = author_client.post(
            reverse("admin:reviews_review_add"), review_form(FilmFactory(), hero_image=hero_upload(size=(2000, 1000)))
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    hero = Review.objects.get().hero_image
    assert hero.name in s3_media.stored(prefix="heroes/")
    assert renditions_in_bucket(s3_media, hero.name) == WIDER
    with Image.open(io.BytesIO(s3_media.get(bucket_url(s3_media, hero.name)))) as original:
        assert original.size == (1600, 800)  # checked and resized on the way in, as on disk
    assert local_files(media_root) == []


def test_the_review_page_shows_the_hero_and_its_renditions_from_the_bucket_without_asking_it(
    client, s3_media, committed
):
    with committed():
        review = ReviewFactory(hero_image=picture_file(), hero_alt="A still.")
    requests = []
    default_storage.connection.meta.client.meta.events.register("before-send.s3", lambda **kw: requests.append(kw))
    html = client.get(review.get_absolute_url()).content.decode()
    assert requests == []  # addresses are computed, never looked up
    picture = re.search(r"<picture>.*?</picture>", html, re.S).group()
    addresses = image_addresses(picture)
    assert bucket_url(s3_media, f"renditions/{review.hero_image.name}-480w.webp") in addresses
    assert bucket_url(s3_media, review.hero_image.name) in addresses
    assert len(addresses) == len(WIDER) + 2  # every rendition, the original, and the <img>'s src
    assert all(address.startswith(bucket_url(s3_media)) for address in addresses)
    narrowest = bucket_url(s3_media, f"renditions/{review.hero_image.name}-480w.webp")
    with Image.open(io.BytesIO(s3_media.get(narrowest))) as image:
        assert (image.format, image.width) == ("WEBP", 480)  # a browser fetches it from the bucket as it is


def test_replacing_the_hero_makes_new_renditions_in_the_bucket_and_deletes_the_old(
    author_client, author, s3_media, committed
):
    with committed():
        review = ReviewFactory(author=author, hero_image=picture_file("first.jpg"), hero_alt="First.")
    first = review.hero_image.name
    assert renditions_in_bucket(s3_media, first) == WIDER
    with committed():
        response = author_client.post(
            reverse("admin:reviews_review_change", args=[review.pk]),
            review_form(review.film, slug=review.slug, hero_image=hero_upload("second.jpg", size=(1000, 500))),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    review.refresh_from_db()
    assert renditions_in_bucket(s3_media, first) == set()
    assert renditions_in_bucket(s3_media, review.hero_image.name) == {
        "480w.webp",
        "800w.webp",
        "1000w.webp",
        "480w.jpg",
        "800w.jpg",
    }
    assert first in s3_media.stored()  # originals stay: the review's revisions may bring them back
    assert "second" in Client().get(review.get_absolute_url()).content.decode()


def test_deleting_a_review_deletes_its_renditions_from_the_bucket(author_client, author, s3_media, committed):
    with committed():
        review = ReviewFactory(author=author, hero_image=picture_file(), hero_alt="A still.")
    name = review.hero_image.name
    assert renditions_in_bucket(s3_media, name)
    with committed():
        response = author_client.post(reverse("admin:reviews_review_delete", args=[review.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert renditions_in_bucket(s3_media, name) == set()


def test_an_image_dropped_into_the_editor_is_stored_in_the_bucket_and_shown_with_its_size(
    author_client, s3_media, media_root
):
    response = upload(author_client, image_bytes(size=(800, 500)))
    assert response.status_code == 200
    url = response.json()["image_code"].split("(")[1].rstrip(")")
    assert url.startswith(bucket_url(s3_media, "uploads/"))
    assert s3_media.get(url).startswith(b"\x89PNG")
    review = ReviewFactory(body=f"![The stairwell]({url})")
    assert f'height="500" src="{url}" width="800"' in review.body_html  # no layout shift as it arrives
    assert local_files(media_root) == []


def test_a_share_card_draws_the_films_poster_from_the_bucket(client, s3_media):
    poster = picture_file("poster.jpg", size=(600, 900), color="yellow")
    with_poster = ReviewFactory(film=FilmFactory(poster=poster, poster_alt="A yellow poster."))
    without = ReviewFactory(film=FilmFactory())
    assert with_poster.film.poster.name in s3_media.stored(prefix="posters/")
    cards = {}
    for review in (with_poster, without):
        response = client.get(reverse("reviews:review_share_card", args=[review.slug]))
        assert response.status_code == 200
        with Image.open(io.BytesIO(response.content)) as card:
            cards[review] = card.convert("RGB").getcolors(2**24)
    yellow = (255, 255, 0)  # the poster's colour, which nothing else on a card has
    assert any(colour == yellow for _count, colour in cards[with_poster])
    assert not any(colour == yellow for _count, colour in cards[without])


@pytest.fixture
def demo_in_bucket(settings, s3_media):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    return s3_media


def test_the_demo_stores_every_image_in_the_bucket_and_every_page_shows_them_from_there(
    client, demo_in_bucket, media_root
):
    s3 = demo_in_bucket
    assert local_files(media_root) == []
    keys = s3.stored()
    assert any(key.startswith("heroes/") for key in keys) and any(key.startswith("renditions/") for key in keys)
    sitemap = client.get(reverse("sitemap")).content.decode()
    pages = {urlsplit(url).path for url in re.findall(r"<loc>([^<]+)</loc>", sitemap)} | {"/"}
    assert len(pages) > 20
    shown = set()
    for page in sorted(pages):
        response = client.get(page)
        assert response.status_code == 200, page
        # Avatars in the page, share cards drawn by the site, and its own drawings (the silhouette of a person
        # without a photo) among its static files.
        drawn = ("data:", f"{settings.SITE_URL}/", settings.STATIC_URL)
        shown |= {a for a in image_addresses(response.content.decode()) if not a.startswith(drawn)}
    assert len(shown) > 50
    outside = sorted(a for a in shown if not a.startswith(bucket_url(s3)))
    assert outside == []
    assert {a.removeprefix(bucket_url(s3)) for a in shown} <= set(keys)  # and every one of them is there


def test_feeds_give_the_heros_address_in_the_bucket_and_its_size_without_asking_it(client, s3_media, committed):
    with committed():
        review = ReviewFactory(hero_image=picture_file(), hero_alt="A still.")
    requests = []
    default_storage.connection.meta.client.meta.events.register("before-send.s3", lambda **kw: requests.append(kw))
    rss = client.get(reverse("reviews:feed")).content.decode()
    assert requests == []  # the size comes from the row, recorded by the worker
    size = s3_media.client.head_object(Bucket=MEDIA_BUCKET, Key=review.hero_image.name)["ContentLength"]
    url = bucket_url(s3_media, review.hero_image.name)
    assert f'<enclosure length="{size}" type="image/jpeg" url="{url}"/>' in rss
