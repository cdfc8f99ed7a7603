"""The emails of comments/followups.py, through the outbox, to a real SMTP server on 127.0.0.1 that accepts,
refuses and hangs: none is lost, none goes twice, and a hanging server never holds up the Akismet checks."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from comments import followups, moderation
from comments.models import Comment, ModeratorPreference, Subscription
from reviewblog.management.commands.run_worker import chores_round, mail_round
from reviews.models import OutgoingEmail
from tests.factories import CommentFactory, UserFactory
from tests.site_process import start_worker

pytestmark = pytest.mark.django_db
Status = Comment.Status


def follower(review, email, kind=Subscription.Kind.ALL, parent=None) -> Subscription:
    return Subscription.objects.create(
        email=email, review=review, kind=kind, parent=parent, confirmed_at=timezone.now()
    )


def header(message, name: str) -> str:
    """A header as a mail client reads it: Django folds a long one onto the next line, and Python's
    parser keeps the space that unfolding leaves before it."""
    return message[name].strip()


def subject(message) -> str:
    return header(message, "Subject")


def all_fall_due():
    """Let every waiting email's backoff run out, as time passing would."""
    OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_confirmation_arrives_at_the_mail_server_with_its_link(smtp_server, review, post_comment):
    post_comment(review, follow_all="on")
    [message] = smtp_server.to("ana@example.com")
    assert subject(message) == f"Confirm: emails about comments on “{review.title}”"
    assert "/comments/follow/" in message.get_content()


def test_a_reply_reaches_its_follower_with_one_click_unsubscribe(
    smtp_server, review, moderator, django_capture_on_commit_callbacks
):
    mine = CommentFactory(review=review, author_email="ana@example.com")
    follower(review, "ana@example.com", Subscription.Kind.REPLIES, parent=mine)
    reply = CommentFactory(review=review, parent=mine, author_name="Bo", status=Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve(reply, by=moderator)
    [message] = smtp_server.to("ana@example.com")
    assert subject(message) == f"Bo replied to your comment on “{review.title}”"
    assert header(message, "List-Unsubscribe").startswith("<http")
    assert header(message, "List-Unsubscribe")[1:-1] in message.get_content()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_readers_are_told_once_the_mail_server_takes_mail_again(
    smtp_server, review, moderator, django_capture_on_commit_callbacks
):
    smtp_server.mode = "refuse"
    follower(review, "olga@example.com")
    comment = CommentFactory(
        review=review, status=Status.PENDING, author_email="ana@example.com", notify_on_approval=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve(comment, by=moderator)
    comment.refresh_from_db()
    assert comment.followers_notified_at and comment.notified_at  # announced: its emails wait in the outbox
    assert smtp_server.received == []
    smtp_server.mode = "accept"
    all_fall_due()
    mail_round()
    mail_round()
    assert sorted(m["To"] for m in smtp_server.received) == ["ana@example.com", "olga@example.com"]
    assert subject(smtp_server.to("ana@example.com")[0]).endswith("is published")


def test_a_notification_processed_twice_is_one_email(smtp_server, review, django_capture_on_commit_callbacks):
    follower(review, "olga@example.com")
    comment = CommentFactory(review=review, status=Status.APPROVED)
    with django_capture_on_commit_callbacks(execute=True):
        assert followups.notify_followers(comment.pk) == 1
        followups.tell_followers.enqueue(comment.pk)  # its task run again
    # Even were the comment's mark lost, the event is recorded once.
    Comment.objects.filter(pk=comment.pk).update(followers_notified_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        followups.notify_followers(comment.pk)
    all_fall_due()
    mail_round()
    assert len(smtp_server.to("olga@example.com")) == 1
    assert OutgoingEmail.objects.count() == 1


def test_the_digest_goes_through_the_outbox_once_a_day(smtp_server, review):
    daily = UserFactory(username="daily", group="Moderators", email="daily@example.com")
    ModeratorPreference.objects.create(user=daily, daily_digest=True)
    CommentFactory(review=review, status=Status.PENDING, author_name="Zed")
    chores_round()  # the day's digest, recorded
    mail_round()
    [digest] = smtp_server.to("daily@example.com")
    assert subject(digest).endswith("1 comment awaiting moderation")
    assert "Zed on “Ballerina dances with knives”" in digest.get_content()
    assert followups.send_digest() == 0  # asked again the same day (another worker, a restart)
    chores_round()
    mail_round()
    assert len(smtp_server.received) == 1


def test_moderators_hear_about_a_held_comment_through_the_outbox(
    smtp_server, review, moderator, django_capture_on_commit_callbacks
):
    comment = CommentFactory(review=review, status=Status.PENDING, author_name="Zed")
    with django_capture_on_commit_callbacks(execute=True):
        followups.notify_moderators(comment)
        followups.notify_moderators(comment)  # the same comment again: one email
    [message] = smtp_server.to(moderator.email)
    assert subject(message).endswith("Comment awaiting moderation: “Ballerina dances with knives”")


@pytest.mark.django_db(transaction=True)  # the worker process sees only what is committed
def test_a_hanging_mail_server_holds_up_no_akismet_check(
    smtp_server, akismet_server, settings, review, post_comment, moderator, tmp_path
):
    """The worker as production runs it: its mail thread is stuck on a server that never answers, and a
    new comment's Akismet check still takes well under one EMAIL_TIMEOUT; once the server answers again,
    every email goes, once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}
    smtp_server.mode, smtp_server.hang_seconds = "hang", 60
    for n in range(10):
        follower(review, f"reader{n}@example.com")
    followups.notify_followers(CommentFactory(review=review, status=Status.APPROVED).pk)  # ten emails, queued first
    log = tmp_path / "worker.log"
    worker = start_worker(
        log,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_server.port),
        EMAIL_TIMEOUT="5",
        # A try's claim lasts ten minutes, far longer than any backoff below, so the test can tell a
        # backed-off email from one in flight; and no pause, so the server is tried again at once.
        JOBS_LEASE_SECONDS="600",
        OUTBOX_PAUSE_AFTER_FAILURE="0",
        AKISMET_API_KEY=settings.AKISMET_API_KEY,
        AKISMET_API_URL=settings.AKISMET_API_URL,
    )
    try:
        waiting = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED)
        # The mail thread has taken an email and waits on the server.
        wait_until(lambda: waiting.filter(next_attempt_at__gt=timezone.now()).exists(), log)
        started = time.monotonic()
        post_comment(review, author_email="bea@example.com")
        checked = Comment.objects.filter(author_email="bea@example.com", verdict=Comment.Verdict.HAM)
        wait_until(checked.exists, log)
        assert time.monotonic() - started < 5  # not one EMAIL_TIMEOUT spent waiting for mail

        smtp_server.mode = "accept"

        def backoffs_run_out():  # as time would; an email in flight keeps its claim
            backed_off = waiting.filter(next_attempt_at__lt=timezone.now() + timedelta(minutes=5))
            backed_off.update(next_attempt_at=timezone.now() - timedelta(seconds=1))

        wait_until(lambda: backoffs_run_out() or len(smtp_server.received) >= 11, log)
        time.sleep(2)  # a second copy of any of them would arrive by now
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    recipients = sorted(m["To"] for m in smtp_server.received)
    assert recipients == sorted([moderator.email] + [f"reader{n}@example.com" for n in range(10)])


def wait_until(condition, log, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Waited {seconds} s; the worker said:\n{log.read_text()}")
        time.sleep(0.1)
