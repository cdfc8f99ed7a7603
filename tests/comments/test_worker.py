"""Akismet checks in the task worker: readers never wait on Akismet, and no comment is left unchecked."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments import chores, moderation
from comments.models import Comment
from reviews import outbox
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db
Status, Verdict = Comment.Status, Comment.Verdict
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}


@pytest.fixture
def database_tasks(settings):
    """The production configuration: tasks wait in the database for `run_worker`."""
    settings.TASKS = DATABASE_TASKS


def run_worker():
    call_command("run_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


def overdue(comment):
    """Let the comment's claim or grace period run out, as time passing would."""
    Comment.objects.filter(pk=comment.pk).update(next_check_at=timezone.now() - timedelta(seconds=1))


def test_the_site_queues_checks_for_a_worker_by_default():
    from reviewblog import settings as site_settings

    assert site_settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between tasks, as in production
def test_posting_a_comment_never_waits_for_akismet(akismet_server, database_tasks, review, post_comment, moderator):
    akismet_server.mode = "slow"
    akismet_server.slow_seconds = 1.5  # past the 1 s the test allows the whole post
    start = timezone.now()
    response = post_comment(review, follow=True)
    assert (timezone.now() - start).total_seconds() < 1
    assert "Your comment is awaiting moderation" in response.content.decode()
    assert akismet_server.calls("comment-check") == []  # nothing was asked inside the request
    comment = Comment.objects.get()
    assert (comment.status, comment.verdict) == (Status.PENDING, Verdict.UNCHECKED)
    assert comment.why_held() == ["waiting for its spam check"]
    # Its spam check, queued for the worker (beside the share card queued when the review was published).
    assert DBTaskResult.objects.filter(task_path__startswith="comments.").count() == 1

    akismet_server.mode = "normal"
    run_worker()
    comment.refresh_from_db()
    assert (comment.status, comment.verdict) == (Status.PENDING, Verdict.HAM)
    assert len(mail.outbox) == 1  # the moderators hear about it once it is checked


def test_a_check_whose_task_was_lost_is_taken_by_the_chores(
    akismet_server, database_tasks, review, post_comment, moderator
):
    post_comment(review)
    DBTaskResult.objects.all().delete()  # the task is lost (a crash between commit and queueing, say)
    comment = Comment.objects.get()
    chores.run_chores()
    assert akismet_server.calls("comment-check") == []  # its grace period is still running
    overdue(comment)
    assert Comment.objects.get(pk=comment.pk).why_held() == [
        "spam check overdue: is the task worker (manage.py run_worker) running?"
    ]
    assert chores.run_chores() == 1
    comment.refresh_from_db()
    assert comment.verdict == Verdict.HAM
    assert "recheck_reason" not in akismet_server.calls("comment-check")[0]  # a first check, late
    outbox.deliver_due()  # the moderator's email, recorded by the check, goes with the mail thread's next round
    assert len(mail.outbox) == 1


def test_a_check_that_fails_halfway_is_checked_again(akismet_server, review, post_comment, monkeypatch):
    real_apply = moderation._apply_verdict

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(moderation, "_apply_verdict", locked)
    response = post_comment(review)
    assert response.status_code == 302  # the reader is not told about our trouble
    comment = Comment.objects.get()
    assert (comment.verdict, comment.check_attempts) == (Verdict.UNCHECKED, 0)
    assert comment.next_check_at > timezone.now()  # its claim runs out, then it is due again
    assert comment.why_held() == ["waiting for its spam check"]

    monkeypatch.setattr(moderation, "_apply_verdict", real_apply)
    overdue(comment)
    chores.run_chores()
    comment.refresh_from_db()
    assert (comment.verdict, comment.next_check_at) == (Verdict.HAM, None)


def test_a_comment_being_checked_is_not_checked_twice(akismet_server, review):
    comment = CommentFactory(
        review=review, status=Status.PENDING, verdict=Verdict.UNCHECKED, next_check_at=timezone.now()
    )
    received_due_at = comment.next_check_at
    assert moderation._claim(Comment.objects.get(pk=comment.pk))  # the chores took it
    assert moderation.first_check(comment.pk, received_due_at) is None  # its own task arrives late
    assert moderation.recheck(comment.pk) is None
    assert akismet_server.calls("comment-check") == []


def test_a_new_comment_runs_no_overdue_rechecks_in_its_request(akismet_server, review, post_comment):
    past = timezone.now() - timedelta(minutes=1)
    CommentFactory.create_batch(4, review=review, status=Status.PENDING, verdict=Verdict.ERROR, next_check_at=past)
    post_comment(review)
    assert len(akismet_server.calls("comment-check")) == 1  # its own check, run inline by the test backend
    assert Comment.objects.due_for_recheck().count() == 4
    assert chores.run_chores() == 4


def test_after_a_failure_akismet_is_left_alone_for_a_while(akismet_server, review, post_comment, settings):
    settings.AKISMET_PAUSE_AFTER_FAILURE = 30
    akismet_server.mode = "error"
    post_comment(review, body="First.")
    post_comment(review, body="Second.")
    assert len(akismet_server.calls("comment-check")) == 1  # the second did not wait for a failure of its own
    assert list(Comment.objects.values_list("verdict", flat=True)) == [Verdict.ERROR, Verdict.ERROR]
    assert all(c.next_check_at > timezone.now() for c in Comment.objects.all())  # both wait for a re-check


def test_the_worker_without_a_database_backend_still_runs_the_chores(akismet_server, review):
    comment = CommentFactory(review=review, status=Status.PENDING, verdict=Verdict.ERROR, next_check_at=timezone.now())
    run_worker()
    comment.refresh_from_db()
    assert comment.verdict == Verdict.HAM


def test_the_queue_says_when_no_worker_has_checked_new_comments(akismet_server, moderator_client, review, settings):
    CommentFactory(review=review, status=Status.PENDING, verdict=Verdict.UNCHECKED, next_check_at=timezone.now())
    late = timezone.now() - timedelta(seconds=settings.COMMENT_CHORES_SECONDS + 1)
    CommentFactory(review=review, status=Status.PENDING, verdict=Verdict.UNCHECKED, next_check_at=late)
    html = moderator_client.get("/admin/comments/comment/").content.decode()
    assert "1 new comment has not been checked for spam yet" in html
    assert "python manage.py run_worker" in html


@pytest.fixture
def queue_down(monkeypatch):
    """The task backend refuses every task (its table locked or gone); `up()` brings it back."""
    from django_tasks.backends.immediate import ImmediateBackend

    def refuse(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(ImmediateBackend, "enqueue", refuse)
    return monkeypatch.undo


@pytest.mark.django_db(transaction=True)  # the request's own commit runs the queueing, as in production
def test_a_comment_whose_check_could_not_be_queued_is_saved_and_checked_by_the_chores(
    akismet_server, queue_down, review, post_comment, moderator
):
    response = post_comment(review)
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.status, comment.verdict) == (Status.PENDING, Verdict.UNCHECKED)
    assert post_comment(review).status_code == 400  # sent again: the form says it is a duplicate
    assert Comment.objects.count() == 1

    queue_down()  # the queue is back; the lost task is the chores' to make up for
    overdue(comment)
    assert chores.run_chores() == 1
    comment.refresh_from_db()
    assert comment.verdict == Verdict.HAM


@pytest.mark.django_db(transaction=True)
def test_a_publication_whose_emails_could_not_be_queued_is_announced_by_the_chores(
    queue_down, review, moderator_client
):
    from django.urls import reverse

    from comments.models import CommentEvent, Subscription

    Subscription.objects.create(email="follower@example.com", review=review, kind="all", confirmed_at=timezone.now())
    comment = CommentFactory(
        review=review, status=Status.PENDING, notify_on_approval=True, author_email="ana@example.com"
    )
    url = reverse("admin:comments_comment_desk_decide", args=[comment.pk, "approve"])
    assert moderator_client.post(url, {"status": "pending"}).status_code == 302
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED
    assert mail.outbox == []

    queue_down()
    chores.run_chores()
    assert mail.outbox == []  # the task may still be on its way
    # A grace period later, the chores send what the lost tasks would have.
    CommentEvent.objects.filter(comment=comment).update(created_at=timezone.now() - timedelta(minutes=5))
    chores.run_chores()
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.com", "follower@example.com"]
    chores.run_chores()
    assert len(mail.outbox) == 2  # once only
