"""No silent overwrite (reviews/editing.py, reviews/forms.py): every form is read from the page and sent
back as a browser would (tests/browser_form.py), with only what a person types changed."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews.models import Review
from tests.browser_form import admin_errors, browser_form
from tests.factories import ReviewFactory
from tests.reviews.test_admin import change_url

pytestmark = pytest.mark.django_db


def opened(client, url) -> dict:
    """The form a person has open: the page read as a browser would send it."""
    response = client.get(url)
    assert response.status_code == 200
    return browser_form(response.content.decode())


def restore_url(record):
    return reverse("admin:reviews_review_simple_history", args=[record.id, record.history_id])


def marked(html, tag):
    html = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", html)
    return re.findall(rf"<{tag}>(.*?)</{tag}>", html, flags=re.S)


@pytest.fixture
def review(author):
    # Dated to the second, as the admin sends it, so an unchanged form leaves the date as it is.
    published_at = timezone.now().replace(microsecond=0) - timedelta(days=1)
    review = ReviewFactory(
        author=author, title="First thoughts", body="## Fights\n\nThe stairs fight is great.", published_at=published_at
    )
    review.history.update(history_user=author)
    return review


@pytest.fixture
def editor_browser(editor):
    browser = Client()
    browser.force_login(editor)
    return browser


def test_two_editors_save_forms_loaded_at_once_the_second_is_refused_with_the_diff_then_saves_after_merging(
    author_client, editor_browser, editor, review
):
    authors_form = opened(author_client, change_url(review))
    editors_form = opened(editor_browser, change_url(review))

    editors_form["body"] = editors_form["body"].replace("great", "superb")
    assert editor_browser.post(change_url(review), editors_form).status_code == 302

    authors_form.update(title="Second thoughts", body=authors_form["body"] + "\r\n\r\nThe ending drags.")
    refused = author_client.post(change_url(review), authors_form)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert f"Not saved: {editor.get_full_name()} saved this review at" in html
    assert (marked(html, "del"), marked(html, "ins")) == (["great"], ["superb"])  # what the editor changed
    review.refresh_from_db()
    assert (review.title, review.body) == ("First thoughts", "## Fights\n\nThe stairs fight is superb.")
    # Nothing the author typed is lost: the form comes back holding it.
    kept = browser_form(html)
    assert kept["title"] == "Second thoughts"
    assert kept["body"].endswith("The ending drags.")

    kept["body"] = kept["body"].replace("great", "superb")  # the author merges the editor's change
    response = author_client.post(change_url(review), kept)
    assert response.status_code == 302, admin_errors(response)
    review.refresh_from_db()
    assert review.title == "Second thoughts"
    assert review.body == "## Fights\n\nThe stairs fight is superb.\n\nThe ending drags."
    assert review.history.count() == 3  # created, the editor's save, the merged save: nothing overwritten


def test_a_form_saved_twice_in_a_row_by_the_same_person_from_save_and_continue_goes_through(author_client, review):
    form = opened(author_client, change_url(review))
    form.update(title="Tidied", _continue="Save and continue editing")
    assert author_client.post(change_url(review), form).status_code == 302
    again = opened(author_client, change_url(review))
    again.update(title="Tidied again")
    assert author_client.post(change_url(review), again).status_code == 302
    review.refresh_from_db()
    assert review.title == "Tidied again"


def test_a_save_after_a_bulk_publish_from_the_list_is_refused(author_client, editor_browser, review):
    Review.objects.filter(pk=review.pk).update(status=Review.Status.DRAFT)
    form = opened(author_client, change_url(review))
    editor_browser.post(
        reverse("admin:reviews_review_changelist"), {"action": "publish", "_selected_action": [review.pk]}
    )
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED

    form["title"] = "Retitled"
    refused = author_client.post(change_url(review), form)  # its status field still says "draft"
    assert refused.status_code == 200
    assert "Not saved" in refused.content.decode()
    review.refresh_from_db()
    assert (review.title, review.status) == ("First thoughts", Review.Status.PUBLISHED)


def test_a_bulk_action_chosen_from_a_list_loaded_before_a_save_is_refused(author_client, editor_browser, review):
    changelist = reverse("admin:reviews_review_changelist")
    page = editor_browser.get(changelist).content.decode()
    loaded_at = re.search(r'name="list_loaded_at" value="([^"]+)"', page)[1]

    form = opened(author_client, change_url(review))
    form["status"] = "draft"
    assert author_client.post(change_url(review), form).status_code == 302

    action = {"action": "publish", "_selected_action": [review.pk], "list_loaded_at": loaded_at}
    response = editor_browser.post(changelist, action, follow=True)
    assert "Nothing was published: “First thoughts” was saved by someone after this list was loaded" in (
        response.content.decode()
    )
    review.refresh_from_db()
    assert review.status == Review.Status.DRAFT

    fresh = re.search(r'name="list_loaded_at" value="([^"]+)"', editor_browser.get(changelist).content.decode())[1]
    editor_browser.post(changelist, {**action, "list_loaded_at": fresh})
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED


def test_a_restore_from_a_page_loaded_before_someone_elses_save_is_refused_with_their_changes(
    author_client, editor_browser, editor, review
):
    first = review.history.earliest()
    edit = opened(editor_browser, change_url(review))
    edit["body"] = edit["body"].replace("great", "good")
    editor_browser.post(change_url(review), edit)
    restore = opened(author_client, restore_url(first))

    again = opened(editor_browser, change_url(review))
    again["body"] = again["body"].replace("good", "fine")
    assert editor_browser.post(change_url(review), again).status_code == 302

    refused = author_client.post(restore_url(first), restore)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert f"Not saved: {editor.get_full_name()} saved this review at" in html
    assert (marked(html, "del"), marked(html, "ins")) == (["good"], ["fine"])
    review.refresh_from_db()
    assert review.body.endswith("is fine.")

    response = author_client.post(restore_url(first), browser_form(html))  # seen it: restore anyway
    assert response.status_code == 302, admin_errors(response)
    review.refresh_from_db()
    assert review.body.endswith("is great.")


def test_the_version_a_form_carries_is_not_recorded_as_a_change(author_client, review):
    form = opened(author_client, change_url(review))
    form["title"] = "Renamed"
    author_client.post(change_url(review), form)
    from django.contrib.admin.models import LogEntry

    assert "Loaded version" not in LogEntry.objects.latest("pk").get_change_message()
