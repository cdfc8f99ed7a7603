import io
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from reviewblog import settings as site_settings
from reviews.models import AuthorProfile, Film, Person, Review
from tests.factories import (
    CreditFactory,
    FilmFactory,
    PersonFactory,
    ReviewAspectFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CARD_EAGER = 3  # the first row of cards loads at once


def picture_bytes(size=(1600, 800), fmt="JPEG", mode="RGB", color="purple"):
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=fmt)
    return out.getvalue()


def picture_file(name="still.jpg", **kwargs):
    return ContentFile(picture_bytes(**kwargs), name=name)


def renditions_of(file) -> dict[str, tuple[str, tuple[int, int]]]:
    """{"480w.webp": ("WEBP", (480, 270)), …}: every rendition of an image, opened with Pillow."""
    folder = Path(settings.MEDIA_ROOT) / "renditions" / Path(file.name).parent
    prefix = f"{Path(file.name).name}-"
    found = {}
    for path in sorted(folder.glob(f"{prefix}*")) if folder.exists() else []:
        with Image.open(path) as image:
            found[path.name.removeprefix(prefix)] = (image.format, image.size)
    return found


def review_form(film, **overrides):
    return {
        "film": film.pk,
        "title": "Grief with a gun",
        "slug": "",
        "standfirst": "A new, wounded heart.",
        "body": "Confident.",
        "hero_alt": "Eve on a stage under one spotlight.",
        "hero_caption": "",
        "rating": "4.5",
        "status": "published",
        "published_at_0": "2025-06-20",
        "published_at_1": "09:00:00",
        "comments_open": "on",
        "aspects-TOTAL_FORMS": "0",
        "aspects-INITIAL_FORMS": "0",
        **overrides,
    }


def hero_upload(name="phone-photo.jpg", **kwargs):
    return SimpleUploadedFile(name, picture_bytes(**kwargs), content_type="image/jpeg")


def pictures(html) -> list[str]:
    return re.findall(r"<picture>.*?</picture>", html, re.S)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` the change commits, and the renditions task it queued runs (the immediate backend)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# --- Made on upload ---


def test_an_author_uploading_a_hero_in_the_admin_gets_webp_and_jpeg_copies_at_each_width(author_client, committed):
    with committed():
        response = author_client.post(
            reverse("admin:reviews_review_add"), review_form(FilmFactory(), hero_image=hero_upload(size=(2400, 1200)))
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    review = Review.objects.get()
    # The 2400 px upload was capped at 1600 px; the copies go down from there, and the original is the widest JPEG.
    assert renditions_of(review.hero_image) == {
        "480w.webp": ("WEBP", (480, 240)),
        "800w.webp": ("WEBP", (800, 400)),
        "1200w.webp": ("WEBP", (1200, 600)),
        "1600w.webp": ("WEBP", (1600, 800)),
        "480w.jpg": ("JPEG", (480, 240)),
        "800w.jpg": ("JPEG", (800, 400)),
        "1200w.jpg": ("JPEG", (1200, 600)),
    }


@pytest.mark.parametrize(
    ("make_row", "field"),
    [
        (lambda image: FilmFactory(poster=image, poster_alt="The poster."), "poster"),
        (lambda image: PersonFactory(photo=image, photo_alt="A portrait."), "photo"),
        (lambda image: ReviewFactory(hero_image=image, hero_alt="A still."), "hero_image"),
        (
            lambda image: AuthorProfile.objects.create(user=UserFactory(), photo=image, photo_alt="The author."),
            "photo",
        ),
    ],
    ids=["poster", "person photo", "hero", "author photo"],
)
def test_saving_a_new_image_makes_renditions_never_wider_than_the_original(make_row, field, committed):
    with committed():
        row = make_row(picture_file("portrait.jpg", size=(900, 1350)))
    assert renditions_of(getattr(row, field)) == {
        "480w.webp": ("WEBP", (480, 720)),
        "800w.webp": ("WEBP", (800, 1200)),
        "900w.webp": ("WEBP", (900, 1350)),
        "480w.jpg": ("JPEG", (480, 720)),
        "800w.jpg": ("JPEG", (800, 1200)),
    }


def test_a_transparent_png_keeps_png_for_browsers_without_webp_and_an_opaque_one_gets_jpeg(committed):
    with committed():
        clear = FilmFactory(
            poster=picture_file("logo.png", fmt="PNG", mode="RGBA", color=(0, 0, 0, 0)), poster_alt="Logo"
        )
        solid = FilmFactory(poster=picture_file("shot.png", size=(600, 400), fmt="PNG", mode="RGBA"), poster_alt="Shot")
    assert renditions_of(clear.poster)["480w.png"] == ("PNG", (480, 240))
    assert renditions_of(solid.poster)["480w.jpg"] == ("JPEG", (480, 320))
    with Image.open(Path(settings.MEDIA_ROOT) / f"renditions/{clear.poster.name}-480w.png") as image:
        assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0


def test_a_webp_original_also_gets_a_full_width_jpeg_and_pages_serve_it_to_older_browsers(client, committed):
    with committed():
        review = ReviewFactory(hero_image=picture_file("still.webp", size=(1000, 500), fmt="WEBP"), hero_alt="A still.")
    assert renditions_of(review.hero_image)["1000w.jpg"] == ("JPEG", (1000, 500))
    html = client.get(review.get_absolute_url()).content.decode()
    assert f'<img src="/media/renditions/{review.hero_image.name}-1000w.jpg"' in html


def test_a_small_image_is_never_upscaled(committed):
    with committed():
        person = PersonFactory(photo=picture_file(size=(300, 400)), photo_alt="A portrait.")
    assert renditions_of(person.photo) == {"300w.webp": ("WEBP", (300, 400))}


# --- Replaced and removed with the image ---


def test_uploading_a_new_hero_in_the_admin_replaces_the_old_renditions(
    author_client, author, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review = ReviewFactory(author=author, hero_image=picture_file("first.jpg"), hero_alt="First.")
    old = review.hero_image.name
    assert renditions_of(review.hero_image)
    with django_capture_on_commit_callbacks(execute=True):
        response = author_client.post(
            reverse("admin:reviews_review_change", args=[review.pk]),
            review_form(review.film, slug=review.slug, hero_image=hero_upload("second.jpg", size=(1000, 500))),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    review.refresh_from_db()
    assert review.hero_image.name != old
    assert not list((Path(settings.MEDIA_ROOT) / "renditions/heroes").glob("first*"))
    assert set(renditions_of(review.hero_image)) == {"480w.webp", "800w.webp", "1000w.webp", "480w.jpg", "800w.jpg"}


def test_clearing_the_hero_in_the_admin_removes_its_renditions(
    author_client, author, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review = ReviewFactory(author=author, hero_image=picture_file(), hero_alt="A still.")
    hero = review.hero_image
    assert renditions_of(hero)
    with django_capture_on_commit_callbacks(execute=True):
        response = author_client.post(
            reverse("admin:reviews_review_change", args=[review.pk]),
            review_form(review.film, slug=review.slug, hero_alt="", **{"hero_image-clear": "on"}),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    review.refresh_from_db()
    assert not review.hero_image
    assert renditions_of(hero) == {}


def test_deleting_a_review_in_the_admin_removes_its_renditions(
    author_client, author, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review = ReviewFactory(author=author, hero_image=picture_file(), hero_alt="A still.")
    hero = review.hero_image
    assert renditions_of(hero)
    with django_capture_on_commit_callbacks(execute=True):
        response = author_client.post(reverse("admin:reviews_review_delete", args=[review.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Review.objects.exists()
    assert renditions_of(hero) == {}


def test_deleting_films_in_bulk_removes_their_renditions_but_keeps_those_of_a_shared_image(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        doomed = FilmFactory(poster=picture_file("doomed.jpg"), poster_alt="Doomed.")
        kept = FilmFactory(poster=picture_file("kept.jpg"), poster_alt="Kept.")
        twin = FilmFactory(poster=kept.poster.name, poster_alt="The same poster.")
    assert renditions_of(doomed.poster) and renditions_of(kept.poster)
    with django_capture_on_commit_callbacks(execute=True):
        Film.objects.filter(pk__in=[doomed.pk, twin.pk]).delete()
    assert renditions_of(doomed.poster) == {}
    assert renditions_of(kept.poster)  # the other film still shows it


def test_saving_a_model_with_a_new_image_replaces_the_old_renditions(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person = PersonFactory(photo=picture_file("before.jpg"), photo_alt="Before.")
    before = person.photo
    with django_capture_on_commit_callbacks(execute=True):
        person.photo = picture_file("after.jpg", size=(500, 500))
        person.save()
    assert renditions_of(before) == {}
    assert renditions_of(person.photo) == {
        "480w.webp": ("WEBP", (480, 480)),
        "500w.webp": ("WEBP", (500, 500)),
        "480w.jpg": ("JPEG", (480, 480)),
    }


def test_restoring_a_revision_brings_back_its_image_and_drops_the_replaced_one(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review = ReviewFactory(hero_image=picture_file("first.jpg"), hero_alt="First.")
    first = review.hero_image
    with django_capture_on_commit_callbacks(execute=True):
        review.hero_image = picture_file("second.jpg")
        review.save()
    second = review.hero_image
    assert renditions_of(first) == {} and renditions_of(second)
    with django_capture_on_commit_callbacks(execute=True):
        review.history.earliest().instance.save()  # what the admin's "Revert" does
    assert Review.objects.get().hero_image.name == first.name
    assert len(renditions_of(first)) == 7
    assert renditions_of(second) == {}


def test_an_unreadable_original_never_stops_a_save_and_its_page_shows_the_original(client, committed, caplog):
    film = FilmFactory()
    film.poster.save("broken.jpg", ContentFile(b"not an image"), save=False)
    film.poster_alt, film.poster_width, film.poster_height = "Broken.", 600, 900
    with caplog.at_level(logging.WARNING, logger="reviews.renditions"), committed():
        film.save()
    assert Film.objects.get(pk=film.pk).poster.name == film.poster.name
    assert "Could not make renditions of posters/broken" in caplog.text
    html = client.get(film.get_absolute_url()).content.decode()
    assert f'<img src="/media/{film.poster.name}" width="600" height="900"' in html and "<picture>" not in html


# --- Pages ---


def test_cards_offer_webp_and_jpeg_sources_and_load_only_the_first_row_at_once(client, committed):
    with committed():
        ReviewFactory.create_batch(CARD_EAGER + 2, hero_image=picture_file(), hero_alt="A still.")
    html = client.get(reverse("reviews:home")).content.decode()
    lead, *cards = pictures(html)
    # The lead story, full width, loads first of all; then the grid's first row at once, the rest lazily.
    assert 'sizes="(min-width: 74.5rem) 44rem,' in lead and 'loading="eager" fetchpriority="high"' in lead
    assert len(cards) == CARD_EAGER + 1
    for n, card in enumerate(cards):
        assert re.search(r'<source type="image/webp" srcset="[^"]+-480w\.webp 480w, [^"]+-1600w\.webp 1600w"', card)
        assert re.search(
            r'<img src="/media/heroes/[^"]+" srcset="[^"]+-480w\.jpg 480w, .*/media/heroes/\S+ 1600w"', card
        )
        assert 'sizes="(min-width: 74.5rem) 23rem,' in card
        assert 'width="1600" height="800" alt=""' in card
        loading = 'loading="eager"' if n < CARD_EAGER else 'loading="lazy"'
        assert loading in card and 'decoding="async"' in card and "fetchpriority" not in card


def test_the_review_page_hero_loads_first_at_the_width_of_the_article(client, committed):
    with committed():
        review = ReviewFactory(hero_image=picture_file(), hero_alt="Eve on a stage under one spotlight.")
    (hero,) = pictures(client.get(review.get_absolute_url()).content.decode())
    assert 'sizes="(min-width: 46.5rem) 44rem, calc(100vw - 2.5rem)"' in hero  # the 44rem article column
    assert 'width="1600" height="800" alt="Eve on a stage under one spotlight."' in hero
    assert 'loading="eager" fetchpriority="high"' in hero
    assert "1200w.webp 1200w" in hero and "1200w.jpg 1200w" in hero


@pytest.mark.parametrize(
    ("make_row", "css_class"),
    [
        (lambda image: FilmFactory(poster=image, poster_alt="The poster."), "poster"),
        (lambda image: PersonFactory(photo=image, photo_alt="A portrait."), "portrait"),
    ],
    ids=["film poster", "person photo"],
)
def test_film_and_person_pages_show_responsive_posters_and_photos(client, make_row, css_class, committed):
    with committed():
        row = make_row(picture_file(size=(600, 900)))
    (image,) = pictures(client.get(row.get_absolute_url()).content.decode())
    assert '<source type="image/webp" srcset="/media/renditions/' in image and "600w.webp 600w" in image
    assert f'width="600" height="900" alt="{"The poster." if css_class == "poster" else "A portrait."}"' in image
    assert f'class="{css_class}" loading="eager" fetchpriority="high"' in image


def test_a_person_page_loads_the_first_known_for_poster_first_and_the_others_lazily(client, committed):
    person = PersonFactory()  # no photo: the posters are the page's pictures
    with committed():
        for billing, title in enumerate(["Blade Runner 2049", "Knives Out", "Ballerina"]):
            film = FilmFactory(title=title, poster=picture_file(size=(600, 900)), poster_alt=f"{title}'s poster.")
            CreditFactory(person=person, film=film, billing=billing)
    first, *others = pictures(client.get(person.get_absolute_url()).content.decode())
    assert 'loading="eager" fetchpriority="high"' in first and "/posters/" in first  # the largest paint on phones
    assert len(others) == 2
    for poster in others:
        assert 'loading="lazy"' in poster and "fetchpriority" not in poster


def test_with_the_default_widths_faces_and_thumbnails_get_a_small_copy(client, settings, committed):
    settings.IMAGE_RENDITION_WIDTHS = site_settings.IMAGE_RENDITION_WIDTHS  # the production default
    photo = io.BytesIO()
    Image.effect_noise((800, 1000), 40).convert("RGB").save(photo, format="JPEG")  # detail, like a real face
    with committed():
        person = PersonFactory(photo=ContentFile(photo.getvalue(), name="face.jpg"), photo_alt="A portrait.")
        film = CreditFactory(person=person).film
    html = client.get(film.get_absolute_url()).content.decode()

    face = re.search(r"<picture>(?:(?!</picture>).)*class=\"face\"(?:(?!</picture>).)*</picture>", html, re.S)
    assert face and " 160w" in face.group(0)
    folder = Path(settings.MEDIA_ROOT) / "renditions"
    small, larger = (folder / f"{person.photo.name}-{width}w.webp" for width in (160, 480))
    assert small.stat().st_size * 4 < larger.stat().st_size  # a 44 px face fetches a few KB, not the 480 px copy


def test_an_image_without_renditions_shows_the_original_with_its_size(client):
    """A new upload before the worker made its renditions (here: never committed), or an old one."""
    review = ReviewFactory(hero_image=picture_file(), hero_alt="A still.")
    assert renditions_of(review.hero_image) == {}
    for url in [review.get_absolute_url(), reverse("reviews:home")]:
        html = client.get(url).content.decode()
        assert f'<img src="/media/{review.hero_image.name}" width="1600" height="800"' in html
        assert "srcset" not in html and "<picture>" not in html


def test_responsive_images_add_no_queries(client, committed):
    with committed():
        film = FilmFactory(poster=picture_file(size=(600, 900)), poster_alt="The poster.")
        CreditFactory.create_batch(50, film=film)
        review = ReviewFactory(film=film, hero_image=picture_file(), hero_alt="A still.")
        ReviewFactory.create_batch(30, film=film, hero_image=picture_file(size=(640, 360)), hero_alt="A still.")
        ReviewAspectFactory(review=review)
        person = PersonFactory(photo=picture_file(size=(400, 600)), photo_alt="A portrait.")
        CreditFactory.create_batch(50, person=person)
    urls = [reverse("reviews:home"), review.get_absolute_url(), film.get_absolute_url(), person.get_absolute_url()]

    def count_queries():
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                html = client.get(url).content.decode()
            counts.append((len(queries), html.count("<picture>")))
        return counts

    with_images = count_queries()
    Review.objects.update(hero_image="")
    Film.objects.update(poster="")
    Person.objects.update(photo="")
    caches["pages"].clear()  # update() skips save(), so nothing tells the page cache the pages changed
    without_images = count_queries()
    assert [n for n, _ in with_images] == [n for n, _ in without_images]
    # Home: the cards and the lead's film poster ("now reviewing"); film: 31 cards and the poster.
    assert [images for _, images in with_images] == [settings.REVIEWS_PER_PAGE + 1, 1, 32, 1]
    assert [images for _, images in without_images] == [0, 0, 0, 0]  # …and no images, responsive or not
    sources = re.findall(r'<img [^>]*src="([^"]+)"', client.get(person.get_absolute_url()).content.decode())
    assert set(sources) == {"/static/img/person-placeholder.svg"}  # only the drawn silhouette stands in


# --- Old images ---


def test_make_renditions_builds_what_old_uploads_are_missing_and_then_nothing():
    film = FilmFactory(poster=picture_file(size=(600, 900)), poster_alt="The poster.")
    review = ReviewFactory(hero_image=picture_file(), hero_alt="A still.")  # queued, the task never ran
    out = io.StringIO()
    call_command("make_renditions", stdout=out)
    assert "Made renditions of 2 image(s)." in out.getvalue()
    assert len(renditions_of(film.poster)) == 3 and len(renditions_of(review.hero_image)) == 7
    call_command("make_renditions", stdout=out)
    assert "Made renditions of 0 image(s)." in out.getvalue()
    call_command("make_renditions", "--force", stdout=out)
    assert out.getvalue().endswith("Made renditions of 2 image(s).\n")


def test_make_renditions_after_a_change_of_widths_drops_the_old_ones(settings, committed):
    with committed():
        film = FilmFactory(poster=picture_file(size=(600, 900)), poster_alt="The poster.")
    settings.IMAGE_RENDITION_WIDTHS = [320]
    call_command("make_renditions", "--force", stdout=io.StringIO())
    assert set(renditions_of(film.poster)) == {"320w.webp", "600w.webp", "320w.jpg"}


def test_demo_content_gets_renditions(settings, client):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    for film in Film.objects.all():
        assert "480w.webp" in renditions_of(film.poster)
    html = client.get(reverse("reviews:home")).content.decode()
    with_hero = Review.objects.published().exclude(hero_image="").count()
    # A poster over a blurred copy: two; an article with neither shows its title instead.
    without = Review.objects.published().filter(hero_image="", film__poster__gt="").count()
    assert len(pictures(html)) == with_hero + 2 * without + 1  # + the lead's film poster, "now reviewing"


def test_restoring_a_revision_in_the_admin_drops_the_replaced_images_renditions(
    editor_client, django_capture_on_commit_callbacks
):
    from tests.reviews.test_revisions import form_data, restore_url

    with django_capture_on_commit_callbacks(execute=True):
        review = ReviewFactory(hero_image=picture_file("first.jpg"), hero_alt="First.")
    first = review.hero_image
    with django_capture_on_commit_callbacks(execute=True):
        review = Review.objects.get(pk=review.pk)
        review.hero_image = picture_file("second.jpg")
        review.save()
    second = review.hero_image
    revision = review.history.earliest()
    form = editor_client.get(restore_url(revision)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(restore_url(revision), form_data(form)).status_code == 302
    assert Review.objects.get().hero_image.name == first.name
    assert len(renditions_of(first)) == 7
    assert renditions_of(second) == {}


def test_replacing_an_image_on_a_row_loaded_without_it_drops_the_old_renditions(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person = PersonFactory(photo=picture_file("before.jpg", size=(500, 500)), photo_alt="Before.")
    before = person.photo
    with django_capture_on_commit_callbacks(execute=True):
        partial = Person.objects.only("pk", "name").get(pk=person.pk)
        partial.photo = picture_file("after.jpg", size=(500, 500))
        partial.photo_alt = "After."
        partial.save()
    assert renditions_of(before) == {}
