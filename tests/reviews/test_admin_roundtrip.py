"""The review desk as a browser drives it: add through the add form, save again unchanged, restore revisions.

Every form is read from the page and sent back as a browser would (tests/browser_form.py), with only
what a person types or picks changed.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from reviews.models import Film, Franchise, Genre, Person, Review
from tests.browser_form import admin_errors, browser_form
from tests.factories import FilmFactory, GenreFactory, PersonFactory, ReviewFactory, image_file
from tests.test_admin_roundtrip import AUTO_UPDATED, change_url, resave_unchanged

pytestmark = pytest.mark.django_db


def add_as_browser(client, model, typed: dict, files: dict | None = None):
    """Fill in the add form as a person would (only `typed` changes what the page offers) and press Save."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    data = {**browser_form(client.get(url).content.decode()), **typed, **(files or {})}
    known = set(model._default_manager.values_list("pk", flat=True))
    response = client.post(url, data)
    assert response.status_code == 302, admin_errors(response)
    return model._default_manager.exclude(pk__in=known).get()


def jpeg_upload():
    return SimpleUploadedFile("still.jpg", image_file().read(), content_type="image/jpeg")


@pytest.mark.parametrize("role", ["author", "editor"])
def test_a_review_added_as_a_browser_sends_it_saves_again_unchanged(role, request, client):
    user = request.getfixturevalue(role)
    client.force_login(user)
    film = FilmFactory(title="Ballerina", release_year=2025)
    typed = {
        "film": str(film.pk),
        "title": "Grief with a gun",
        "standfirst": "A new, wounded heart.",
        "body": "## Direction\r\n\r\nConfident, with [[Ballerina]].\r\n",
        "hero_alt": "Eve on a stage under one spotlight.",
        "rating": "4.0",
        # "Add another scorecard line", as the inline's script does it.
        "aspects-TOTAL_FORMS": "1",
        "aspects-0-name": "Acting",
        "aspects-0-score": "4.0",
        "aspects-0-order": "0",
    }
    review = add_as_browser(client, Review, typed, {"hero_image": jpeg_upload()})
    assert (review.rating, review.author, review.body) == (4, user, "## Direction\n\nConfident, with [[Ballerina]].")
    assert (review.hero_width, review.hero_height) == (64, 40)
    assert list(review.aspects.values_list("name", "score")) == [("Acting", 4)]
    assert resave_unchanged(client, user, review) is None


def test_a_film_with_genres_and_credits_added_as_a_browser_sends_it_saves_again_unchanged(author, client):
    client.force_login(author)
    genre, person = GenreFactory(name="Action"), PersonFactory(name="Ana de Armas")
    typed = {
        "title": "Ballerina",
        "release_year": "2025",
        "release_date": "2025-06-06",
        "runtime": "125",
        "synopsis": "Eve trains.\r\n\r\nThen she hunts.",
        "genres": [str(genre.pk)],
        "credits-0-person": str(person.pk),
        "credits-0-character": "Eve Macarro",
    }
    film = add_as_browser(client, Film, typed)
    assert list(film.credits.values_list("person__name", "job", "billing")) == [("Ana de Armas", "cast", 100)]
    assert list(film.genres.all()) == [genre]
    assert resave_unchanged(client, author, film) is None


@pytest.mark.parametrize(
    ("model", "typed"),
    [
        (Person, {"name": "Anjelica Huston", "bio": "Actor.\r\n\r\nDirector too."}),
        (Genre, {"name": "Neo-noir"}),
        (Franchise, {"name": "The World of John Wick", "description": "Hitmen,\r\nand their rules."}),
    ],
    ids=["person", "genre", "franchise"],
)
def test_catalogue_entries_added_as_a_browser_sends_them_save_again_unchanged(model, typed, editor, client):
    client.force_login(editor)
    obj = add_as_browser(client, model, typed)
    assert obj.slug
    assert resave_unchanged(client, editor, obj) is None


def restore_url(record):
    return reverse("admin:reviews_review_simple_history", args=[record.id, record.history_id])


def tracked_values(obj) -> dict:
    """The fields a revision keeps, but for the stamps every save moves."""
    fields = Review.history.model.tracked_fields
    return {f.attname: getattr(obj, f.attname) for f in fields if f.name not in {*AUTO_UPDATED, "created_at"}}


def test_restoring_each_demo_review_to_its_first_revision_brings_back_every_field(demo_site, client):
    User = get_user_model()
    for review in Review.objects.order_by("pk"):
        for user in [review.author, User.objects.get(username="edith")]:
            client.force_login(user)
            first = review.history.earliest()
            edit = browser_form(client.get(change_url(review)).content.decode())
            edit.update(title=f"{review.title}, revised", rating="2.5", body=edit["body"] + "\r\n\r\nA postscript.")
            response = client.post(change_url(review), edit)
            assert response.status_code == 302, admin_errors(response)

            response = client.post(restore_url(first), browser_form(client.get(restore_url(first)).content.decode()))
            assert response.status_code == 302, (review, user, admin_errors(response))
            review.refresh_from_db()
            assert tracked_values(review) == tracked_values(first), (review, user)
            assert tracked_values(review.history.latest()) == tracked_values(first)


def test_a_review_published_from_the_list_saves_again_unchanged(editor, client):
    client.force_login(editor)
    draft = add_as_browser(
        client,
        Review,
        {
            "film": str(FilmFactory().pk),
            "title": "Draft",
            "standfirst": "One line.",
            "body": "Words.",
            "status": "draft",
        },
    )
    changelist = reverse("admin:reviews_review_changelist")
    client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    assert resave_unchanged(client, editor, draft) is None


def test_a_draft_published_from_its_form_is_dated_now_unless_its_date_was_set(admin_client):
    week_ago = timezone.now().replace(microsecond=0) - timedelta(days=7)
    url = lambda review: reverse("admin:reviews_review_change", args=[review.pk])  # noqa: E731
    drafts = [ReviewFactory(status=Review.Status.DRAFT, published_at=week_ago) for _ in range(2)]
    typed = [{}, {"published_at_0": (week_ago - timedelta(days=30)).astimezone().strftime("%Y-%m-%d")}]
    for draft, dated in zip(drafts, typed, strict=True):
        data = browser_form(admin_client.get(url(draft)).content.decode())
        response = admin_client.post(url(draft), {**data, "status": Review.Status.PUBLISHED, **dated})
        assert response.status_code == 302, admin_errors(response)
    published_now, backdated = (Review.objects.get(pk=draft.pk).published_at for draft in drafts)
    assert timezone.now() - published_now < timedelta(minutes=1)  # what readers and subscribers see as new
    assert backdated.date() == (week_ago - timedelta(days=30)).astimezone().date()  # the date the editor typed
