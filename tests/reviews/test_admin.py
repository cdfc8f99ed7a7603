import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from reviews.models import Credit, Film, Review
from tests.browser_form import admin_errors, browser_form
from tests.factories import (
    CreditFactory,
    FilmFactory,
    PersonFactory,
    ReviewAspectFactory,
    ReviewFactory,
    UserFactory,
    image_file,
)

pytestmark = pytest.mark.django_db


def change_url(review):
    return reverse("admin:reviews_review_change", args=[review.pk])


def review_form(film, **overrides):
    data = {
        "film": film.pk,
        "title": "Grief with a gun",
        "slug": "",
        "standfirst": "A new, wounded heart.",
        "body": "## Direction\n\nConfident.",
        "hero_alt": "",
        "hero_caption": "",
        "rating": "4.5",
        "status": "published",
        "published_at_0": "2025-06-20",
        "published_at_1": "09:00:00",
        "comments_open": "on",
        "aspects-TOTAL_FORMS": "1",
        "aspects-INITIAL_FORMS": "0",
        "aspects-0-name": "Acting",
        "aspects-0-score": "5",
        "aspects-0-order": "0",
    }
    return {**data, **overrides}


def test_editorial_groups_exist_after_migrate_with_their_permissions():
    perms = {
        name: set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        for name in ["Authors", "Editors", "Moderators"]
    }
    assert {"add_review", "change_review", "add_film", "add_credit"} <= perms["Authors"]
    assert "edit_any_review" not in perms["Authors"]
    assert {"edit_any_review", "delete_film", "change_genre"} <= perms["Editors"]
    assert not perms["Moderators"] & {"change_review", "add_review"}


def test_author_writes_a_review_with_a_scorecard(author_client, author):
    film = FilmFactory(title="Ballerina")
    response = author_client.post(reverse("admin:reviews_review_add"), review_form(film))
    assert response.status_code == 302, response.content.decode()[:2000]
    review = Review.objects.get()
    assert review.author == author
    assert review.slug == "grief-with-a-gun"
    assert '<h2 id="direction">' in review.body_html
    assert [(a.name, str(a.score)) for a in review.aspects.all()] == [("Acting", "5.0")]


def test_an_author_cannot_write_in_someone_elses_name(author_client, author, other_author):
    film = FilmFactory()
    author_client.post(reverse("admin:reviews_review_add"), review_form(film, author=other_author.pk))
    assert Review.objects.get().author == author


def test_a_bad_rating_in_the_admin_gets_a_message_not_an_error(author_client):
    response = author_client.post(reverse("admin:reviews_review_add"), review_form(FilmFactory(), rating="4.3"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Review.objects.exists()


def test_authors_see_and_edit_only_their_own_reviews(author_client, author, other_author):
    mine = ReviewFactory(author=author, title="Mine")
    theirs = ReviewFactory(author=other_author, title="Theirs", status=Review.Status.DRAFT)
    listing = author_client.get(reverse("admin:reviews_review_changelist")).content.decode()
    assert "Mine" in listing and "Theirs" not in listing
    assert author_client.get(change_url(mine)).status_code == 200
    assert author_client.get(change_url(theirs)).status_code in (302, 403, 404)
    # Nor can they publish it by posting the form directly.
    author_client.post(change_url(theirs), review_form(theirs.film, title="Hijacked", status="published"))
    theirs.refresh_from_db()
    assert (theirs.title, theirs.status) == ("Theirs", Review.Status.DRAFT)


def test_authors_cannot_publish_another_authors_draft_with_the_bulk_action(author_client, other_author):
    theirs = ReviewFactory(author=other_author, status=Review.Status.DRAFT)
    author_client.post(
        reverse("admin:reviews_review_changelist"), {"action": "publish", "_selected_action": [theirs.pk]}
    )
    theirs.refresh_from_db()
    assert theirs.status == Review.Status.DRAFT


def test_editors_edit_and_publish_anyones_review(editor_client, other_author):
    theirs = ReviewFactory(author=other_author, status=Review.Status.DRAFT)
    response = editor_client.post(
        reverse("admin:reviews_review_changelist"), {"action": "publish", "_selected_action": [theirs.pk]}
    )
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == Review.Status.PUBLISHED
    response = editor_client.post(change_url(theirs), review_form(theirs.film, author=other_author.pk, title="Tidied"))
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.title == "Tidied" and theirs.author == other_author


def test_review_editor_is_markdownx_with_live_preview(author_client):
    html = author_client.get(reverse("admin:reviews_review_add")).content.decode()
    assert 'class="markdownx"' in html
    assert 'data-markdownx-urls-path="/markdownx/markdownify/"' in html
    assert 'data-markdownx-upload-urls-path="/markdownx/upload/"' in html
    assert "markdownx/js/markdownx" in html
    assert "js/editor.js" in html


def test_film_admin_edits_credits_inline(author_client):
    person = PersonFactory(name="Ana de Armas")
    response = author_client.post(
        reverse("admin:reviews_film_add"),
        {
            "title": "Ballerina",
            "slug": "",
            "release_year": "2025",
            "release_date": "2025-06-06",
            "runtime": "125",
            "synopsis": "",
            "poster_alt": "",
            "credits-TOTAL_FORMS": "2",
            "credits-INITIAL_FORMS": "0",
            "credits-0-person": person.pk,
            "credits-0-job": "cast",
            "credits-0-character": "Eve Macarro",
            "credits-0-billing": "1",
            "credits-1-person": person.pk,
            "credits-1-job": "producer",
            "credits-1-character": "",
            "credits-1-billing": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    film = Film.objects.get()
    assert film.slug == "ballerina-2025"
    assert sorted(film.credits.values_list("job", flat=True)) == [Credit.Job.CAST, Credit.Job.PRODUCER]


def test_people_and_films_can_be_found_by_autocomplete(author_client):
    PersonFactory(name="Anjelica Huston")
    PersonFactory(name="Gabriel Byrne")
    FilmFactory(title="The Villainess")
    people = author_client.get(
        reverse("admin:autocomplete"),
        {"term": "anj", "app_label": "reviews", "model_name": "credit", "field_name": "person"},
    ).json()
    assert [r["text"] for r in people["results"]] == ["Anjelica Huston"]
    films = author_client.get(
        reverse("admin:autocomplete"),
        {"term": "villa", "app_label": "reviews", "model_name": "review", "field_name": "film"},
    ).json()
    assert [r["text"] for r in films["results"]] == ["The Villainess (2017)"]


def test_admin_lists_scheduled_reviews_as_scheduled(editor_client):
    ReviewFactory(published_at=timezone.now() + timezone.timedelta(days=3))
    assert "Scheduled for" in editor_client.get(reverse("admin:reviews_review_changelist")).content.decode()


def jpeg_with_gps():
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    exif[0x010F] = "SpyCam"
    out = io.BytesIO()
    Image.new("RGB", (2400, 1200), "purple").save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_hero_images_uploaded_in_the_admin_are_resized_and_stripped_of_location(author_client, settings):
    hero = SimpleUploadedFile("phone-photo.jpg", jpeg_with_gps(), content_type="image/jpeg")
    data = review_form(FilmFactory(), hero_image=hero, hero_alt="Eve on a stage under one spotlight.")
    response = author_client.post(reverse("admin:reviews_review_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    review = Review.objects.get()
    with Image.open(review.hero_image.path) as saved:
        assert saved.size == (settings.IMAGE_MAX_WIDTH, settings.IMAGE_MAX_WIDTH // 2)
        assert dict(saved.getexif()) == {}
    assert (review.hero_width, review.hero_height) == (settings.IMAGE_MAX_WIDTH, settings.IMAGE_MAX_WIDTH // 2)


def test_a_hero_image_that_fails_the_checks_gets_a_message_and_the_form_keeps_the_text(author_client):
    bmp = io.BytesIO()
    Image.new("RGB", (40, 40)).save(bmp, format="BMP")
    # A real image, so Django's own check passes; ours accepts only formats browsers handle well.
    fake = SimpleUploadedFile("hero.bmp", bmp.getvalue(), content_type="image/bmp")
    data = review_form(FilmFactory(), hero_image=fake, hero_alt="Something", title="Keep this title")
    response = author_client.post(reverse("admin:reviews_review_add"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "BMP images are not accepted" in html
    assert 'value="Keep this title"' in html
    assert not Review.objects.exists()


def test_moving_a_review_back_to_draft_hides_it_from_readers(editor_client, client):
    review = ReviewFactory()
    assert client.get(review.get_absolute_url()).status_code == 200
    response = editor_client.post(
        reverse("admin:reviews_review_changelist"), {"action": "unpublish", "_selected_action": [review.pk]}
    )
    assert response.status_code == 302
    client.logout()
    assert client.get(review.get_absolute_url()).status_code == 404


def test_publishing_an_old_draft_dates_it_now_but_keeps_a_schedule(editor_client):
    old = ReviewFactory(status=Review.Status.DRAFT, published_at=timezone.now() - timezone.timedelta(days=400))
    later = timezone.now() + timezone.timedelta(days=5)
    scheduled = ReviewFactory(status=Review.Status.DRAFT, published_at=later)
    editor_client.post(
        reverse("admin:reviews_review_changelist"),
        {"action": "publish", "_selected_action": [old.pk, scheduled.pk]},
    )
    old.refresh_from_db()
    scheduled.refresh_from_db()
    assert timezone.now() - old.published_at < timezone.timedelta(minutes=1)
    assert scheduled.published_at == later
    assert list(Review.objects.published()) == [old]


def test_saving_a_review_as_the_browser_sends_it_keeps_its_whole_number_rating(author_client, author):
    review = ReviewFactory(author=author, rating=Decimal("4"))
    html = author_client.get(change_url(review)).content.decode()
    assert '<option value="4.0" selected>4</option>' in html
    response = author_client.post(change_url(review), {**browser_form(html), "title": "Only the title changed"})
    assert response.status_code == 302, admin_errors(response)
    review.refresh_from_db()
    assert (review.title, review.rating) == ("Only the title changed", Decimal("4"))


def test_an_unchanged_scorecard_with_whole_number_scores_saves_as_it_is(author_client, author):
    review = ReviewFactory(author=author, rating=Decimal("3.5"))
    ReviewAspectFactory(review=review, name="Acting", score=Decimal("4"))
    ReviewAspectFactory(review=review, name="Writing", score=Decimal("2.5"))
    html = author_client.get(change_url(review)).content.decode()
    response = author_client.post(change_url(review), browser_form(html))
    assert response.status_code == 302, admin_errors(response)
    assert list(review.aspects.values_list("name", "score")) == [("Acting", Decimal("4")), ("Writing", Decimal("2.5"))]


def test_a_whole_number_rating_typed_without_its_decimal_is_still_accepted(author_client):
    response = author_client.post(reverse("admin:reviews_review_add"), review_form(FilmFactory(), rating="4"))
    assert response.status_code == 302, admin_errors(response)
    assert Review.objects.get().rating == Decimal("4")


def test_the_film_picker_ranks_titles_before_cast_matches(author_client):
    blonde = FilmFactory(title="Atomic Blonde", release_year=2017)
    CreditFactory(film=blonde, person=PersonFactory(name="John Goodman"))
    FilmFactory(title="Finding Johnny", release_year=2020)
    FilmFactory(title="John Wick", release_year=2014)
    films = author_client.get(
        reverse("admin:autocomplete"),
        {"term": "John", "app_label": "reviews", "model_name": "review", "field_name": "film"},
    ).json()
    titles = [r["text"] for r in films["results"]]
    assert titles == ["John Wick (2014)", "Finding Johnny (2020)", "Atomic Blonde (2017)"]


def test_a_review_whose_hero_image_file_is_missing_still_saves_and_shows(author_client, author, client):
    review = ReviewFactory(author=author, hero_image=image_file("hero.jpg"), hero_alt="Eve on a stage.")
    Path(review.hero_image.path).unlink()
    html = author_client.get(change_url(review)).content.decode()
    response = author_client.post(change_url(review), {**browser_form(html), "title": "Saved without its file"})
    assert response.status_code == 302, admin_errors(response)
    review.refresh_from_db()
    assert (review.title, review.hero_image.name, review.hero_width) == (
        "Saved without its file",
        "heroes/hero.jpg",
        64,
    )
    client.logout()
    page = client.get(review.get_absolute_url())
    assert page.status_code == 200
    assert "Saved without its file" in page.content.decode()


def test_texts_saved_unchanged_from_the_admin_stay_as_they_were(author_client, author):
    review = ReviewFactory(author=author, body="## Direction\n\nConfident.\n")
    stored = Review.objects.get().body
    html = author_client.get(change_url(review)).content.decode()
    response = author_client.post(change_url(review), browser_form(html))
    assert response.status_code == 302, admin_errors(response)
    assert Review.objects.get().body == stored == "## Direction\n\nConfident."
    assert review.history.latest().body == stored


def test_line_ends_typed_in_a_browser_are_stored_as_lf(author_client):
    film = FilmFactory(synopsis="One line.\r\nAnother line.\r\n")
    assert Film.objects.get().synopsis == "One line.\nAnother line."
    response = author_client.post(reverse("admin:reviews_review_add"), review_form(film, body="## A\r\n\r\nB.\r\n"))
    assert response.status_code == 302, admin_errors(response)
    assert Review.objects.get().body == "## A\n\nB."


def test_saving_a_user_unchanged_keeps_when_they_joined_and_last_logged_in(admin_client, author):
    author.last_login = timezone.now()
    author.save()
    before = get_user_model().objects.values("date_joined", "last_login").get(pk=author.pk)
    url = reverse("admin:auth_user_change", args=[author.pk])
    response = admin_client.post(url, browser_form(admin_client.get(url).content.decode()))
    assert response.status_code == 302, admin_errors(response)
    assert get_user_model().objects.values("date_joined", "last_login").get(pk=author.pk) == before


def test_the_review_list_names_authors_in_full_and_the_desk_wears_the_sites_colours(editor_client):
    """Authors are listed as 'Ava Marlowe', not by the login 'ava'; the admin wears the site's colours."""
    ReviewFactory(author=UserFactory(username="ava", first_name="Ava", last_name="Marlowe", group="Authors"))
    listing = editor_client.get(reverse("admin:reviews_review_changelist")).content.decode()
    assert '<td class="field-author_name">Ava Marlowe</td>' in listing
    assert "/static/css/admin.css" in listing
    assert '<span class="brand-mark" aria-hidden="true">◐</span> Reel Verdicts — editorial desk' in listing
    assert re.search(r'<td class="field-status_label">Published \d\d \w{3} \d{4}</td>', listing)
