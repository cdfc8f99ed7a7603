"""Telling Akismet what the moderators decided: a spam it missed, a comment it wrongly called spam.

A report is due on the comment row (`report_due`, `next_report_at`), sent by the task worker, claimed,
retried with backoff and given up after about a day through reviews/jobs.py; changing one's mind before
it went out cancels it.
"""

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from reviews import jobs
from reviews.jobs import enqueue_after_commit

from . import spam
from .models import Comment, CommentEvent

Status, Verdict, Kind = Comment.Status, Comment.Verdict, CommentEvent.Kind

MAX_REPORT_ATTEMPTS = 24  # about a day of tries, an hour apart at the end


def settle(comment: Comment, decided: str) -> None:
    """Make sure Akismet ends up told what the moderator decided, once, whatever they decided before.

    Akismet believes what it last said or was last told. Approving what it thinks is spam queues a
    ham report; filing as spam what it did not call spam queues a spam report; changing one's mind
    back before the report went out cancels it.
    """
    comment.refresh_from_db(fields=["report_due", "reported_as", "report_attempts", "next_report_at"])
    believed = comment.reported_as or {Verdict.SPAM: "spam", Verdict.DISCARD: "spam", Verdict.HAM: "ham"}.get(
        comment.verdict, ""
    )
    if decided == "ham":
        due = "ham" if believed == "spam" else ""
    else:
        due = "spam" if believed != "spam" and spam.is_configured() else ""
    if due == comment.report_due:
        return
    comment.report_due, comment.report_attempts = due, 0
    comment.next_report_at = timezone.now() if due else None
    comment.save(update_fields=["report_due", "report_attempts", "next_report_at"])
    if due:
        enqueue_after_commit(report_to_akismet, comment.pk)


@task()
def report_to_akismet(comment_id: int) -> bool | None:
    """The task of a report (`report`), queued when it falls due and again at each retry."""
    return report(comment_id)


def report(comment_id: int) -> bool | None:
    """Send a moderator's decision to Akismet if one is due; on failure try again later.

    True when Akismet took it, False when it failed, None when there was nothing to send (not due,
    cancelled, or another worker has it).
    """
    if not jobs.claim(Comment.objects.due_for_report().filter(pk=comment_id), "next_report_at"):
        return None
    comment = Comment.objects.select_related("review").get(pk=comment_id)
    kind = comment.report_due
    taken = spam.submit_ham(comment) if kind == "ham" else spam.submit_spam(comment)
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment_id)
        comment.report_attempts += 1
        if taken:
            comment.reported_as = kind
            comment.log(Kind.REPORTED_HAM if kind == "ham" else Kind.REPORTED_SPAM)
        if comment.report_due != kind:
            # The moderator changed their mind while this was in flight: settle against the new decision.
            comment.save(update_fields=["report_attempts", "reported_as"])
            decided = {Status.APPROVED: "ham", Status.SPAM: "spam"}.get(comment.status)
            if decided:
                settle(comment, decided)
            return taken
        tries = {"most_tries": MAX_REPORT_ATTEMPTS, **spam.RETRY}
        retry_at = None if taken else jobs.next_try(comment.report_attempts, **tries)
        if taken:
            comment.report_due, comment.next_report_at = "", None
        elif retry_at is None:
            comment.report_due, comment.next_report_at = "", None
            comment.log(Kind.REPORT_FAILED, note=f"{kind}: gave up after {comment.report_attempts} tries")
        else:
            comment.next_report_at = retry_at
            when = timezone.localtime(comment.next_report_at)
            comment.log(Kind.REPORT_FAILED, note=f"{kind}: try {comment.report_attempts}; next at {when:%H:%M}")
        comment.save(update_fields=["report_due", "report_attempts", "next_report_at", "reported_as"])
    if comment.report_due == kind and comment.next_report_at:
        jobs.run_later(report_to_akismet, comment.next_report_at, comment.pk)
    return taken
