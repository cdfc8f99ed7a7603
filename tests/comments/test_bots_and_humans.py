"""Ten bot submissions shaped like real ones and five people, through the real view, with the local Akismet
server calling every one of them ham: at most one bot may wait for a moderator, none may be
public, and no person may be filed as spam or lost.

The bots come as a spam run does, within a minute from a handful of addresses in one network, and
without JavaScript (so without the form's stamp) unless said otherwise; the people come from networks of
their own, in between, and take the seconds people take.
"""

import time

import pytest
from django.test import Client
from django.urls import reverse

from comments import screening
from comments.models import Comment, CommentEvent
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db
Status = Comment.Status

CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Version/18.1 Mobile Safari"
SPAM_TEXT = "Great post! I learned a lot. Visit my site for the best deals on watches and more."


@pytest.fixture
def send(review, django_capture_on_commit_callbacks):
    """Post the public form from one client and address; tasks queued on commit (the Akismet check) run."""

    def send(client, *, ip, user_agent=CHROME, typed_for=None, stamp="", **fields):
        if typed_for is not None:  # what static/js/comment-form.js puts in when the reader starts writing
            stamp = screening.make_stamp(time.time() - typed_for)
        data = {"author_url": "", "homepage": "", "form_stamp": stamp, **fields}
        headers = {"REMOTE_ADDR": ip, "HTTP_REFERER": f"http://testserver{review.get_absolute_url()}"}
        if user_agent:
            headers["HTTP_USER_AGENT"] = user_agent
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("comments:post", args=[review.slug]), data, **headers)
        assert response.status_code == 302, response.content.decode()[:500]

    return send


def test_bots_are_stopped_and_people_are_not(akismet_server, review, send):
    earlier = CommentFactory(review=review, author_name="Oskar", body="The flamethrower scene!")
    bot = Client()  # one script, many addresses
    long_body = "Ich fand die Kamera großartig, vor allem in der Eishöhle. " * 40

    # Bot 1: a headless browser that asks for the form's stamp and sends at once.
    stamp = bot.get(reverse("comments:form_token"), HTTP_USER_AGENT=CHROME).json()["stamp"]
    send(bot, ip="198.18.7.21", stamp=stamp, author_name="Mark", author_email="mark@mail.example", body=SPAM_TEXT)
    # Person 1: a long comment, a name with diacritics, 12 seconds of typing.
    send(
        Client(),
        ip="192.0.2.44",
        user_agent=FIREFOX,
        typed_for=12,
        author_name="Zoë Ångström",
        author_email="zoe@example.org",
        body="The second act drags, but the finale earns it. " * 30,
    )
    # Bot 2: fills every field it finds, the honeypot too.
    send(
        bot,
        ip="198.18.7.22",
        author_name="Best Watches",
        author_email="deals@mail.example",
        body=SPAM_TEXT,
        homepage="https://watches.example",
    )
    # Bot 3: eight links.
    links = " ".join(f"https://pills{n}.example/buy" for n in range(8))
    send(bot, ip="198.18.7.23", author_name="Linda", author_email="linda@mail.example", body=f"Nice! {links}")
    # Person 2: one link, a name in Chinese, 25 seconds.
    send(
        Client(),
        ip="203.0.113.90",
        user_agent=SAFARI,
        typed_for=25,
        author_name="李小龙",
        author_email="lee@example.cn",
        body="The choreography reminds me of this interview: https://films.example/interview",
    )
    # Bot 4: a script that sends no User-Agent.
    send(bot, ip="198.18.7.24", user_agent="", author_name="Kevin", author_email="kev@mail.example", body=SPAM_TEXT)
    # Bots 5 to 9: one text from one address under five names and emails.
    for n in range(5):
        send(
            bot,
            ip="198.18.7.25",
            author_name=f"Reader {n}",
            author_email=f"reader{n}@mail{n}.example",
            body="Very informative article, thanks for sharing such useful information!",
        )
    # Person 3: a reply, five seconds of typing.
    send(
        Client(),
        ip="100.64.12.9",
        user_agent=CHROME,
        typed_for=5,
        author_name="Đặng Thị Hương",
        author_email="huong@example.vn",
        body="Agreed, and the ice cave too.",
        parent=earlier.pk,
    )
    # Bot 10: plain words, a browser's User-Agent, from the same network as the run.
    send(
        bot, ip="198.18.7.26", author_name="Jessica", author_email="jess@mail.example", body="Nice review, bookmarked."
    )
    # Person 4: thirty seconds, a very long body.
    send(
        Client(),
        ip="2001:db8:77::5",
        user_agent=FIREFOX,
        typed_for=30,
        author_name="Søren Kierkegård",
        author_email="soren@example.dk",
        body=long_body,
    )
    # Person 5: no JavaScript, so no stamp at all.
    send(
        Client(),
        ip="192.0.2.200",
        user_agent=FIREFOX,
        author_name="José Müller",
        author_email="jose@example.es",
        body="I read this without JavaScript and still wanted to say: spot on about the score.",
    )

    people = ["zoe@example.org", "lee@example.cn", "huong@example.vn", "soren@example.dk", "jose@example.es"]
    bots = Comment.objects.filter(ip_address__startswith="198.18.7.")
    humans = Comment.objects.filter(author_email__in=people)
    figures = {status: bots.filter(status=status).count() for status in Status.values}
    print(f"bots: {figures}; people: { {c.author_name: c.status for c in humans} }")

    assert bots.count() == 10
    assert figures[Status.APPROVED] == 0
    assert figures[Status.PENDING] <= 1
    assert humans.count() == 5  # nobody lost
    assert not humans.filter(status=Status.SPAM).exists()
    assert set(humans.values_list("status", flat=True)) <= {Status.PENDING, Status.APPROVED}
    assert all(not c.hold_notes or c.hold_notes == ["first comment from this address"] for c in humans)
    # Akismet was asked about every person and called them ham; the people's timing went along.
    checks = {call["comment_author_email"]: call for call in akismet_server.calls("comment-check")}
    assert set(people) <= set(checks)
    assert checks["zoe@example.org"]["POST_form_seconds"].startswith("12")
    assert "POST_ak_js" in checks["zoe@example.org"] and "POST_ak_js" not in checks["jose@example.es"]
    # Every bot's history names the layer that acted.
    for comment in bots.exclude(status=Status.PENDING):
        assert comment.events.exclude(layer="").exists(), comment.author_name
    assert set(CommentEvent.objects.exclude(layer="").values_list("layer", flat=True)) >= {
        "timing",
        "honeypot",
        "links",
        "user_agent",
        "duplicate",
        "burst",
    }


def test_a_stamp_fetched_once_and_sent_with_three_comments_counts_once(akismet_server, review, send):
    """A script fetches the form's stamp, waits five seconds, then sends three comments with it in a
    second: only the first may look typed; the others are held as a stamp we did not sign."""
    stamp = screening.make_stamp(time.time() - 5)  # what /comments/token/ handed out five seconds ago
    bot = Client()
    for n in range(3):
        send(
            bot,
            ip=f"192.0.2.{10 + n}",
            stamp=stamp,
            author_name=f"Reader {n}",
            author_email=f"r{n}@example.org",
            body=f"A fine review, number {n} of three.",
        )
    first, *replays = Comment.objects.order_by("pk")
    assert first.typing_seconds == pytest.approx(5, abs=1) and not first.stamp_forged
    assert first.why_held() == ["first comment from this address"]
    for comment in replays:
        assert comment.typing_seconds is None and comment.stamp_forged
        assert comment.status == Status.PENDING
        assert "the form came back with a time stamp we did not sign, or one used before" in comment.why_held()
