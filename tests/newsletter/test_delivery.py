"""The newsletter end to end, through a real SMTP server on 127.0.0.1: sign up, confirm, a review goes
live, one email per subscriber, and the one-click unsubscribe a mail client sends."""

import pytest
from django.utils import timezone

from reviewblog.newsletter import sending
from reviewblog.newsletter.models import Mailing, Subscriber
from reviews.models import OutgoingEmail
from tests.factories import FilmFactory, ReviewFactory, image_file
from tests.newsletter.conftest import link_in

pytestmark = pytest.mark.django_db


def run_chores(capture):
    """One round of the worker's newsletter chores; the outbox's tasks run on commit (inline here)."""
    with capture(execute=True):
        return sending.run_chores()


def html_and_text(message):
    return message.get_body(("html",)).get_content(), message.get_body(("plain",)).get_content()


def test_subscribe_confirm_publish_then_leave_with_one_click(
    smtp_server, client, sign_up, django_capture_on_commit_callbacks
):
    response = sign_up("Ana@Example.com")
    assert response.status_code == 303
    [confirmation] = smtp_server.to("ana@example.com")
    confirm = link_in(confirmation.get_content(), "/newsletter/confirm/")
    assert client.get(confirm).status_code == 200  # a mail scanner opening the link subscribes nobody
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    assert "Subscribed" in client.post(confirm).content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.ACTIVE

    review = ReviewFactory(
        title="Knives at dawn",
        film=FilmFactory(title="Ballerina", release_year=2025),
        standfirst="A dancer, a grudge, ||the twist at the opera||.",
        rating="3.5",
        contains_spoilers=True,
        published_at=timezone.now(),
    )
    run_chores(django_capture_on_commit_callbacks)
    [email] = [m for m in smtp_server.to("ana@example.com") if m is not confirmation]
    html, text = html_and_text(email)
    assert email["Subject"] == "New review: Knives at dawn (Ballerina)"
    for part in (html, text):
        assert "Knives at dawn" in part and "Ballerina (2025)" in part and "3.5 out of 5" in part
        assert "This review contains spoilers" in part
        assert "the twist at the opera" not in part and "[spoiler hidden]" in part
        assert f"http://127.0.0.1:8000{review.get_absolute_url()}" in part
    assert "<table" in html and "prefers-color-scheme: dark" in html and "color-scheme" in html
    assert "<img" not in html  # no hero image, and never a tracking pixel

    review.title = "Knives at dawn (updated)"
    review.save()
    run_chores(django_capture_on_commit_callbacks)
    assert len(smtp_server.to("ana@example.com")) == 2  # an edit sends nothing

    leave = email["List-Unsubscribe"].strip()[1:-1]
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert leave in text
    path = leave.removeprefix("http://127.0.0.1:8000")
    response = client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert not Subscriber.objects.exists()
    assert Mailing.objects.get(kind=Mailing.Kind.REVIEW).unsubscribed == 1


def test_a_hero_image_is_a_rendition_by_its_full_address_with_its_alt_text(
    smtp_server, subscribers, django_capture_on_commit_callbacks
):
    subscribers(1)
    with django_capture_on_commit_callbacks(execute=True):  # the renditions are made on commit
        ReviewFactory(
            hero_image=image_file(size=(1600, 900)), hero_alt="A dancer on a stair", published_at=timezone.now()
        )
    run_chores(django_capture_on_commit_callbacks)
    [email] = smtp_server.received
    html, _ = html_and_text(email)
    assert 'alt="A dancer on a stair"' in html
    assert 'src="http://127.0.0.1:8000/media/renditions/heroes/image.jpg-1200w.jpg"' in html


def test_each_subscriber_gets_the_review_once_and_weekly_readers_only_the_round_up(
    smtp_server, subscribers, django_capture_on_commit_callbacks
):
    subscribers(3)
    subscribers(2, frequency=Subscriber.Frequency.WEEKLY, prefix="weekly")
    ReviewFactory(published_at=timezone.now())
    run_chores(django_capture_on_commit_callbacks)
    run_chores(django_capture_on_commit_callbacks)
    reviews = sorted(m["To"] for m in smtp_server.received if m["Subject"].startswith("New review"))
    assert reviews == [f"reader{n}@example.com" for n in range(3)]
    round_ups = sorted(m["To"] for m in smtp_server.received if "the week's 1 new review" in m["Subject"])
    assert round_ups == ["weekly0@example.com", "weekly1@example.com"]
    assert OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT).count() == 5
