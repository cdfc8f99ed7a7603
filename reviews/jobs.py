"""The one way background work is done on this site, for every app: queueing a task after the change
that needs it commits, running one later, taking a piece of work so two workers never do it twice,
trying again with backoff, and chores that run once a day however many workers run.

Jobs keep their state on their own rows (a comment's next check, an email's next attempt): a row is due
when its time has come, `claim` moves that time a lease ahead in one UPDATE (so of two workers racing,
one wins, and a worker killed halfway leaves a row that falls due again when the lease runs out), and
`retry_at` says when the next try is after a failure. The task worker (`manage.py run_worker`) runs the
tasks and, every JOBS_CHORES_SECONDS, the chores that catch what no task covered.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import default_task_backend

logger = logging.getLogger(__name__)


def enqueue_after_commit(task, *args) -> None:
    """`task.enqueue(*args)` after the current transaction commits (at once outside one); never raises.

    A queue that fails (the database busy, the task table gone) must never turn a saved change into an
    error page: the reader's comment or the editor's save is already stored, and sending it again would
    be refused as a duplicate. So the failure is logged and left to the chores, which find work whose
    time has come whether or not its task ran.
    """

    def enqueue() -> None:
        try:
            task.enqueue(*args)
        except Exception:
            logger.exception("Could not queue %s%r; the worker's chores will catch it", task.name, tuple(args))

    transaction.on_commit(enqueue)


def run_later(task, when: datetime, *args) -> None:
    """Queue `task` to run at `when` where the backend can wait (the database one); elsewhere nothing is
    queued and the chores take the row when it falls due."""
    if default_task_backend.supports_defer:
        try:
            task.using(run_after=when).enqueue(*args)
        except Exception:
            logger.exception("Could not queue %s%r for later; the chores will catch it", task.name, tuple(args))


def lease() -> datetime:
    """When a claim taken now runs out: a worker killed halfway leaves its work due again after this."""
    return timezone.now() + timedelta(seconds=settings.JOBS_LEASE_SECONDS)


def claim(queryset, field: str) -> datetime | None:
    """Take the row of `queryset` (filtered to one row) whose `field`, a due time, has come: one UPDATE
    moves it a lease ahead, so of any number of workers only one gets it. Returns the lease's end, or None
    when the row was not due (done, not yet due, or taken by another worker)."""
    now = timezone.now()
    until = lease()
    taken = queryset.filter(**{f"{field}__lte": now}).update(**{field: until})
    return until if taken else None


def backoff(attempts: int, *, first: timedelta = timedelta(minutes=1), most: timedelta = timedelta(hours=1)):
    """How long to wait after the `attempts`-th failed try: first, twice that, four times … at most `most`."""
    return min(first * 2 ** max(attempts - 1, 0), most)


def retry_at(attempts: int, **bounds) -> datetime:
    """When to try again after the `attempts`-th failure (see `backoff`)."""
    return timezone.now() + backoff(attempts, **bounds)


def once_a_day(name: str) -> bool:
    """True for the first caller today (the site's time zone) of the chore `name`, across every worker,
    host and restart: the day is recorded in the database, and the unique row decides who runs it."""
    from .models import DailyChore

    try:
        with transaction.atomic():
            DailyChore.objects.create(name=name, day=timezone.localdate())
    except IntegrityError:
        return False
    return True
