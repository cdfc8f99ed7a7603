"""The comment workflow: receive, screen with Akismet, decide.

Views, admin actions, tasks and commands call these functions; none of them sets `status` itself.
The Akismet checks run in the task worker (the tasks below, beside what they run), claimed, retried and
given up through reviews/jobs.py. Side effects that leave the database run after commit: reports of the
moderators' decisions to Akismet (`akismet_reports.py`) and emails to people (`followups.py`).
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from reviews import jobs
from reviews.jobs import enqueue_after_commit
from reviews.models import Review

from . import akismet_reports, followups, screening, spam
from .models import Comment, CommentEvent, InvalidTransition, count_links, touch_review

logger = logging.getLogger(__name__)
Status, Verdict, Kind, Layer = Comment.Status, Comment.Verdict, CommentEvent.Kind, CommentEvent.Layer

# --- Receiving ---


class DuplicateComment(Exception):
    """The same email already sent exactly these words here (a double click, two tabs)."""


def receive(
    comment: Comment,
    *,
    honeypot_filled: bool = False,
    returning_reader: bool = False,
    follow_replies: bool = False,
    follow_all: bool = False,
) -> Comment:
    """Save a new comment from the public form and queue its Akismet check; raises DuplicateComment.

    The rules and bot signs (comments/screening.py) act first: what they file as spam (a filled honeypot,
    a spam rule, a sign no person leaves) is kept as spam, never lost, never shown, and Akismet is not
    asked; what they hold waits for a moderator whatever Akismet says. The check itself runs in the task
    worker; should its task never run, the comment's check falls due after a grace period and the
    worker's chores take it (`run_due_checks`). The follow-ups the reader asked for are recorded with it;
    their confirmation is mailed once the check finds the comment is not spam (`followups.ask_to_confirm`).
    """
    comment.returning_reader = returning_reader
    # Read before the transaction: the lock it takes (the review's row, SQLite's whole database) is held
    # for the insert alone.
    found = screening.flags(comment, honeypot_filled=honeypot_filled)
    decision = screening.decide(found)
    comment.hold_notes = [flag.note for flag in found if flag.acts]
    with transaction.atomic():
        # Two tabs sending the same words at once: with the review's row locked (PostgreSQL), or SQLite's
        # write lock taken at BEGIN (IMMEDIATE), this check and the insert are one step.
        list(Review.objects.select_for_update().filter(pk=comment.review_id).values_list("pk"))
        if comment.author_email and Comment.objects.copies_of(comment).exists():
            raise DuplicateComment
        if decision == screening.SPAM:
            comment.status = Status.SPAM
        elif spam.is_configured():
            comment.next_check_at = jobs.lease()  # its first check's claim, held by the task below
        comment.save()
        comment.log(Kind.SUBMITTED)
        followups.subscribe(comment, replies=follow_replies, everything=follow_all)
        _log_flags(comment, found, decision)
    if any(flag.acts and flag.layer in (Layer.BURST, Layer.DUPLICATE) for flag in found):
        # A burst or a third copy tells on the comments before it too: the worker screens them again.
        enqueue_after_commit(screen_neighbours, comment.pk)
    if decision != screening.SPAM:
        # Should queueing fail, the reader still gets their answer and the chores check it once the claim runs out.
        claim = comment.next_check_at.isoformat() if comment.next_check_at else None
        enqueue_after_commit(check_comment, comment.pk, claim)
    return comment


@task()
def screen_neighbours(comment_id: int) -> int:
    """The task: screen again the waiting comments a burst or copy in this comment tells on (its task, never in the
    reader's POST); each locked, so a moderator's decision meanwhile wins. Returns how many were filed."""
    comment = Comment.objects.filter(pk=comment_id).first()
    filed = 0
    for neighbour in screening.neighbours(comment) if comment else []:
        with transaction.atomic():
            locked = Comment.objects.select_for_update().filter(pk=neighbour.pk, status=Status.PENDING).first()
            filed += bool(locked and _rescreen(locked))
    return filed


def _log_flags(comment: Comment, found: list, decision: str) -> None:
    """One history row per layer that acted (or, in shadow mode, would have), naming the layer and rule."""
    for flag in found:
        if flag.shadow:
            comment.log(
                Kind.SHADOW,
                note=f"would have {'filed it as spam' if flag.action == screening.SPAM else 'held it'}: {flag.note}",
                layer=flag.layer,
                rule=flag.rule,
            )
        else:
            kind = Kind.FILED_SPAM if decision == screening.SPAM else Kind.HELD
            comment.log(kind, note=flag.note, layer=flag.layer, rule=flag.rule)


@task()
def check_comment(comment_id: int, due_at: str | None = None) -> str | None:
    """The task of a new comment's first check (`due_at`: its claim, as `first_check` wants it)."""
    return first_check(comment_id, datetime.fromisoformat(due_at) if due_at else None)


def first_check(comment_id: int, due_at: datetime | None = None) -> str | None:
    """The first Akismet check of a new comment (its task); None if it was decided or taken meanwhile.

    `due_at` is when the comment said it would be due if this task never ran: if that changed, the
    chores took the comment over already.
    """
    comment = (
        Comment.objects.select_related("review")
        .filter(pk=comment_id, status=Status.PENDING, verdict=Verdict.UNCHECKED, next_check_at=due_at)
        .first()
    )
    if comment is None or not _claim(comment):
        return None
    return _screen_claimed(comment)


def screen(comment: Comment, *, recheck: bool = False) -> str:
    """Ask Akismet about a pending comment and act on its verdict; returns the verdict.

    The answer is applied to the row as it is *after* Akismet replied, locked, so a moderator's
    decision made in the meantime always wins over the machine.
    """
    verdict = spam.comment_check(comment, recheck_reason="Akismet was unavailable" if recheck else "")
    with transaction.atomic():
        locked = Comment.objects.select_for_update().filter(pk=comment.pk, status=Status.PENDING).first()
        if locked is None:  # decided (or deleted) while Akismet was thinking
            return verdict
        comment = locked
        _apply_verdict(comment, verdict)
        if comment.status == Status.PENDING and comment.verdict != Verdict.ERROR:
            followups.ask_to_confirm(comment)  # held, not spam (a published one asked in `_approve`)
    if comment.status == Status.PENDING and not recheck:
        followups.notify_moderators(comment)
    if comment.verdict == Verdict.ERROR and comment.next_check_at:
        jobs.run_later(recheck_comment, comment.next_check_at, comment.pk)
    return verdict


def _apply_verdict(comment: Comment, verdict: str) -> None:
    """Record Akismet's answer, then the rules and bot signs as they stand now (a rule added since the
    comment arrived applies too), then act: spam, published for a trusted reader, or held."""
    comment.verdict = verdict
    if verdict == Verdict.UNCHECKED:  # no key: screening is off, a moderator decides
        comment.next_check_at = None
        comment.save(update_fields=["verdict", "next_check_at"])
        _rescreen(comment)
        return
    comment.check_attempts += 1
    if verdict == Verdict.ERROR:
        give_up_at = comment.created_at + timedelta(days=settings.COMMENT_RECHECK_GIVE_UP_DAYS)
        comment.next_check_at = jobs.next_try(comment.check_attempts, until=give_up_at, **spam.RETRY)
        if comment.next_check_at is None:
            note = f"try {comment.check_attempts}; no more re-checks, a moderator decides"
        else:
            note = f"try {comment.check_attempts}; next at {timezone.localtime(comment.next_check_at):%H:%M}"
        comment.save(update_fields=["verdict", "check_attempts", "next_check_at"])
        comment.log(Kind.CHECK_FAILED, note=note)
        _rescreen(comment)
        return
    comment.next_check_at = None
    comment.save(update_fields=["verdict", "check_attempts", "next_check_at"])
    comment.log(Kind.CHECKED, note=comment.get_verdict_display())
    if _rescreen(comment):
        return
    if verdict in (Verdict.SPAM, Verdict.DISCARD):
        comment.move_to(Status.SPAM, note="Akismet", layer=Layer.AKISMET)
        return
    if _trusted(comment):
        _approve(comment, by=None, note="Akismet: not spam, from the browser of a reader with an approved comment")
    elif not comment.hold_notes:
        comment.hold_notes = [_why_not_trusted(comment)]
        comment.save(update_fields=["hold_notes"])


def _rescreen(comment: Comment) -> bool:
    """Apply the rules and bot signs again at a check (first or re-check): what is new since the comment
    arrived is added to why it is held and to its history. True when it is now filed as spam."""
    found = screening.flags(comment)
    new = [flag for flag in found if flag.acts and flag.note not in comment.hold_notes]
    shadow_seen = set(comment.events.filter(kind=Kind.SHADOW).values_list("note", flat=True))
    new_shadow = [flag for flag in found if flag.shadow and not any(flag.note in note for note in shadow_seen)]
    decision = screening.decide(found)
    if new:
        comment.hold_notes = [*comment.hold_notes, *(flag.note for flag in new)]
        comment.save(update_fields=["hold_notes"])
    _log_flags(comment, new + new_shadow, decision)
    if decision != screening.SPAM:
        return False
    reason = screening.spam_layer(found)
    if comment.next_check_at:
        comment.next_check_at = None
        comment.save(update_fields=["next_check_at"])
    comment.move_to(Status.SPAM, note=reason.note, layer=reason.layer, rule=reason.rule)
    return True


def _trusted(comment: Comment) -> bool:
    """Published without a moderator: Akismet said ham, no rule held it, no link in it, and it came from
    a browser that posted an approved comment with this email (an email alone anyone can type)."""
    return (
        settings.COMMENT_TRUST_KNOWN_AUTHORS
        and comment.verdict == Verdict.HAM
        and not comment.hold_notes
        and comment.returning_reader
        and count_links(comment.body) == 0
        and Comment.objects.public().by_email(comment.author_email).exclude(pk=comment.pk).exists()
    )


def _why_not_trusted(comment: Comment) -> str:
    known = comment.author_email and Comment.objects.public().by_email(comment.author_email).exists()
    if not known:
        return "first comment from this address"
    if not settings.COMMENT_TRUST_KNOWN_AUTHORS:
        return "every comment waits for a moderator"
    if count_links(comment.body):
        return "a known reader, but the comment holds a link"
    return "this email has approved comments, but not from this browser"


@task()
def recheck_comment(comment_id: int) -> str | None:
    """The task of a re-check at its backoff time (database backend); nothing if it is not due any more."""
    return recheck(comment_id)


def recheck(comment_id: int) -> str | None:
    """Check one comment if its turn has come; None when it is not due (or someone else took it)."""
    comment = Comment.objects.due_for_recheck().select_related("review").filter(pk=comment_id).first()
    if comment is None or not _claim(comment):
        return None
    return _screen_claimed(comment)


def _claim(comment: Comment) -> bool:
    """Take a comment for one check (`jobs.claim`), only if nobody moved its next check since we read it:
    the first-check task, a scheduled re-check and the chores never check it twice. If the check dies
    halfway (a killed worker, a locked database), the claim runs out and it is due again.
    """
    unchanged = Comment.objects.filter(pk=comment.pk, status=Status.PENDING, verdict=comment.verdict)
    until = jobs.claim(unchanged, "next_check_at", held=comment.next_check_at)
    if until:
        comment.next_check_at = until
    return until is not None


def _screen_claimed(comment: Comment) -> str:
    try:
        return screen(comment, recheck=comment.verdict == Verdict.ERROR)
    except Exception:  # a bug or a database error: the claim stays, so the chores try again when it runs out
        logger.exception("Checking comment %s failed; it will be checked again", comment.pk)
        return Verdict.ERROR


def run_due_checks(limit: int = 100) -> int:
    """Check comments whose turn has come, oldest first, and send reports that are due; each stops at the
    first failure (Akismet still down: the rest keep their turn). Run by the task worker's chores.
    Returns how many comments were checked.
    """
    checked = 0
    for comment_id in list(Comment.objects.due_for_recheck().values_list("pk", flat=True)[:limit]):
        verdict = recheck(comment_id)
        checked += verdict is not None
        if verdict == Verdict.ERROR:
            break
    for comment_id in list(Comment.objects.due_for_report().values_list("pk", flat=True)[:limit]):
        if akismet_reports.report(comment_id) is False:
            break
    return checked


def recheck_all() -> dict[str, int]:
    """Re-check every comment still waiting for a verdict, due or not (`manage.py recheck_comments`)."""
    results: dict[str, int] = {}
    for comment in Comment.objects.awaiting_check().select_related("review"):
        if not _claim(comment):  # the worker is checking it right now
            continue
        verdict = _screen_claimed(comment)
        results[verdict] = results.get(verdict, 0) + 1
    return results


# --- Deciding ---


def approve(comment: Comment, *, by=None) -> None:
    """Publish a comment; if Akismet had called it spam, tell Akismet it was wrong."""
    with transaction.atomic():
        _approve(comment, by=by)
        akismet_reports.settle(comment, "ham")


def _approve(comment: Comment, *, by, note: str = "") -> None:
    comment.move_to(Status.APPROVED, by=by, note=note)
    followups.announce(comment)
    followups.ask_to_confirm(comment)  # published, or rescued from spam: its follow-ups may ask now
    if comment.notify_on_approval and comment.notified_at is None:
        enqueue_after_commit(followups.tell_author, comment.pk)


def mark_spam(comment: Comment, *, by=None) -> None:
    """File a comment as spam; if Akismet had let it pass, teach it."""
    with transaction.atomic():
        comment.move_to(Status.SPAM, by=by)
        akismet_reports.settle(comment, "spam")


def decide_each(comments, decide, *, by) -> tuple[int, int]:
    """One decision (approve, mark_spam …) for many comments: (how many moved, how many could not)."""
    changed = skipped = 0
    for comment in comments:
        try:
            decide(comment, by=by)
            changed += 1
        except InvalidTransition:
            skipped += 1
    return changed, skipped


def trash(comment: Comment, *, by=None) -> None:
    comment.move_to(Status.TRASH, by=by)


def unapprove(comment: Comment, *, by=None) -> None:
    """Take a comment off the site and back into the queue."""
    comment.move_to(Status.PENDING, by=by)


STATUS_KINDS = [Kind.APPROVED, Kind.UNAPPROVED, Kind.MARKED_SPAM, Kind.TRASHED]


def last_event_id(comment: Comment) -> int:
    """The comment's newest history row: what a decision just made is undone against (`undo`)."""
    return comment.events.order_by("-pk").values_list("pk", flat=True).first() or 0


def undo(comment: Comment, previous: str, *, decided_at_event: int, by=None) -> None:
    """Put a comment back where a moderator's decision found it (the desk's "z"), and make what Akismet
    will be told match again: a report the undone decision queued, and not yet sent, is called off.

    Only while the comment is as that decision left it: if anyone (another moderator, Akismet) moved it
    since `decided_at_event`, their decision stands and InvalidTransition says who made it.
    """
    with transaction.atomic():
        comment = Comment.objects.select_for_update().select_related("review").get(pk=comment.pk)
        since = comment.events.filter(pk__gt=decided_at_event, kind__in=STATUS_KINDS).select_related("actor")
        if later := since.order_by("-pk").first():
            who = later.actor.get_username() if later.actor else (later.get_layer_display() or "the site")
            when = timezone.localtime(later.created_at)
            raise InvalidTransition(
                f"Not undone: {who} changed this comment since your decision "
                f"({later.get_kind_display().lower()}, {when:%H:%M}). Their decision stands."
            )
        comment.move_to(previous, by=by, note="undo")
        if previous in (Status.APPROVED, Status.SPAM):
            akismet_reports.settle(comment, "ham" if previous == Status.APPROVED else "spam")
        elif comment.report_due:
            comment.report_due, comment.next_report_at = "", None
            comment.save(update_fields=["report_due", "next_report_at"])


def reply_as_staff(parent: Comment, body: str, *, by) -> Comment:
    """A moderator's answer from the desk, published at once in the site's name (a "staff" badge shows
    on the page). Replying to a comment that waits approves it first, as WordPress's "Approve and Reply"."""
    with transaction.atomic():
        if parent.status == Status.PENDING:
            approve(parent, by=by)
        if not parent.can_take_replies:
            raise InvalidTransition(
                "This comment cannot take a reply (not published, or the thread is as deep as it goes)."
            )
        reply = Comment(
            review=parent.review,
            parent=parent,
            user=by,
            author_name=settings.SITE_NAME,
            body=body,
            status=Status.APPROVED,
        )
        reply.save()
        reply.log(Kind.STAFF_REPLY, by=by, note=f"in reply to comment {parent.pk}")
        touch_review(reply.review)
        followups.announce(reply)
    return reply


def edit(comment: Comment, changes: dict, *, by) -> list[str]:
    """A moderator's edit of a reader's words or details; the history keeps the words it replaced."""
    changed = [name for name, value in changes.items() if getattr(comment, name) != value]
    if not changed:
        return []
    before = comment.body
    with transaction.atomic():
        for name in changed:
            setattr(comment, name, changes[name])
        comment.save(update_fields=changed)
        comment.log(Kind.EDITED, by=by, note=", ".join(changed), before=before if "body" in changed else "")
        if comment.status == Status.APPROVED:
            touch_review(comment.review)
    return changed
