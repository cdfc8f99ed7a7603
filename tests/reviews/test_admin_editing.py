"""The editor's endpoints and pages (reviews/admin_editing.py): edit locks, autosaves, preview, a lapsed login."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews.models import Autosave, EditLock, Review
from tests.browser_form import admin_errors, browser_form
from tests.factories import ReviewFactory
from tests.reviews.test_admin import change_url

pytestmark = pytest.mark.django_db


def url(name, review):
    return reverse(f"admin:reviews_review_{name}", args=[review.pk])


def config(response) -> dict:
    html = response.content.decode()
    return json.loads(re.search(r'<script id="review-editing-config" type="application/json">(.*?)</script>', html)[1])


@pytest.fixture
def review(author):
    published_at = timezone.now().replace(microsecond=0) - timedelta(days=1)
    return ReviewFactory(
        author=author, title="Ballerina", body="## Acting\n\nAna de Armas is superb.", published_at=published_at
    )


@pytest.fixture
def editor_browser(editor):
    browser = Client()
    browser.force_login(editor)
    return browser


# --- Edit locks ---


def test_opening_a_review_someone_else_is_editing_says_who_and_since_when(
    author_client, author, editor_browser, review
):
    author_client.get(change_url(review))
    html = editor_browser.get(change_url(review)).content.decode()
    since = timezone.localtime(EditLock.objects.get(review=review).since).strftime("%H:%M")
    assert f"{author.get_full_name()} has been editing this review since {since}." in html
    assert EditLock.objects.get(review=review).user == author  # opening it did not take it


def test_the_other_editor_can_take_over_and_the_first_is_told_at_their_heartbeat_and_save(
    author_client, author, editor_browser, editor, review
):
    form = browser_form(author_client.get(change_url(review)).content.decode())
    response = editor_browser.post(url("take_over", review), HTTP_ACCEPT="application/json")
    assert response.json()["lock"] == {"mine": True, "other": None}
    assert EditLock.objects.get(review=review).user == editor

    lock = author_client.post(url("heartbeat", review)).json()["lock"]
    assert (lock["other"], lock["taken_from_you"]) == (editor.get_full_name(), True)
    assert EditLock.objects.get(review=review).user == editor  # a heartbeat does not take it back
    html = author_client.get(change_url(review)).content.decode()
    assert f"{editor.get_full_name()} took over editing this review at" in html

    form["standfirst"] = "Saved all the same."
    response = author_client.post(change_url(review), form, follow=True)
    told = response.content.decode()
    assert f"{editor.get_full_name()} took over editing it at" in told
    assert "your changes are saved, and they will see them before they can save theirs." in told
    review.refresh_from_db()
    assert review.standfirst == "Saved all the same."  # nothing lost; the editor's save will be shown this one


def test_a_lock_whose_editor_fell_silent_is_free(author_client, editor_browser, editor, review, settings):
    author_client.get(change_url(review))
    EditLock.objects.update(heartbeat_at=timezone.now() - timedelta(seconds=settings.REVIEW_LOCK_SECONDS + 1))
    assert "has been editing" not in editor_browser.get(change_url(review)).content.decode()
    assert EditLock.objects.get(review=review).user == editor


def test_reopening_a_review_after_ones_own_lock_lapsed_counts_the_editing_from_now(
    author_client, author, editor_browser, review, settings
):
    author_client.get(change_url(review))
    lapsed = timezone.now() - timedelta(hours=1)
    EditLock.objects.update(since=lapsed, heartbeat_at=lapsed)

    author_client.get(change_url(review))  # back an hour later

    html = editor_browser.get(change_url(review)).content.decode()
    since = timezone.localtime(EditLock.objects.get(review=review).since)
    assert since > lapsed + timedelta(minutes=59)
    assert f"has been editing this review since {since:%H:%M}." in html


def test_a_save_releases_the_lock(author_client, review):
    form = browser_form(author_client.get(change_url(review)).content.decode())
    assert author_client.post(change_url(review), form).status_code == 302
    assert not EditLock.objects.exists()


def test_the_take_over_button_works_without_javascript(author_client, editor_browser, editor, review):
    author_client.get(change_url(review))
    response = editor_browser.post(url("take_over", review))
    assert response.status_code == 302 and response.url == change_url(review)
    assert EditLock.objects.get(review=review).user == editor


def test_only_those_who_may_change_a_review_see_or_take_its_lock(other_author, review):
    browser = Client()
    browser.force_login(other_author)
    for name in ["heartbeat", "take_over", "autosave", "release"]:
        assert browser.post(url(name, review)).status_code == 403
    assert not EditLock.objects.exists() and not Autosave.objects.exists()


# --- Autosave ---


def test_autosaves_change_nothing_public_and_keep_no_revision(author_client, author, review, client):
    public = Client()
    page = public.get(review.get_absolute_url()).content.decode()
    form = browser_form(author_client.get(change_url(review)).content.decode())
    before = (review.history.count(), Review.objects.get(pk=review.pk).updated_at)
    for n in range(20):
        response = author_client.post(url("autosave", review), {**form, "body": f"## Acting\r\n\r\nDraft {n}."})
        assert response.status_code == 200
    assert response.json()["label"].startswith("Saved a draft at ")
    assert Autosave.objects.get().value("body") == "## Acting\n\nDraft 19."
    assert (review.history.count(), Review.objects.get(pk=review.pk).updated_at) == before
    assert public.get(review.get_absolute_url()).content.decode() == page
    assert "Draft 19" not in page


def test_autosaves_are_kept_per_author_and_review(author_client, editor_browser, review):
    author_client.post(url("autosave", review), {"body": "Mine."})
    editor_browser.post(url("autosave", review), {"body": "Theirs."})
    author_client.post(url("autosave", review), {"body": "Mine, again."})
    assert sorted(Autosave.objects.values_list("data__body", flat=True)) == [["Mine, again."], ["Theirs."]]


def test_reopening_a_review_offers_the_newer_autosave_with_its_diff_to_restore(author_client, review):
    form = browser_form(author_client.get(change_url(review)).content.decode())
    author_client.post(url("autosave", review), {**form, "body": "## Acting\r\n\r\nAna de Armas is astonishing."})
    response = author_client.get(change_url(review))
    html = response.content.decode()
    assert "You have a draft of this review saved automatically at" in html
    assert re.search(r"<del>.*superb</del>", html) and re.search(r"<ins>.*astonishing</ins>", html)
    kept = config(response)["autosaveData"]
    # Restoring fills the form with the draft (the editor's script does it); saving it keeps it and prunes the draft.
    restored = {**form, **{name: values[0] for name, values in kept.items() if len(values) == 1}}
    assert author_client.post(change_url(review), restored).status_code == 302
    review.refresh_from_db()
    assert review.body == "## Acting\n\nAna de Armas is astonishing."
    assert not Autosave.objects.exists()
    assert "saved automatically" not in author_client.get(change_url(review)).content.decode()


def test_times_in_the_editor_are_one_24_hour_style_and_end_a_sentence_with_one_full_stop(
    author_client, editor_browser, editor, review
):
    form = browser_form(author_client.get(change_url(review)).content.decode())
    author_client.post(url("autosave", review), {**form, "body": "## Acting\r\n\r\nAstonishing."})
    EditLock.objects.all().delete()  # the author closed it; the editor opens it
    editor_browser.get(change_url(review))

    html = author_client.get(change_url(review)).content.decode()
    notice = re.search(r"You have a draft of this review saved automatically at (.*?)</p>", html).group(1)
    saved = timezone.localtime(Autosave.objects.get().saved_at)
    assert f"{saved:%H:%M}</strong>. It has changes" in notice
    since = timezone.localtime(EditLock.objects.get(review=review).since)
    assert f"since {since:%H:%M}." in html
    assert not re.search(r"[ap]\.m\.", html)


def test_an_autosave_the_same_as_the_review_is_not_offered(author_client, review):
    form = browser_form(author_client.get(change_url(review)).content.decode())
    author_client.post(url("autosave", review), form)
    assert "saved automatically" not in author_client.get(change_url(review)).content.decode()
    assert not Autosave.objects.exists()


def test_an_autosave_arriving_after_the_save_of_the_same_text_leaves_no_draft_behind(author_client, review):
    # The editor's last autosave and the Save button race: the save lands first, the autosave after it.
    form = browser_form(author_client.get(change_url(review)).content.decode())
    form["body"] = review.body + "\n\nThe ending drags."
    author_client.post(url("autosave", review), form)
    author_client.post(change_url(review), form | {"_save": "Save"})
    late = author_client.post(url("autosave", review), form).json()

    assert late["label"] == "No changes since the last save"
    assert not Autosave.objects.exists()
    assert "saved automatically" not in author_client.get(change_url(review)).content.decode()


def test_discarding_an_autosave_deletes_it(author_client, review):
    author_client.post(url("autosave", review), {"body": "Draft."})
    assert author_client.post(url("autosave_discard", review)).json() == {"discarded": True}
    assert not Autosave.objects.exists()


# --- A lapsed login or CSRF token ---


def test_the_editor_learns_its_login_ran_out_instead_of_being_sent_to_the_login_page(review):
    browser = Client()
    state = browser.get(reverse("admin:reviews_review_session")).json()
    assert state["logged_in"] is False and state["csrf_token"]
    response = browser.post(url("heartbeat", review))
    assert (response.status_code, response.json()["error"]) == (403, "logged_out")


def test_a_save_after_the_login_ran_out_is_saved_once_the_author_logs_in_again(author, review):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(author)
    form = browser_form(browser.get(change_url(review)).content.decode())
    form["body"] = "## Acting\r\n\r\nWritten while the session ran out."
    browser.logout()

    refused = browser.post(change_url(review), form)  # the plain admin sends the author to log in; nothing saved
    assert refused.status_code in {302, 403}
    review.refresh_from_db()
    assert "ran out" not in review.body

    # The editor asks for a token, logs in in place, asks again (logging in rotates it) and sends the text it kept.
    token = browser.get(reverse("admin:reviews_review_session")).json()["csrf_token"]
    login = {"username": author.username, "password": "pass-word-123", "csrfmiddlewaretoken": token}
    assert browser.post(reverse("admin:login"), login).status_code == 302
    state = browser.get(reverse("admin:reviews_review_session")).json()
    assert state["logged_in"] is True
    assert browser.post(change_url(review), form).status_code == 403  # the form's old token no longer holds
    response = browser.post(change_url(review), {**form, "csrfmiddlewaretoken": state["csrf_token"]})
    assert response.status_code == 302, admin_errors(response)
    review.refresh_from_db()
    assert review.body == "## Acting\n\nWritten while the session ran out."


# --- Preview ---


def test_preview_shows_unsaved_changes_in_the_public_layout_never_cached_or_indexed(author_client, review):
    public = Client()
    before = public.get(review.get_absolute_url()).content.decode()  # the page cache now holds it
    form = browser_form(author_client.get(change_url(review)).content.decode())
    form.update(title="Ballerina, revisited", body="## Acting\r\n\r\nAna de Armas is *astonishing*.")
    response = author_client.post(url("preview", review), {**form, "_preview": "Preview"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<em>astonishing</em>" in html and "Ballerina, revisited" in html
    assert "Preview of unsaved changes" in html
    assert '<meta name="robots" content="noindex, nofollow, noarchive">' in html
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow, noarchive"

    review.refresh_from_db()
    assert (review.title, review.history.count()) == ("Ballerina", 1)
    assert public.get(review.get_absolute_url()).content.decode() == before
    assert "astonishing" not in Client().get(review.get_absolute_url()).content.decode()


def test_preview_is_for_those_who_may_change_the_review(other_author, review):
    stranger = Client()
    assert stranger.post(url("preview", review), {"body": "x"}).status_code == 302  # to the login page
    browser = Client()
    browser.force_login(other_author)
    assert browser.post(url("preview", review), {"body": "x"}).status_code == 403


def test_the_change_form_offers_preview_and_an_unchanged_save_still_changes_nothing(author_client, author, review):
    from tests.test_admin_roundtrip import resave_unchanged

    html = author_client.get(change_url(review)).content.decode()
    assert f'formaction="{url("preview", review)}"' in html
    assert resave_unchanged(author_client, author, review) is None
