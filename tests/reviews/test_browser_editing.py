"""The editor's safety net in real Chromium (static/js/review-safety.js): autosave, the browser's own copy,
edit locks seen from two browsers, a save after the login ran out, the warning before leaving."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from reviews.models import Autosave, EditLock
from tests.browser import browser_page  # noqa: F401 (fixture)
from tests.factories import ReviewFactory, UserFactory
from tests.reviews.test_admin import change_url
from tests.reviews.test_browser import PASSWORD, log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def quick(settings):
    """Autosave and heartbeat every second, so the tests need not wait a minute."""
    settings.REVIEW_AUTOSAVE_SECONDS = 1
    settings.REVIEW_HEARTBEAT_SECONDS = 1


@pytest.fixture
def review(db):
    author = UserFactory(username="ava", group="Authors", first_name="Ava", last_name="Author")
    published_at = timezone.now().replace(microsecond=0) - timedelta(days=1)
    return ReviewFactory(author=author, body="## Acting\n\nAna de Armas is superb.", published_at=published_at)


@pytest.fixture
def context(browser_page):  # noqa: F811
    """A browser context of its own, whose pages can be closed and opened again (like a browser's tabs)."""
    context = browser_page.context.browser.new_context()
    context.set_default_timeout(15_000)
    yield context
    context.close()


def open_editor(page, live_server, review):
    page.goto(f"{live_server.url}{change_url(review)}")
    page.locator("textarea.markdownx-editor").wait_for()
    return page.locator("textarea.markdownx-editor")


def test_an_autosaved_draft_is_offered_again_after_the_page_is_closed(context, live_server, review, quick):
    page = context.new_page()
    log_in(page, live_server, "ava")
    editor = open_editor(page, live_server, review)
    editor.click()
    editor.press("End")
    editor.press_sequentially(" The ending drags.")
    page.locator(".autosave-status", has_text="Saved a draft at").wait_for()
    review.refresh_from_db()
    assert "drags" not in review.body and review.history.count() == 1
    assert Autosave.objects.get().value("body").endswith("The ending drags.")

    page.close()
    page = context.new_page()
    page.goto(f"{live_server.url}{change_url(review)}")
    offer = page.locator("#autosave-offer")
    offer.wait_for()
    assert "drags" in offer.locator("ins").last.text_content()  # in the diff, folded under "Show the changes"
    assert page.locator("#local-copy-offer").is_hidden()  # the same text: offered once, not twice
    offer.locator("text=Restore the draft").click()
    assert page.locator("textarea.markdownx-editor").input_value().endswith("The ending drags.")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    review.refresh_from_db()
    assert review.body.endswith("The ending drags.")
    assert not Autosave.objects.exists()


def test_the_browsers_copy_comes_back_after_the_page_dies_unsaved(context, live_server, review, settings):
    settings.REVIEW_AUTOSAVE_SECONDS = 3600  # the server never hears of it: only the browser's copy is left
    page = context.new_page()
    log_in(page, live_server, "ava")
    editor = open_editor(page, live_server, review)
    page.fill("#id_title", "A title typed before the crash")
    editor.fill("## Acting\n\nWritten just before the battery died.")
    page.wait_for_timeout(600)  # the copy is kept within half a second of typing
    context.set_offline(True)  # the battery dies: nothing reaches the server any more
    page.close()
    context.set_offline(False)
    assert not Autosave.objects.exists()

    page = context.new_page()
    page.goto(f"{live_server.url}{change_url(review)}")
    offer = page.locator("#local-copy-offer")
    offer.wait_for()
    assert "This browser kept a copy of this form" in offer.inner_text()
    offer.locator("text=Restore the copy").click()
    assert page.locator("#id_title").input_value() == "A title typed before the crash"
    assert (
        page.locator("textarea.markdownx-editor").input_value() == "## Acting\n\nWritten just before the battery died."
    )


def test_two_browsers_editing_one_review_see_each_others_lock_and_take_over(browser_page, live_server, review, quick):  # noqa: F811
    UserFactory(username="edith", group="Editors", first_name="Edith", last_name="Editor")
    ava = browser_page
    log_in(ava, live_server, "ava")
    open_editor(ava, live_server, review)

    edith = ava.context.browser.new_context().new_page()
    edith.set_default_timeout(15_000)
    log_in(edith, live_server, "edith")
    open_editor(edith, live_server, review)
    lock = edith.locator("#edit-lock")
    assert "Ava Author has been editing this review since" in lock.inner_text()

    lock.locator("text=Take over").click()
    lock.wait_for(state="hidden")
    assert EditLock.objects.get().user.username == "edith"
    told = ava.locator("#edit-lock", has_text="Edith Editor took over editing this review at")
    told.wait_for()  # at Ava's next heartbeat
    edith.context.close()


def test_a_save_after_the_login_ran_out_logs_in_again_in_place_and_saves(browser_page, live_server, review, quick):  # noqa: F811
    page = browser_page
    log_in(page, live_server, "ava")
    editor = open_editor(page, live_server, review)
    editor.fill("## Acting\n\nSaved after logging in again.")
    page.context.clear_cookies()  # the session and the CSRF cookie are gone, as after an expiry
    page.click("input[name=_save]")
    dialog = page.locator("dialog#review-login")
    dialog.wait_for()
    dialog.locator("input[name=username]").fill("ava")
    dialog.locator("input[name=password]").fill(PASSWORD)
    dialog.locator("text=Log in and save").click()
    page.wait_for_selector(".messagelist .success")
    review.refresh_from_db()
    assert review.body == "## Acting\n\nSaved after logging in again."


def test_leaving_the_editor_with_unsaved_changes_asks_first(context, live_server, review):
    page = context.new_page()
    log_in(page, live_server, "ava")
    editor = open_editor(page, live_server, review)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    time.sleep(0.3)
    assert asked == []  # nothing typed: nothing to ask

    page = context.new_page()
    editor = open_editor(page, live_server, review)
    editor.click()
    editor.press_sequentially(" More.")
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert not page.is_closed()  # "Stay on page"
