"""Renditions made by the task worker after the save, and pages that never ask the storage.

These run the production configuration: tasks wait in the database for `run_worker`."""

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from reviewblog.management.commands.run_worker import chores_round
from reviews import renditions
from reviews.models import Film, Review
from tests.factories import FilmFactory, ReviewFactory
from tests.reviews.test_renditions import hero_upload, picture_file, pictures, renditions_of, review_form

# The worker runs after the save's real commit, and closes its connection between tasks.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}


def run_worker():
    call_command("run_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


def queued_renditions():
    return DBTaskResult.objects.filter(task_path="reviews.renditions.make_renditions", status="READY")


def hero_of(review) -> str:
    (hero,) = pictures(Client().get(review.get_absolute_url()).content.decode()) or [None]
    return hero


def test_an_uploaded_hero_shows_at_once_and_its_webp_copies_once_the_worker_made_them(author_client):
    response = author_client.post(
        reverse("admin:reviews_review_add"), review_form(FilmFactory(), hero_image=hero_upload(size=(2000, 1000)))
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    review = Review.objects.get()
    assert renditions_of(review.hero_image) == {}  # the save stored the original, nothing more
    html = Client().get(review.get_absolute_url()).content.decode()  # read now, and kept in the page cache
    assert f'<img src="/media/{review.hero_image.name}" width="1600" height="800"' in html
    assert "<picture>" not in html and "srcset" not in html
    assert queued_renditions().count() == 1

    run_worker()
    hero = hero_of(review)  # the cached copy was dropped: the record moved the page's stamp
    assert re.search(r'<source type="image/webp" srcset="[^"]+-480w\.webp 480w, .*-1600w\.webp 1600w"', hero)
    assert "1200w.jpg 1200w" in hero and 'width="1600" height="800"' in hero
    assert not queued_renditions().exists()


def test_a_hero_replaced_before_the_worker_ran_gets_only_its_own_renditions():
    review = ReviewFactory(hero_image=picture_file("first.jpg"), hero_alt="First.")
    first = review.hero_image.name
    review.hero_image = picture_file("second.jpg", size=(1000, 500))
    review.save()
    assert queued_renditions().count() == 2  # one for each image, the first now stale

    run_worker()
    review.refresh_from_db()
    assert review.hero_renditions["for"] == review.hero_image.name != first
    assert not list((Path(settings.MEDIA_ROOT) / "renditions/heroes").glob("first*"))  # never made
    assert set(renditions_of(review.hero_image)) == {"480w.webp", "800w.webp", "1000w.webp", "480w.jpg", "800w.jpg"}
    assert "second" in hero_of(review) and "first" not in hero_of(review)


def test_renditions_finished_after_the_hero_was_replaced_are_never_recorded():
    review = ReviewFactory(hero_image=picture_file("first.jpg"), hero_alt="First.")
    first = review.hero_image
    made = renditions.make(first)  # the worker encoded the first image…
    Review.objects.filter(pk=review.pk).update(hero_image="heroes/elsewhere.jpg")  # …while the author replaced it
    assert renditions._record(Review, review.pk, "hero_image", first.name, renditions._made(made)) is False
    assert Review.objects.get(pk=review.pk).hero_renditions.get("state") != "made"
    assert renditions.make_for("reviews.Review", review.pk, "hero_image", first.name) == "replaced"


def test_images_saved_while_the_worker_was_down_get_their_renditions_when_it_is_back():
    film = FilmFactory(poster=picture_file("poster.jpg", size=(600, 900)), poster_alt="The poster.")
    review = ReviewFactory(film=film, hero_image=picture_file(), hero_alt="A still.")
    assert "srcset" not in Client().get(review.get_absolute_url()).content.decode()
    run_worker()  # back up: the tasks waited in the database
    assert len(renditions_of(film.poster)) == 3 and len(renditions_of(review.hero_image)) == 7
    assert "-480w.webp" in hero_of(review)


def test_the_chores_make_renditions_whose_task_was_lost_once_its_grace_has_passed():
    review = ReviewFactory(hero_image=picture_file(), hero_alt="A still.")
    posters = Path(settings.MEDIA_ROOT) / "posters"
    posters.mkdir()
    shutil.copy(Path(settings.MEDIA_ROOT) / review.hero_image.name, posters / "by-update.jpg")
    Film.objects.filter(pk=review.film_id).update(  # no save(): no task was ever queued for it
        poster="posters/by-update.jpg", poster_alt="A poster.", poster_width=1600, poster_height=800
    )
    DBTaskResult.objects.all().delete()  # the hero's task is lost (a crash between commit and queueing, say)

    chores_round()
    assert renditions_of(review.hero_image) == {}  # still within its grace: its task may yet come
    assert len(renditions_of(Film.objects.get(pk=review.film_id).poster)) == 7  # never queued: made at once

    Review.objects.filter(pk=review.pk).update(hero_renditions_due=timezone.now())  # its grace runs out
    chores_round()
    assert len(renditions_of(review.hero_image)) == 7
    assert "-480w.webp" in hero_of(review)


def test_copies_made_before_the_record_existed_are_adopted_not_encoded_again():
    review = ReviewFactory(hero_image=picture_file(), hero_alt="A still.")
    run_worker()
    files = sorted((Path(settings.MEDIA_ROOT) / "renditions/heroes").iterdir())
    written = [f.stat().st_mtime_ns for f in files]
    Review.objects.filter(pk=review.pk).update(hero_renditions={})  # as the migration leaves older rows
    assert hero_of(review) is None
    chores_round()
    assert [f.stat().st_mtime_ns for f in files] == written
    assert "-480w.webp" in hero_of(review)


class CountingStorage(FileSystemStorage):
    """The site's file storage, counting every question asked of the files themselves."""

    calls = Counter()

    def exists(self, name):
        self.calls["exists"] += 1
        return super().exists(name)

    def size(self, name):
        self.calls["size"] += 1
        return super().size(name)

    def open(self, name, mode="rb"):
        self.calls["open"] += 1
        return super().open(name, mode)

    def listdir(self, path):
        self.calls["listdir"] += 1
        return super().listdir(path)


def test_pages_with_pictures_never_ask_the_storage_about_files(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.CountingStorage"}}
    film = FilmFactory(poster=picture_file("poster.jpg", size=(600, 900)), poster_alt="The poster.")
    review = ReviewFactory(film=film, hero_image=picture_file(), hero_alt="A still.")
    run_worker()
    assert CountingStorage.calls["open"]  # the worker read the originals through it
    shutil.rmtree(Path(settings.MEDIA_ROOT) / "renditions")  # the pages go by the row's record alone
    CountingStorage.calls.clear()
    for url in [reverse("reviews:home"), review.get_absolute_url(), film.get_absolute_url()]:
        html = Client().get(url).content.decode()
        assert f"/media/renditions/{review.hero_image.name}-480w.webp 480w" in html or "poster.jpg-480w.webp" in html
    assert CountingStorage.calls == Counter()


def test_a_row_given_an_image_another_row_shows_shows_its_renditions_at_once():
    """As an import or a copied review does: the image is stored already, and so are its renditions."""
    review = ReviewFactory(hero_image=picture_file(), hero_alt="A still.")
    run_worker()
    copy = ReviewFactory(film=review.film, hero_image=review.hero_image.name, hero_alt="The same still.")
    assert not queued_renditions().exists()
    assert "-480w.webp" in hero_of(copy)


def test_renditions_claimed_by_one_worker_are_not_made_again_by_another():
    review = ReviewFactory(hero_image=picture_file(), hero_alt="A still.")
    (queued,) = queued_renditions()
    Review.objects.filter(pk=review.pk).update(hero_renditions_due=timezone.now())  # its grace has passed
    row = Review.objects.get(pk=review.pk)
    # One worker's chores claim it (and are, say, still encoding) …
    assert renditions.claim(Review, review.pk, "hero_image", review.hero_image.name, row.hero_renditions_due)
    chores_round()  # … another worker's chores leave it
    run_worker()  # … and so does its own task, which comes late
    assert renditions_of(review.hero_image) == {}
    assert DBTaskResult.objects.get(pk=queued.pk).return_value == "taken"

    # The first worker was killed: once its claim runs out, the chores make them.
    Review.objects.filter(pk=review.pk).update(hero_renditions_due=timezone.now())
    chores_round()
    assert len(renditions_of(review.hero_image)) == 7
    assert Review.objects.get(pk=review.pk).hero_renditions_due is None
