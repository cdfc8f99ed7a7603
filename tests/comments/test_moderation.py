"""The comment workflow, end to end against the local Akismet server: screen, hold, decide, report, tell."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from comments import moderation
from comments.models import Comment, CommentEvent, InvalidTransition
from tests.akismet_server import SPAM_AUTHOR
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db
Status, Verdict, Kind = Comment.Status, Comment.Verdict, CommentEvent.Kind


@pytest.fixture
def receive(review, django_capture_on_commit_callbacks):
    """Receive a new comment as the public form does, running what is queued on commit."""

    def receive(returning_reader=False, **fields):
        comment = CommentFactory.build(review=review, status=Status.PENDING, verdict=Verdict.UNCHECKED, **fields)
        with django_capture_on_commit_callbacks(execute=True):
            moderation.receive(comment, returning_reader=returning_reader)
        comment.refresh_from_db()
        return comment

    return receive


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            function(*args, **kwargs)

    return run


def kinds(comment):
    return list(comment.events.values_list("kind", flat=True))


# --- Akismet's verdicts ---


def test_a_first_comment_that_akismet_passes_waits_for_a_moderator(akismet_server, receive, moderator):
    comment = receive(author_email="new@example.com")
    assert (comment.status, comment.verdict) == (Status.PENDING, Verdict.HAM)
    assert comment.why_held() == ["first comment from this address"]
    assert kinds(comment) == [Kind.SUBMITTED, Kind.CHECKED]
    (email,) = mail.outbox
    assert email.to == ["mod@example.com"]
    assert "Held because: first comment from this address" in email.body
    assert f"/admin/comments/comment/{comment.pk}/change/" in email.body


def test_a_returning_reader_is_published_at_once_when_akismet_passes(akismet_server, receive, review):
    CommentFactory(review=review, author_email="known@example.com", status=Status.APPROVED, body="Earlier.")
    before = review.page_changed_at
    comment = receive(author_email="Known@Example.com", returning_reader=True)
    assert comment.status == Status.APPROVED
    review.refresh_from_db()
    assert review.page_changed_at > before
    assert mail.outbox == []  # nothing for the moderators to do


def test_a_known_email_typed_from_another_browser_waits_for_a_moderator(akismet_server, receive, review):
    CommentFactory(review=review, author_email="known@example.com", status=Status.APPROVED, body="Earlier.")
    comment = receive(author_email="known@example.com", returning_reader=False)
    assert comment.status == Status.PENDING
    assert comment.why_held() == ["this email has approved comments, but not from this browser"]


def test_a_returning_reader_with_a_link_waits_for_a_moderator(akismet_server, receive, review):
    CommentFactory(review=review, author_email="known@example.com", status=Status.APPROVED, body="Earlier.")
    comment = receive(
        author_email="known@example.com", body="Cheap pills at https://spam.example", returning_reader=True
    )
    assert (comment.status, comment.verdict) == (Status.PENDING, Verdict.HAM)
    assert comment.why_held() == ["a known reader, but the comment holds a link"]


def test_trusting_known_authors_can_be_switched_off(akismet_server, receive, review, settings):
    settings.COMMENT_TRUST_KNOWN_AUTHORS = False
    CommentFactory(review=review, author_email="known@example.com", body="An earlier comment.")
    comment = receive(author_email="known@example.com")
    assert comment.status == Status.PENDING
    assert comment.why_held() == ["every comment waits for a moderator"]


def test_too_many_links_hold_even_a_known_author(akismet_server, receive, review):
    CommentFactory(review=review, author_email="known@example.com", body="An earlier comment.")
    body = "See https://a.example and https://b.example and www.c.example for more."
    comment = receive(author_email="known@example.com", body=body)
    assert comment.status == Status.PENDING
    assert comment.why_held() == ["3 links (limit 2)"]


def test_spam_goes_to_spam(akismet_server, receive):
    comment = receive(author_name=SPAM_AUTHOR)
    assert (comment.status, comment.verdict) == (Status.SPAM, Verdict.SPAM)
    assert comment.why_held() == ["Akismet: spam"]
    assert mail.outbox == []


def test_blatant_spam_is_filed_as_discard(akismet_server, receive):
    comment = receive(author_name=SPAM_AUTHOR, body="BLATANT offers")
    assert (comment.status, comment.verdict) == (Status.SPAM, Verdict.DISCARD)
    assert comment.why_held() == ["Akismet: blatant spam (deleted after 15 days)"]


def test_without_a_key_every_comment_waits_and_says_why(receive, review, settings, moderator):
    settings.AKISMET_API_KEY = ""
    CommentFactory(review=review, author_email="known@example.com", body="An earlier comment.")
    comment = receive(author_email="known@example.com")
    assert (comment.status, comment.verdict) == (Status.PENDING, Verdict.UNCHECKED)
    assert comment.why_held() == ["not checked for spam (no Akismet key)"]
    assert len(mail.outbox) == 1


# --- Akismet in trouble: nothing is lost, re-checks back off ---


@pytest.mark.parametrize("trouble", ["down", "slow", "error"])
def test_when_akismet_fails_the_comment_waits_for_a_recheck(akismet_server, receive, review, trouble, moderator):
    CommentFactory(
        review=review, author_email="known@example.com", body="An earlier comment."
    )  # even a known author is not trusted blind
    if trouble == "down":
        akismet_server.stop()
    else:
        akismet_server.mode = trouble
    start = timezone.now()
    comment = receive(author_email="known@example.com")
    assert (comment.status, comment.verdict, comment.check_attempts) == (Status.PENDING, Verdict.ERROR, 1)
    assert start + timedelta(minutes=2) <= comment.next_check_at <= timezone.now() + timedelta(minutes=2)
    when = timezone.localtime(comment.next_check_at).strftime("%H:%M")
    assert comment.why_held() == [f"Akismet could not be reached (1 try, next at {when})"]
    assert kinds(comment) == [Kind.SUBMITTED, Kind.CHECK_FAILED]
    assert len(mail.outbox) == 1  # the moderators still hear about it


def test_rechecks_back_off_and_resume_when_akismet_is_back(akismet_server, receive):
    akismet_server.stop()
    comment = receive()
    gaps = []
    for _ in range(7):
        Comment.objects.filter(pk=comment.pk).update(next_check_at=timezone.now() - timedelta(seconds=1))
        before = timezone.now()
        assert moderation.run_due_checks() == 1
        comment.refresh_from_db()
        gaps.append(round((comment.next_check_at - before).total_seconds() / 60))
    assert gaps == [4, 8, 16, 32, 60, 60, 60]
    assert moderation.run_due_checks() == 0  # not due yet: nothing is asked

    akismet_server.start()
    Comment.objects.filter(pk=comment.pk).update(next_check_at=timezone.now())
    moderation.run_due_checks()
    comment.refresh_from_db()
    assert (comment.status, comment.verdict, comment.next_check_at) == (Status.PENDING, Verdict.HAM, None)
    assert akismet_server.calls("comment-check")[-1]["recheck_reason"] == "Akismet was unavailable"


def test_a_batch_of_rechecks_stops_at_the_first_failure(akismet_server, review):
    akismet_server.stop()
    past = timezone.now() - timedelta(minutes=1)
    CommentFactory.create_batch(3, review=review, status=Status.PENDING, verdict=Verdict.ERROR, next_check_at=past)
    assert moderation.run_due_checks() == 1
    assert Comment.objects.due_for_recheck().count() == 2


def test_after_fifteen_days_rechecks_stop_but_the_comment_stays_in_the_queue(akismet_server, review):
    akismet_server.stop()
    comment = CommentFactory(
        review=review,
        status=Status.PENDING,
        verdict=Verdict.ERROR,
        check_attempts=300,
        created_at=timezone.now() - timedelta(days=15, minutes=1),
        next_check_at=timezone.now(),
    )
    moderation.run_due_checks()
    comment.refresh_from_db()
    assert comment.status == Status.PENDING and comment.next_check_at is None
    assert comment.why_held() == ["Akismet could not be reached (301 tries; gave up after 15 days, decide by hand)"]
    assert comment in Comment.objects.pending()


def test_a_decision_made_before_a_recheck_is_kept(akismet_server, review, moderator):
    comment = CommentFactory(review=review, status=Status.PENDING, verdict=Verdict.ERROR, author_name=SPAM_AUTHOR)
    moderation.approve(Comment.objects.get(pk=comment.pk), by=moderator)
    moderation.screen(comment, recheck=True)
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED


# --- Moderators' decisions, reported back to Akismet ---


def test_approving_spam_reports_ham(akismet_server, review, moderator, run_on_commit):
    comment = CommentFactory(review=review, status=Status.SPAM, verdict=Verdict.SPAM)
    run_on_commit(moderation.approve, comment, by=moderator)
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    assert akismet_server.calls("submit-ham")[0]["comment_content"] == comment.body
    assert kinds(comment) == [Kind.APPROVED, Kind.REPORTED_HAM]
    assert comment.events.get(kind=Kind.APPROVED).actor == moderator


def test_marking_a_passed_comment_spam_reports_spam_and_hides_it(akismet_server, review, moderator, run_on_commit):
    comment = CommentFactory(review=review, status=Status.APPROVED, verdict=Verdict.HAM)
    before = review.page_changed_at
    run_on_commit(moderation.mark_spam, comment, by=moderator)
    assert len(akismet_server.calls("submit-spam")) == 1
    assert kinds(comment) == [Kind.MARKED_SPAM, Kind.REPORTED_SPAM]
    review.refresh_from_db()
    assert review.page_changed_at > before


def test_agreeing_with_akismet_reports_nothing(akismet_server, review, moderator, run_on_commit):
    comment = CommentFactory(review=review, status=Status.PENDING, verdict=Verdict.HAM)
    run_on_commit(moderation.approve, comment, by=moderator)
    spam_comment = CommentFactory(review=review, status=Status.SPAM, verdict=Verdict.SPAM)
    run_on_commit(moderation.trash, spam_comment, by=moderator)
    assert akismet_server.calls("submit-ham") == [] and akismet_server.calls("submit-spam") == []


def test_a_failed_report_is_retried_later(akismet_server, review, moderator, run_on_commit):
    akismet_server.mode = "error"
    comment = CommentFactory(review=review, status=Status.SPAM, verdict=Verdict.SPAM)
    run_on_commit(moderation.approve, comment, by=moderator)
    comment.refresh_from_db()
    assert comment.report_due == "ham" and comment.next_report_at > timezone.now()
    assert kinds(comment) == [Kind.APPROVED, Kind.REPORT_FAILED]

    akismet_server.mode = "normal"
    Comment.objects.filter(pk=comment.pk).update(next_report_at=timezone.now())
    moderation.run_due_checks()
    comment.refresh_from_db()
    assert comment.report_due == ""
    assert kinds(comment)[-1] == Kind.REPORTED_HAM


def test_illegal_moves_are_refused(review):
    comment = CommentFactory(review=review, status=Status.APPROVED)
    with pytest.raises(InvalidTransition):
        moderation.approve(comment)
    assert comment.events.count() == 0


# --- Telling the reader ---


def test_the_reader_who_asked_is_told_once_when_published(review, moderator, run_on_commit):
    comment = CommentFactory(review=review, status=Status.PENDING, notify_on_approval=True, author_email="ana@x.org")
    run_on_commit(moderation.approve, comment, by=moderator)
    (email,) = mail.outbox
    assert email.to == ["ana@x.org"]
    assert f"http://127.0.0.1:8000/comments/{comment.pk}/" in email.body
    run_on_commit(moderation.unapprove, comment, by=moderator)
    run_on_commit(moderation.approve, comment, by=moderator)
    assert len(mail.outbox) == 1


def test_a_reader_who_did_not_ask_gets_no_email(review, moderator, run_on_commit):
    comment = CommentFactory(review=review, status=Status.PENDING, notify_on_approval=False)
    run_on_commit(moderation.approve, comment, by=moderator)
    assert mail.outbox == []


def test_changing_ones_mind_before_the_report_went_out_cancels_it(akismet_server, review, moderator, run_on_commit):
    akismet_server.mode = "error"
    comment = CommentFactory(review=review, status=Status.SPAM, verdict=Verdict.SPAM)
    run_on_commit(moderation.approve, comment, by=moderator)  # ham report fails, waits for a retry
    run_on_commit(moderation.mark_spam, comment, by=moderator)  # back to spam: Akismet was right after all
    comment.refresh_from_db()
    assert comment.report_due == ""
    akismet_server.mode = "normal"
    tried = len(akismet_server.received)  # the failed first try
    Comment.objects.filter(pk=comment.pk).update(next_report_at=timezone.now())
    moderation.run_due_checks()
    assert len(akismet_server.received) == tried  # nothing more went to Akismet


def test_a_reversal_after_a_report_is_reported_too(akismet_server, review, moderator, run_on_commit):
    comment = CommentFactory(review=review, status=Status.SPAM, verdict=Verdict.SPAM)
    run_on_commit(moderation.approve, comment, by=moderator)
    run_on_commit(moderation.mark_spam, comment, by=moderator)
    assert len(akismet_server.calls("submit-ham")) == 1 and len(akismet_server.calls("submit-spam")) == 1
    comment.refresh_from_db()
    assert comment.reported_as == "spam"


def test_a_recheck_that_is_not_due_asks_nothing(akismet_server, review):
    later = timezone.now() + timedelta(minutes=30)
    comment = CommentFactory(
        review=review, status=Status.PENDING, verdict=Verdict.ERROR, check_attempts=5, next_check_at=later
    )
    assert moderation.recheck(comment.pk) is None
    comment.refresh_from_db()
    assert (comment.check_attempts, comment.next_check_at) == (5, later)
    assert akismet_server.calls("comment-check") == []


def test_a_moderator_deciding_while_akismet_answers_wins(akismet_server, review, moderator, monkeypatch):
    comment = CommentFactory(review=review, status=Status.PENDING, verdict=Verdict.UNCHECKED, author_name=SPAM_AUTHOR)
    real_check = moderation.spam.comment_check

    def check_while_a_moderator_approves(*args, **kwargs):
        verdict = real_check(*args, **kwargs)  # the real client, the real (local) Akismet: spam
        moderation.approve(Comment.objects.get(pk=comment.pk), by=moderator)
        return verdict

    monkeypatch.setattr(moderation.spam, "comment_check", check_while_a_moderator_approves)
    assert moderation.screen(comment) == Verdict.SPAM
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    assert Kind.MARKED_SPAM not in kinds(comment)
