"""The one way background work is done on this site, for every app: queueing a task after the change
that needs it commits, running one later, taking a piece of work so two workers never do it twice,
trying again with backoff, and chores that run once a day however many workers run.

Jobs keep their state on their own rows (a comment's next check, an email's next attempt): a row is due
when its time has come, `claim` moves that time a lease ahead in one UPDATE (so of two workers racing,
one wins, and a worker killed halfway leaves a row that falls due again when the lease runs out), and
`next_try` says when the next try is after a failure, or that it is time to give up. The task worker
(`manage.py run_worker`, reviewblog/management/commands/) runs the tasks and, every COMMENT_CHORES_SECONDS,
the chores that catch what no task covered; `once_a_day` keeps a daily chore to one run a day, and
`prune_if_due` is the one that keeps the task table from growing.
"""

import logging
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import default_task_backend
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


def enqueue_after_commit(task, *args) -> None:
    """`task.enqueue(*args)` after the current transaction commits (at once outside one); never raises.

    A queue that fails (the database busy, the task table gone) must never turn a saved change into an
    error page: the reader's comment or the editor's save is already stored, and sending it again would
    be refused as a duplicate. So the failure is logged and left to the chores, which find work whose
    time has come whether or not its task ran. A queued task is logged with its id, which joins the
    request's log lines to the task's in the worker (reviewblog/request_log.py).
    """

    def enqueue() -> None:
        try:
            result = task.enqueue(*args)
            # Logged under the request that queued it; the worker logs the run under "task-<id>".
            logger.info("queued %s id=%s", task.name, result.id)
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


def lease(seconds: float | None = None) -> datetime:
    """When a claim taken now runs out (after JOBS_LEASE_SECONDS, or `seconds`): a worker killed halfway
    leaves its work due again after this."""
    return timezone.now() + timedelta(seconds=settings.JOBS_LEASE_SECONDS if seconds is None else seconds)


DUE = object()  # `claim`'s default: take the row only when its time has come


def claim(queryset, field: str, *, held=DUE, seconds: float | None = None) -> datetime | None:
    """Take the row of `queryset` (filtered to one row) whose `field`, a due time, has come: one UPDATE
    moves it a lease ahead, so of any number of workers only one gets it. Returns the lease's end, or None
    when the row was not due (done, not yet due, or taken by another worker).

    `held`: the due time the caller read (a claim taken when the work was queued, None for a row never
    scheduled): the row is taken, due or not, only if `field` still holds exactly that, so whoever moved
    it since (another worker, a decision) wins. `seconds`: the lease, when the work may take longer than
    JOBS_LEASE_SECONDS. Whoever writes the work's outcome should check the lease is still theirs: the row
    still holds `until` in `field`.
    """
    until = lease(seconds)
    rows = queryset.filter(**({f"{field}__lte": timezone.now()} if held is DUE else {field: held}))
    return until if rows.update(**{field: until}) else None


def backoff(attempts: int, *, first: timedelta = timedelta(minutes=1), most: timedelta = timedelta(hours=1)):
    """How long to wait after the `attempts`-th failed try: first, twice that, four times … at most `most`
    (in float seconds, so a row that failed hundreds of times never overflows a timedelta)."""
    seconds = first.total_seconds() * 2.0 ** min(max(attempts - 1, 0), 1000)
    return timedelta(seconds=min(seconds, most.total_seconds()))


def retry_at(attempts: int, **bounds) -> datetime:
    """When to try again after the `attempts`-th failure (see `backoff`)."""
    return timezone.now() + backoff(attempts, **bounds)


def next_try(attempts: int, *, most_tries: int | None = None, until: datetime | None = None, **bounds):
    """When to try again after the `attempts`-th failure, or None to give up: `most_tries` are spent, or
    the next try would come after `until` (past it, trying again serves nobody)."""
    if most_tries is not None and attempts >= most_tries:
        return None
    when = retry_at(attempts, **bounds)
    return None if until is not None and when > until else when


def once_a_day(name: str) -> bool:
    """True for the first caller today (the site's time zone) of the chore `name`, across every worker,
    host and restart: the day is recorded in the database, and the unique row decides who runs it."""
    DailyChore = apps.get_model("reviews", "DailyChore")  # by name: the models import share_cards, which imports this
    try:
        with transaction.atomic():
            DailyChore.objects.create(name=name, day=timezone.localdate())
    except IntegrityError:
        return False
    return True


def once_a_week(name: str, weekday: int) -> bool:
    """True for the first caller of the chore `name` on or after this week's `weekday` (0 Monday … 6
    Sunday, the site's time zone), across every worker, host and restart: as `once_a_day`, recorded under
    the date of that weekday, so a worker that was down that day runs it the next day it runs."""
    DailyChore = apps.get_model("reviews", "DailyChore")
    today = timezone.localdate()
    due_day = today - timedelta(days=(today.weekday() - weekday) % 7)
    try:
        with transaction.atomic():
            DailyChore.objects.create(name=name, day=due_day)
    except IntegrityError:
        return False
    return True


def enqueue_once_a_day(name: str, task, *args) -> bool:
    """Queue `task` if the chore `name` has not run today. The day's row and the task's row commit
    together: a queue that fails leaves the chore to the next round, never lost for the day."""
    with transaction.atomic():
        if not once_a_day(name):
            return False
        task.enqueue(*args)
    return True


def prune(now: datetime | None = None) -> int:
    """Delete finished task results: successes after JOBS_KEEP_DONE_DAYS, failures (kept longer, to read
    what went wrong) after JOBS_KEEP_FAILED_DAYS. Waiting and running tasks are never touched. The rule
    of django-tasks-db's `prune_db_task_results`, with its two ages. Returns how many rows went."""
    now = now or timezone.now()
    done_before = now - timedelta(days=settings.JOBS_KEEP_DONE_DAYS)
    failed_before = now - timedelta(days=settings.JOBS_KEEP_FAILED_DAYS)
    results = DBTaskResult.objects
    done = results.successful().filter(finished_at__lte=done_before)
    failed = results.failed().filter(finished_at__lte=failed_before)
    old = (done | failed).values_list("pk", flat=True)
    deleted = 0
    # A thousand rows a transaction: the first pruning of a busy site must not hold SQLite's write lock
    # while readers' comments wait for it.
    while batch := list(old[:1000]):
        deleted += DBTaskResult.objects.filter(pk__in=batch).delete()[0]
    # The days of daily chores: only today's row decides anything; a week is kept to read what ran.
    DailyChore = apps.get_model("reviews", "DailyChore")
    DailyChore.objects.filter(day__lt=timezone.localdate(now) - timedelta(days=7)).delete()
    return deleted


def prune_if_due() -> int | None:
    """The daily pruning of the task table, once a day whatever the number of workers; how many rows went
    (None: another worker, or an earlier round, did it today). What a failure leaves waits for tomorrow."""
    return prune() if once_a_day("prune-tasks") else None
