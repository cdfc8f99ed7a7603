"""Every email the site sends goes out through here (error emails to ADMINS aside, which Django sends).

`send_later` records the email in the outbox (reviews.models.OutgoingEmail) inside the transaction of the
event it tells about, so the two commit or vanish together; its `deliver` task sends it after the commit
(inline with the immediate task backend). A failed try is tried again with backoff (1, 2, 4 … minutes, at
most 6 hours apart) by the worker's mail thread (`deliver_due`); a permanent refusal of the address (5xx), an
email that cannot be made (a bad address), or OUTBOX_MAX_ATTEMPTS failed tries gives it up: "Given up" in
the admin's outgoing emails, where staff can try it again.

A hanging mail server holds a try for at most EMAIL_TIMEOUT per step, and only the worker's mail thread
waits for it: `deliver` tasks are on their own queue (QUEUE), which that thread runs with the retries
(`deliver_due`), apart from Akismet checks, purges and chores. After a failed try the outbox is paused for
OUTBOX_PAUSE_AFTER_FAILURE (in the cache: per process without REDIS_URL): `deliver` tasks then leave their
email to the retry round, which tries the server once a minute while paused (stopping at its first
failed try): a dead server costs the mail thread one timeout a minute, not one per email.

Never twice: an email is claimed (reviews.jobs.claim) for longer than a try can last (`claim_seconds`)
before it is sent, and marked sent as soon as the server accepted it, only while the claim is still the
try's own. Only a worker killed between the server's acceptance and that UPDATE leaves an email that is
sent again when its claim runs out.
"""

import logging
import smtplib
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.core.mail.message import make_msgid
from django.core.mail.utils import DNS_NAME
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from . import jobs
from .models import OutgoingEmail

logger = logging.getLogger(__name__)
Status = OutgoingEmail.Status

# The worker runs this queue's tasks in a thread of its own (run_worker's mail thread): a mail server that
# hangs holds up nothing but email.
QUEUE = "email"
PAUSED = "outbox:paused"  # cache key set after a failed try (OUTBOX_PAUSE_AFTER_FAILURE)
PROBE = "outbox:probe"  # while paused, the retry round that may try the server (one a FIRST_RETRY)
FIRST_RETRY, LONGEST_WAIT = timedelta(minutes=1), timedelta(hours=6)
# What a try can end in besides SENT: tried again later, or given up.
LATER, GIVEN_UP = "later", "given up"


def send_later(
    *, key: str, to: str, subject: str, body: str, html_body: str = "", headers=None, about=None
) -> OutgoingEmail | None:
    """Record an email to one address in the caller's transaction and queue it to be sent after the commit.

    `key` names the event it tells about: an event already recorded for this address records nothing
    and returns None. `about` is the row it tells about (a comment): erasing a reader's data finds it by that.
    Its Message-ID is chosen now, so every try sends the same one (a mail system may drop a repeat).
    """
    headers = {"Message-ID": make_msgid(domain=DNS_NAME), **(headers or {})}
    email = OutgoingEmail(key=key, to=to, subject=subject, body=body, html_body=html_body, headers=headers, about=about)
    try:
        with transaction.atomic():  # a savepoint: a duplicate leaves the caller's transaction usable
            email.save()
    except IntegrityError:
        if OutgoingEmail.objects.filter(key=key, to=to).exists():
            return None
        raise
    jobs.enqueue_after_commit(deliver, email.pk)
    return email


@task(queue_name=QUEUE)
def deliver(email_id: int) -> str | None:
    """Send one email; while the outbox is paused after a failure it is left to the retry round instead."""
    if _paused():
        return None
    return attempt(email_id)


def deliver_due(limit: int = 200) -> int:
    """The mail thread's round: send the emails whose time has come (retries, and emails whose task was
    lost or left them to this round), oldest first, stopping at the first try that fails. Returns how many
    went."""
    sent = 0
    if _paused() and not _may_probe():
        return 0  # the server failed lately: one round a minute tries it, the others wait
    due = OutgoingEmail.objects.due().order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit]
    for email_id in list(due):
        outcome = attempt(email_id)
        if outcome == LATER:  # the server is failing: the rest wait for the next round
            break
        sent += outcome == Status.SENT
    return sent


def attempt(email_id: int) -> str | None:
    """One try at one email, if it is due and no other worker took it: SENT, LATER or GIVEN_UP."""
    queued = OutgoingEmail.objects.filter(pk=email_id, status=Status.QUEUED)
    until = jobs.claim(queued, "next_attempt_at", seconds=claim_seconds())
    if until is None:
        return None
    held = queued.filter(next_attempt_at=until)  # the claim is still ours: nobody took it after it ran out
    email = queued.get()
    connection = get_connection()  # the SMTP backend bounds each step by EMAIL_TIMEOUT
    try:
        connection.open()
        if connection.send_messages([email.message(connection)]) == 0:
            raise smtplib.SMTPException("The mail backend sent nothing")
    except (smtplib.SMTPException, OSError) as error:  # OSError: refused, unreachable, timed out
        _drop(connection)
        return _failed(email, held, error)
    except Exception as error:  # an email that cannot be built or sent (a bad header): never a stuck claim
        logger.exception("Email %s cannot be sent", email.pk)
        _drop(connection)
        return _failed(email, held, error)
    # Marked sent before the goodbye: a server that hangs on QUIT must not get the email again.
    _mark_sent(email, held)
    _unpause()
    try:
        connection.close()
    except (smtplib.SMTPException, OSError):
        _drop(connection)
    return Status.SENT


def _drop(connection) -> None:
    """Close a failed connection without a polite QUIT, which a hanging server would make wait again."""
    if smtp := getattr(connection, "connection", None):
        smtp.close()
        connection.connection = None


def claim_seconds() -> float:
    """How long a try may hold its email: a try waits EMAIL_TIMEOUT at most for each of its steps (connect,
    greeting, TLS, login, sender, recipient, data, the end of data), so its claim outlasts them all and no
    other worker sends the email again while the try is still under way."""
    return max(settings.JOBS_LEASE_SECONDS, 12 * settings.EMAIL_TIMEOUT)


def _mark_sent(email: OutgoingEmail, held) -> None:
    """The server took it: record that, trying again if the database is busy for a moment (a copy it
    missed would go out again when the claim runs out)."""
    for wait in (0, 0.5, 2, 5):
        time.sleep(wait)
        try:
            if not held.update(
                status=Status.SENT, sent_at=timezone.now(), next_attempt_at=None, attempts=email.attempts + 1
            ):
                logger.error("Email %s was sent after its claim ran out; another try may send it again", email.pk)
            return
        except DatabaseError:
            logger.warning("Could not mark email %s sent yet", email.pk, exc_info=True)
    logger.error("Email %s was sent but could not be marked sent: it will go again", email.pk)


def _failed(email: OutgoingEmail, held, error: Exception) -> str:
    email.attempts += 1
    email.last_error = f"{type(error).__name__}: {error}"[:2000]
    retry = None
    if not refused_for_good(error):
        retry = jobs.next_try(
            email.attempts, most_tries=settings.OUTBOX_MAX_ATTEMPTS, first=FIRST_RETRY, most=LONGEST_WAIT
        )
    if retry is None:
        email.status, email.next_attempt_at = Status.FAILED, None
        logger.error("Gave up email %s after %s tries: %s", email.pk, email.attempts, email.last_error)
        outcome = GIVEN_UP
    else:
        email.next_attempt_at = retry
        logger.warning("Email %s not sent (try %s), trying again later: %s", email.pk, email.attempts, email.last_error)
        outcome = LATER
    fields = ("attempts", "last_error", "status", "next_attempt_at")
    if not held.update(**{name: getattr(email, name) for name in fields}):
        logger.warning("Email %s: the claim ran out during the try; its outcome is another worker's", email.pk)
    if not refused_for_good(error):
        _pause()
    return outcome


def _paused() -> bool:
    try:
        return bool(cache.get(PAUSED))
    except Exception:  # the shared cache down: no pause, which only costs time
        return False


def _may_probe() -> bool:
    try:
        return cache.add(PROBE, True, timeout=FIRST_RETRY.total_seconds())
    except Exception:
        return True


def _pause() -> None:
    try:
        cache.set(PAUSED, True, timeout=settings.OUTBOX_PAUSE_AFTER_FAILURE)
    except Exception:
        logger.warning("Could not pause the outbox in the cache", exc_info=True)


def _unpause() -> None:
    try:
        cache.delete(PAUSED)
    except Exception:
        logger.warning("Could not end the outbox's pause in the cache", exc_info=True)


def refused_for_good(error: Exception) -> bool:
    """Trying again cannot help, and the server itself works: it answered that it will never take this
    email (a 5xx for its address or its content), or the email could not be made (not a mail error)."""
    if not isinstance(error, smtplib.SMTPException | OSError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500


def try_again(emails) -> int:
    """Give given-up emails one more try now (the admin's action: staff say the server is fixed, so the
    pause after a failure ends too); returns how many."""
    ids = list(emails.filter(status=Status.FAILED).values_list("pk", flat=True))
    _unpause()
    OutgoingEmail.objects.filter(pk__in=ids).update(status=Status.QUEUED, next_attempt_at=timezone.now())
    for email_id in ids:
        jobs.enqueue_after_commit(deliver, email_id)
    return len(ids)


def forget_old(now=None) -> int:
    """Delete sent and given-up emails older than OUTBOX_KEEP_DAYS (the daily purge); returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.OUTBOX_KEEP_DAYS)
    old = OutgoingEmail.objects.exclude(status=Status.QUEUED).filter(created_at__lt=cutoff)
    return old.delete()[0]
