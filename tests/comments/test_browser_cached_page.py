"""Commenting from a review page served out of the shared page cache, in a real browser.

A shared copy's comment form carries no CSRF token of its own. With JavaScript the reader's token is
fetched while they write; without it the first send comes back with the text kept, and the second
one goes through. The live server checks CSRF for real, as production does.
"""

import re
import urllib.request
from contextlib import contextmanager

import pytest
from django.test.signals import template_rendered

from comments.models import Comment
from tests.browser import browser_page  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

EMPTY_TOKEN = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="">')
SECURITY_TOKEN_MESSAGE = "Your browser's security token for this form was missing or out of date."


@contextmanager
def review_page_renders():
    """The review page's renders while the block runs: none means the reader got the shared copy."""
    renders = []

    def record(sender, template, **kwargs):
        if template.name == "reviews/review_detail.html":
            renders.append(template.name)

    template_rendered.connect(record)
    try:
        yield renders
    finally:
        template_rendered.disconnect(record)


def put_in_page_cache(url):
    """An earlier anonymous reader (no cookies) loads the page, so the next one is served the shared copy."""
    with review_page_renders() as renders, urllib.request.urlopen(url) as response:
        html = response.read().decode()
    assert renders, "the first load renders the page"
    assert EMPTY_TOKEN.search(html), "a copy for sharing has no token in its comment form"


def open_cached_page(page, url):
    """Open the review page; check it came from the cache, with the form's token empty as served."""
    with review_page_renders() as renders:
        response = page.goto(url)
    assert response.status == 200
    assert renders == [], "served from the page cache, not rendered again"
    assert EMPTY_TOKEN.search(response.text())
    assert page.context.cookies() == []  # no CSRF cookie either: nothing personal came with the page


def write_comment(page, body, name="Nadia", email="nadia@example.com"):
    page.fill("#id_body", body)
    page.fill("#id_author_name", name)
    page.fill("#id_author_email", email)


def assert_posted(page, body):
    """The reader is thanked and sees their comment, waiting for a moderator."""
    page.wait_for_selector(".message")
    assert "Thank you! Your comment is awaiting moderation." in page.locator(".messages").inner_text()
    assert body in page.locator(".comment-pending").inner_text()


@pytest.fixture
def page_without_javascript(browser_page):  # noqa: F811
    """A second tab in the same Chromium, with JavaScript turned off."""
    context = browser_page.context.browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_reader_comments_from_a_cached_review_page(
    browser_page,  # noqa: F811
    live_server,
    review,
    akismet_server,
    settings,
):
    # Playwright fills a form in milliseconds, as a script would; a person takes seconds.
    settings.COMMENT_INSTANT_SECONDS = settings.COMMENT_MIN_TYPING_SECONDS = 0
    page = browser_page
    url = live_server.url + review.get_absolute_url()
    put_in_page_cache(url)

    open_cached_page(page, url)
    write_comment(page, "The knife-skate fight alone is worth the ticket.")
    # While the reader writes, the form fetches their token (the page as served had none).
    page.wait_for_function("document.querySelector('input[name=csrfmiddlewaretoken]').value.length > 0")
    assert any(cookie["name"] == "csrftoken" for cookie in page.context.cookies())
    # … and the signed time they started writing (the cached page could not carry one).
    assert page.locator("input[name=form_stamp]").input_value()
    page.click("button:has-text('Post comment')")

    assert_posted(page, "The knife-skate fight alone is worth the ticket.")
    assert SECURITY_TOKEN_MESSAGE not in page.content()
    assert Comment.objects.get().typing_seconds is not None


def test_without_javascript_the_comment_comes_back_once_and_then_goes_through(
    page_without_javascript, live_server, review, akismet_server
):
    page = page_without_javascript
    url = live_server.url + review.get_absolute_url()
    put_in_page_cache(url)

    open_cached_page(page, url)
    write_comment(page, "Anjelica Huston steals every scene she is in.")
    page.click("button:has-text('Post comment')")

    # The server could not check the form, so it hands it back with everything typed still in it.
    page.wait_for_selector("#comment-errors")
    assert SECURITY_TOKEN_MESSAGE in page.locator("#comment-errors").inner_text()
    assert "press Post comment again" in page.locator("#comment-errors").inner_text()
    assert page.locator("#id_body").input_value() == "Anjelica Huston steals every scene she is in."
    assert page.locator("#id_author_name").input_value() == "Nadia"
    assert page.locator("#id_author_email").input_value() == "nadia@example.com"
    assert page.locator(".messages").count() == 0  # nothing was posted yet

    page.click("button:has-text('Post comment')")

    assert_posted(page, "Anjelica Huston steals every scene she is in.")
    assert page.locator("#comment-errors").count() == 0
