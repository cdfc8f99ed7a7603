"""The moderation desk worked by keyboard only, in a real browser: move, approve, spam, undo, reply."""

from datetime import timedelta

import pytest
from django.utils import timezone

from comments.models import Comment
from tests.browser import browser_page, errors_on, watch_for_errors  # noqa: F401 (fixture)
from tests.factories import CommentFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
Status = Comment.Status


def test_a_moderator_works_the_desk_by_keyboard(browser_page, live_server, review):  # noqa: F811
    now = timezone.now()
    first, second, third = (
        CommentFactory(review=review, status=Status.PENDING, author_name=name, body=body, created_at=now - age)
        for name, body, age in [
            ("Ana", "First in the queue.", timedelta(hours=3)),
            ("Ben", "Second in the queue.", timedelta(hours=2)),
            ("Cleo", "Was the score recorded live?", timedelta(hours=1)),
        ]
    )
    UserFactory(username="milo", group="Moderators")
    page = browser_page
    seen = watch_for_errors(page)  # CSP violations and script errors, on every page of the desk's work
    page.goto(f"{live_server.url}/admin/login/?next=/admin/comments/comment/desk/")
    page.fill("#id_username", "milo")
    page.fill("#id_password", "pass-word-123")
    page.keyboard.press("Enter")
    page.wait_for_selector(".desk-comment.is-current")
    assert "First in the queue." in page.locator(".desk-comment.is-current").inner_text()
    assert "a" in page.locator(".desk-keys").inner_text()  # the keys are on screen

    def current_text():
        return page.locator(".desk-comment.is-current .desk-body").inner_text()

    # j moves to the second comment, a approves it; the desk lands on the next one.
    page.keyboard.press("j")
    assert current_text() == "Second in the queue."
    with page.expect_navigation():
        page.keyboard.press("a")
    assert "was approved" in page.locator(".messagelist").inner_text()
    assert current_text() == "Was the score recorded live?"

    # s files it as spam; z undoes that.
    with page.expect_navigation():
        page.keyboard.press("s")
    third.refresh_from_db()
    assert third.status == Status.SPAM
    with page.expect_navigation():
        page.keyboard.press("z")
    third.refresh_from_db()
    assert third.status == Status.PENDING
    assert current_text() == "Was the score recorded live?"

    # r opens the reply box on it; Ctrl+Enter publishes the reply (and approves the comment it answers).
    page.keyboard.press("r")
    page.keyboard.type("Yes, in Budapest, in one take.")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert "Your reply to Cleo is published" in page.locator(".messagelist").inner_text()

    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert (first.status, second.status, third.status) == (Status.PENDING, Status.APPROVED, Status.APPROVED)
    reply = Comment.objects.get(parent=third)
    assert (reply.body, reply.status, reply.user.username) == (
        "Yes, in Budapest, in one take.",
        Status.APPROVED,
        "milo",
    )
    assert errors_on(page, seen) == []
