"""A discussion in a real browser: readers post through the form, a moderator approves in the queue."""

import pytest

from comments.models import Comment
from tests.browser import browser_page  # noqa: F401 (fixture)
from tests.factories import CommentFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def fill_comment(page, body, name="Nadia", email="nadia@example.com"):
    page.fill("#id_body", body)
    page.fill("#id_author_name", name)
    page.fill("#id_author_email", email)
    page.click("button:has-text('Post comment')")


def test_readers_comment_and_reply_and_a_moderator_approves_both(
    browser_page,  # noqa: F811
    live_server,
    review,
    akismet_server,
    settings,
):
    # Playwright fills a form in milliseconds, as a script would; a person takes seconds.
    settings.COMMENT_INSTANT_SECONDS = settings.COMMENT_MIN_TYPING_SECONDS = 0
    page = browser_page
    earlier = CommentFactory(review=review, author_name="Oskar", body="The flamethrower scene!")
    UserFactory(username="milo", group="Moderators")

    # A reader comments.
    page.goto(live_server.url + review.get_absolute_url())
    assert page.locator("#reply-title").inner_text() == "Share your opinion!"
    fill_comment(page, "Ana de Armas carries every fight.")
    page.wait_for_selector(".message")
    assert "Your comment is awaiting moderation" in page.locator(".messages").inner_text()
    mine = page.locator(".comment-pending")
    assert "Ana de Armas carries every fight." in mine.inner_text()
    assert "awaiting moderation" in mine.locator(".comment-awaiting").inner_text()

    # … and replies to another reader, through the reply link.
    page.click(f"#comment-{earlier.pk} .comment-reply a")
    assert page.locator("#reply-title").inner_text() == "Reply to Oskar"
    assert page.locator("#id_author_name").input_value() == ""  # nothing saved without the opt-in
    fill_comment(page, "Agreed, and the ice cave too.")
    page.wait_for_selector(f"#comment-{earlier.pk} .comment-replies .comment-pending")
    assert Comment.objects.pending().count() == 2

    # Nobody else sees either of them yet.
    other = page.context.browser.new_context().new_page()
    other.goto(live_server.url + review.get_absolute_url())
    assert "Ana de Armas carries every fight." not in other.content()

    # The moderator approves both from the queue, one click each.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "milo")
    page.fill("#id_password", "pass-word-123")
    page.click("input[type=submit]")
    page.click("text=2 comments are waiting for moderation")
    for body in ["Ana de Armas carries every fight.", "Agreed, and the ice cave too."]:
        card = page.locator(".desk-comment", has_text=body)
        card.locator("button:has-text('Approve')").click()
        page.wait_for_selector(".messagelist .success")
    assert Comment.objects.pending().count() == 0

    # A second reader sees the thread.
    other.reload()
    thread = other.locator(f"#comment-{earlier.pk}")
    assert "Agreed, and the ice cave too." in thread.locator(".comment-replies").inner_text()
    assert "Ana de Armas carries every fight." in other.locator(".comment-list").inner_text()
    assert other.locator(".comment-pending").count() == 0
    assert other.locator("#comments-title").inner_text() == "3 comments"
