"""Follow-ups in a real browser: a reader subscribes, confirms on the page of the emailed link, hears of a reply and
unsubscribes with one click (the emails are read from Django's locmem outbox, the live server being in
this process)."""

import re

import pytest
from django.core import mail

from comments import moderation
from comments.models import Comment, Subscription
from tests.browser import browser_page  # noqa: F401 (fixture)
from tests.factories import CommentFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_reader_follows_replies_confirms_hears_and_unsubscribes(
    browser_page,  # noqa: F811
    live_server,
    review,
    settings,
):
    settings.COMMENT_INSTANT_SECONDS = settings.COMMENT_MIN_TYPING_SECONDS = 0
    page = browser_page
    page.goto(live_server.url + review.get_absolute_url())
    page.fill("#id_body", "Who else noticed the score changes key in the last act?")
    page.fill("#id_author_name", "Nadia")
    page.fill("#id_author_email", "nadia@example.com")
    page.check("#id_follow_replies")
    page.click("button:has-text('Post comment')")
    page.wait_for_selector(".message")
    assert "confirm with the link we email you" in page.locator(".messages").inner_text()

    # The confirmation email, and its link.
    assert [m.to for m in mail.outbox] == [["nadia@example.com"]]
    link = re.search(r"http://\S+/comments/follow/\S+", mail.outbox[0].body).group()
    page.goto(live_server.url + re.sub(r"^https?://[^/]+", "", link))
    assert page.locator("h1").inner_text() == "Confirm"
    assert not Subscription.objects.confirmed().exists()  # opening the link is not confirming
    page.click("button:has-text('Yes, email me')")
    assert page.locator("h1").inner_text() == "Confirmed"
    assert Subscription.objects.confirmed().count() == 1

    # A moderator publishes her comment and another reader's reply to it.
    moderator = UserFactory(username="milo", group="Moderators", email="")
    mine = Comment.objects.get(author_email="nadia@example.com")
    moderation.approve(mine, by=moderator)
    reply = CommentFactory(review=review, parent=mine, author_name="Oskar", status=Comment.Status.PENDING)
    mail.outbox.clear()
    moderation.approve(reply, by=moderator)  # no atomic block around it here: the task runs at once
    [notice] = mail.outbox
    assert notice.to == ["nadia@example.com"] and "Oskar replied" in notice.subject

    # Her mail client's one-click unsubscribe: a bare POST over HTTP to the List-Unsubscribe address,
    # with no cookie and no CSRF token.
    url = re.sub(r"^<https?://[^/]+", "", notice.extra_headers["List-Unsubscribe"]).rstrip(">")
    response = page.context.browser.new_context().request.post(
        live_server.url + url,
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 200
    assert not Subscription.objects.exists()
    # The link in the email body, opened later in the browser, says there is nothing left to stop.
    page.goto(live_server.url + url)
    assert "You are not subscribed" in page.locator(".lede").inner_text()
