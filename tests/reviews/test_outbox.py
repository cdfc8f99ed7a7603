"""The outbox (reviews/outbox.py) against a real SMTP server on 127.0.0.1 that accepts, refuses and hangs."""

import threading
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from reviews import outbox
from reviews.models import OutgoingEmail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
Status = OutgoingEmail.Status


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Record emails as an event's transaction does; their tasks run when it commits (inline, in the tests)."""

    def send(key="film-news:1", to="ana@example.com", **fields):
        fields = {"subject": "A new review of Ballerina", "body": "Read it on the site.", **fields}
        with django_capture_on_commit_callbacks(execute=True):
            return outbox.send_later(key=key, to=to, **fields)

    return send


def fall_due(email):
    """Let the email's backoff (or claim) run out, and the minute between probes of a failing server, as
    time passing would."""
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    cache.delete(outbox.PROBE)


def test_an_email_reaches_the_mail_server_with_its_headers(smtp_server, send, settings):
    headers = {"List-Unsubscribe": "<https://films.example/stop>", "X-Film": "Ballerina"}
    email = send(headers=headers, html_body="<p>Read it on the site.</p>")
    [message] = smtp_server.received
    assert (message["To"], message["From"]) == ("ana@example.com", settings.DEFAULT_FROM_EMAIL)
    assert message["Subject"] == "A new review of Ballerina"
    assert (message["List-Unsubscribe"], message["X-Film"]) == ("<https://films.example/stop>", "Ballerina")
    assert message["Message-ID"] == email.headers["Message-ID"]
    assert message.get_body(("plain",)).get_content().strip() == "Read it on the site."
    assert "<p>Read it on the site.</p>" in message.get_body(("html",)).get_content()
    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == (Status.SENT, 1, None)
    assert email.sent_at is not None


def test_a_refused_email_is_tried_again_later_and_arrives_once(smtp_server, send):
    smtp_server.mode = "refuse"
    email = send()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.QUEUED, 1)
    assert "451" in email.last_error
    assert timedelta(seconds=50) < email.next_attempt_at - timezone.now() <= timedelta(minutes=1)
    smtp_server.mode = "accept"
    assert outbox.deliver_due() == 0  # its backoff is not over
    fall_due(email)
    assert outbox.deliver_due() == 1
    outbox.deliver.call(email.pk)  # its task arriving late, and the chores again: nothing more
    assert outbox.deliver_due() == 0
    [message] = smtp_server.received
    assert message["Message-ID"] == email.headers["Message-ID"]  # the one the first try had
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 2)


def test_the_backoff_doubles_up_to_six_hours(smtp_server, send, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 20
    smtp_server.mode = "refuse"
    email = send()
    waits = []
    for _ in range(11):
        email.refresh_from_db()
        waits.append(round((email.next_attempt_at - timezone.now()).total_seconds() / 60))
        fall_due(email)
        outbox.deliver_due()
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360]


def test_a_hanging_server_costs_one_timeout_and_its_emails_go_once_it_answers(smtp_server, send, settings):
    smtp_server.mode = "hang"
    start = time.monotonic()
    first, *others = [send(key=f"film-news:{n}") for n in range(5)]
    # The first try waits EMAIL_TIMEOUT; the other emails' tasks leave them to the retry round (not 5 timeouts).
    assert time.monotonic() - start < 2 * settings.EMAIL_TIMEOUT
    first.refresh_from_db()
    assert (first.status, first.attempts) == (Status.QUEUED, 1)
    assert "timed out" in first.last_error
    assert set(OutgoingEmail.objects.exclude(pk=first.pk).values_list("status", "attempts")) == {(Status.QUEUED, 0)}
    start = time.monotonic()
    assert outbox.deliver_due() == 0  # the retry round stops at its first failed try
    assert time.monotonic() - start < 2 * settings.EMAIL_TIMEOUT
    assert outbox.deliver_due() == 0  # paused: the server is tried once a minute, not every round
    smtp_server.mode = "accept"
    fall_due(first)
    fall_due(others[0])
    assert outbox.deliver_due() == 5
    assert sorted(m["To"] for m in smtp_server.received) == ["ana@example.com"] * 5
    assert not cache.get(outbox.PAUSED)  # a success ends the pause: tasks send again at once
    send(key="film-news:6")
    assert len(smtp_server.received) == 6


def test_a_server_hanging_on_goodbye_after_taking_the_email_gets_it_once(smtp_server, send):
    smtp_server.mode = "hang-on-quit"
    email = send()
    email.refresh_from_db()
    assert email.status == Status.SENT
    fall_due(email)
    outbox.deliver_due()
    assert len(smtp_server.received) == 1


def test_a_dead_server_is_a_failed_try(smtp_server, send):
    smtp_server.stop()  # connections refused
    email = send()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.QUEUED, 1) and "refused" in email.last_error.lower()


def test_one_event_is_one_email_however_often_it_is_recorded_or_delivered(smtp_server, send):
    email = send(key="comment-followers:7")
    assert send(key="comment-followers:7") is None
    assert send(key="comment-followers:7", to="olga@example.com") is not None  # the same event, another reader
    outbox.deliver.call(email.pk)
    outbox.deliver_due()
    assert sorted(m["To"] for m in smtp_server.received) == ["ana@example.com", "olga@example.com"]


def test_an_email_that_cannot_be_sent_is_given_up_at_once_and_the_rest_go(smtp_server, send):
    broken = send(to="ana@example.com\nBcc: everyone@example.com")  # stored by code that skipped validation
    send(key="film-news:2")
    broken.refresh_from_db()
    assert (broken.status, broken.attempts) == (Status.FAILED, 1)
    assert "Invalid address" in broken.last_error
    assert [m["To"] for m in smtp_server.received] == ["ana@example.com"]


def test_a_permanent_refusal_gives_the_email_up_at_once(smtp_server, send):
    smtp_server.mode = "reject"
    email = send()
    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == (Status.FAILED, 1, None)
    assert "550" in email.last_error
    assert not cache.get(outbox.PAUSED)  # the server works: other emails are not held up


def test_after_the_bound_an_email_is_given_up_shown_to_staff_and_try_again_delivers_it(
    smtp_server, send, settings, client, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    smtp_server.mode = "refuse"
    email = send(subject="Confirm: emails about comments")
    for _ in range(2):
        fall_due(email)
        outbox.deliver_due()
    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == (Status.FAILED, 3, None)

    client.force_login(UserFactory(group="Editors"))
    listing = client.get("/admin/reviews/outgoingemail/", {"status__exact": "failed", "q": "Confirm"})
    page = listing.content.decode()
    assert listing.status_code == 200
    assert "Confirm: emails about comments" in page and "ana@example.com" in page and "Given up" in page
    assert client.get(f"/admin/reviews/outgoingemail/{email.pk}/change/").status_code == 200  # to read
    assert client.get("/admin/reviews/outgoingemail/add/").status_code == 403

    smtp_server.mode = "accept"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/reviews/outgoingemail/", {"action": "try_again", "_selected_action": [email.pk]}, follow=True
        )
    assert "1 email queued to be tried again." in response.content.decode()
    assert [m["Subject"] for m in smtp_server.received] == ["Confirm: emails about comments"]
    email.refresh_from_db()
    assert email.status == Status.SENT


def test_try_again_gives_one_more_try(smtp_server, send, settings, django_capture_on_commit_callbacks):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    smtp_server.mode = "refuse"
    email = send()
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.try_again(OutgoingEmail.objects.all()) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.FAILED, 2)
    assert outbox.try_again(OutgoingEmail.objects.filter(status=Status.SENT)) == 0


def test_editors_read_the_outbox_and_authors_and_moderators_do_not(client, send):
    send()
    client.force_login(UserFactory(group="Editors"))
    assert client.get("/admin/reviews/outgoingemail/").status_code == 200
    for group in ("Authors", "Moderators"):
        client.force_login(UserFactory(group=group))
        assert client.get("/admin/reviews/outgoingemail/").status_code == 403


def test_sent_and_given_up_emails_are_forgotten_after_the_keep_days(settings, send):
    settings.OUTBOX_KEEP_DAYS = 14
    sent, given_up, waiting = send(key="a:1"), send(key="a:2"), send(key="a:3")
    OutgoingEmail.objects.filter(pk=given_up.pk).update(status=Status.FAILED, next_attempt_at=None)
    OutgoingEmail.objects.filter(pk=waiting.pk).update(status=Status.QUEUED, next_attempt_at=timezone.now())
    OutgoingEmail.objects.update(created_at=timezone.now() - timedelta(days=15))
    assert outbox.forget_old() == 2
    assert list(OutgoingEmail.objects.values_list("pk", flat=True)) == [waiting.pk]
    assert sent.pk != waiting.pk


@pytest.mark.django_db(transaction=True)  # two workers, each with its own connection
def test_a_try_that_outlived_its_claim_leaves_the_other_workers_outcome_alone(smtp_server, settings):
    """Worker 1's try hangs past its claim; worker 2 takes the email and sends it; worker 1's failure then
    arrives: the email stays sent, and the reader has one copy."""
    smtp_server.mode = "hang"
    email = OutgoingEmail.objects.create(key="film-news:1", to="ana@example.com", subject="Ballerina", body="Read it.")

    def worker_one():
        try:
            outbox.attempt(email.pk)
        finally:
            connection.close()  # the thread's own connection

    first = threading.Thread(target=worker_one)
    first.start()
    wait_until(lambda: OutgoingEmail.objects.get(pk=email.pk).next_attempt_at > timezone.now())  # worker 1's claim
    wait_until(lambda: smtp_server.hanging)  # and its message is with the server, which sits on it
    smtp_server.mode = "accept"
    fall_due(email)  # the claim ran out (worker 1 still waiting on the server)
    assert outbox.attempt(email.pk) == Status.SENT  # worker 2
    first.join()
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert [m["To"] for m in smtp_server.received] == ["ana@example.com"]


def wait_until(condition, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(0.02)
