"""The one jobs module (reviews/jobs.py): claims, leases, backoff and give-up, chores once a day across
real worker processes, and pruning of the task table."""

import copy
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from reviews import jobs, renditions
from reviews.models import DailyChore, Review
from tests.factories import ReviewFactory
from tests.site_process import start_worker

pytestmark = pytest.mark.django_db
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}


def due_row(when=None):
    """A row with a due time of its own: a review whose hero's renditions fall due `when` (now)."""
    review = ReviewFactory()
    Review._base_manager.filter(pk=review.pk).update(hero_renditions_due=when or timezone.now())
    return Review._base_manager.filter(pk=review.pk)


# --- Claims and leases ---


def test_a_due_row_is_claimed_once_until_its_lease_runs_out(settings):
    settings.JOBS_LEASE_SECONDS = 1
    row = due_row()
    until = jobs.claim(row, "hero_renditions_due")
    assert until is not None and row.get().hero_renditions_due == until
    assert jobs.claim(row, "hero_renditions_due") is None  # taken: another worker gets nothing
    time.sleep(1.1)  # the worker holding it was killed: its lease runs out
    assert jobs.claim(row, "hero_renditions_due") is not None


def test_a_row_not_yet_due_is_not_claimed():
    assert jobs.claim(due_row(timezone.now() + timedelta(minutes=5)), "hero_renditions_due") is None


def test_a_held_claim_is_taken_only_while_nobody_moved_it():
    planned = timezone.now() + timedelta(minutes=5)  # the claim a task was queued with, not yet due
    row = due_row(planned)
    assert jobs.claim(row, "hero_renditions_due", held=planned) is not None
    assert jobs.claim(row, "hero_renditions_due", held=planned) is None  # the second holder comes too late


@pytest.mark.django_db(transaction=True)  # each thread its own connection, each UPDATE its own commit
def test_of_workers_racing_for_one_due_row_exactly_one_wins():
    row = due_row()
    racers = 8
    start, won = threading.Barrier(racers), []

    def race():
        try:
            start.wait()
            won.append(jobs.claim(row, "hero_renditions_due"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == racers
    assert sum(until is not None for until in won) == 1


# --- Backoff and giving up ---


def test_backoff_doubles_up_to_its_bound_and_never_overflows():
    waits = [jobs.backoff(n, first=timedelta(seconds=5), most=timedelta(minutes=10)) for n in (1, 2, 3, 8, 1000)]
    assert [w.total_seconds() for w in waits] == [5, 10, 20, 600, 600]


def test_next_try_gives_up_after_the_most_tries_or_past_its_deadline():
    assert jobs.next_try(3, most_tries=3) is None
    assert jobs.next_try(2, most_tries=3) is not None
    soon = timezone.now() + timedelta(seconds=30)
    assert jobs.next_try(1, until=soon, first=timedelta(minutes=1)) is None  # would come after it
    assert jobs.next_try(1, until=soon, first=timedelta(seconds=10)) <= soon


# --- Once a day ---


def test_a_chore_runs_once_a_day_and_again_the_next_day():
    assert jobs.once_a_day("sweep")
    assert not jobs.once_a_day("sweep")
    assert jobs.once_a_day("another chore")
    DailyChore.objects.filter(name="sweep").update(day=timezone.localdate() - timedelta(days=1))
    assert jobs.once_a_day("sweep")  # yesterday's run does not count today


def test_a_daily_task_that_could_not_be_queued_is_queued_next_round(settings):
    settings.TASKS = DATABASE_TASKS
    with pytest.raises(TypeError):  # an argument the task table cannot store
        jobs.enqueue_once_a_day("render", renditions.make_renditions, object())
    assert not DailyChore.objects.exists()  # the day's row went with the failed queueing
    assert jobs.enqueue_once_a_day("render", renditions.make_renditions, "reviews.Review", 1, "hero_image", "x.jpg")
    assert not jobs.enqueue_once_a_day("render", renditions.make_renditions, "reviews.Review", 1, "hero_image", "x")
    assert DBTaskResult.objects.count() == 1


def wait_for(condition, what: str, logs, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Waited {seconds} s for {what}; the workers said:\n" + "\n".join(p.read_text() for p in logs))
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)  # the workers only see what is committed
def test_two_workers_restarted_three_times_in_a_day_send_one_digest_and_run_one_purge(settings, tmp_path):
    logs = [tmp_path / f"worker-{n}.log" for n in range(2)]
    daily = DBTaskResult.objects.filter(
        task_path__in=["comments.followups.mail_digest", "comments.privacy.daily_purge"]
    )
    for _round in range(4):  # started, then restarted three times
        workers = [start_worker(log, "--chores-every", "3600") for log in logs]  # chores at start
        try:
            for log in logs:
                wait_for(lambda log=log: "Starting worker" in log.read_text(), "both workers to start", logs)
            wait_for(lambda: not daily.exclude(status="SUCCESSFUL").exists(), "the daily tasks to run", logs)
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait(timeout=10)
    assert sorted(daily.values_list("task_path", "status")) == [
        ("comments.followups.mail_digest", "SUCCESSFUL"),
        ("comments.privacy.daily_purge", "SUCCESSFUL"),
    ]
    today = timezone.localdate()
    daily = DailyChore.objects.filter(day=today).exclude(name="newsletter-weekly")  # weekly: on its weekday
    assert sorted(daily.values_list("name", flat=True)) == [
        "comments-digest",
        "comments-purge",
        "newsletter-forget",
        "prune-tasks",
    ]


# --- Pruning the task table ---


def finished(status: str, days_ago: float) -> int:
    """A task row as the worker leaves it, finished `days_ago`."""
    result = renditions.make_renditions.enqueue("reviews.Review", 0, "hero_image", "gone.jpg")
    row = DBTaskResult.objects.filter(id=result.id)
    row.update(status=status, finished_at=timezone.now() - timedelta(days=days_ago))
    return row.get().pk


def test_pruning_keeps_failures_longer_than_successes_and_never_touches_waiting_tasks(settings):
    settings.TASKS = DATABASE_TASKS
    settings.JOBS_KEEP_DONE_DAYS, settings.JOBS_KEEP_FAILED_DAYS = 7, 30
    kept = {
        finished("SUCCESSFUL", 6),
        finished("FAILED", 29),
        finished("FAILED", 8),
        finished("READY", 400),
        finished("RUNNING", 400),
    }
    finished("SUCCESSFUL", 8)
    finished("FAILED", 31)
    assert jobs.prune() == 2
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == kept


def test_the_task_table_is_pruned_once_a_day(settings):
    settings.TASKS = DATABASE_TASKS
    finished("SUCCESSFUL", 8)
    assert jobs.prune_if_due() == 1
    finished("SUCCESSFUL", 8)
    assert jobs.prune_if_due() is None  # done today
    assert DBTaskResult.objects.count() == 1


def test_a_long_unpruned_task_table_is_pruned_whole_a_thousand_rows_at_a_time(settings):
    settings.TASKS = DATABASE_TASKS
    template = DBTaskResult.objects.get(pk=finished("SUCCESSFUL", 8))
    rows = []
    for _ in range(2_400):
        template.pk = None
        template.id = uuid.uuid4()
        rows.append(copy.copy(template))
    DBTaskResult.objects.bulk_create(rows)
    assert jobs.prune() == 2_401
    assert not DBTaskResult.objects.exists()


def test_pruning_keeps_a_week_of_daily_chore_days():
    today = timezone.localdate()
    for age in (0, 7, 8, 30):
        DailyChore.objects.create(name="purge", day=today - timedelta(days=age))

    jobs.prune()

    kept = DailyChore.objects.values_list("day", flat=True)
    assert sorted(today - day for day in kept) == [timedelta(0), timedelta(days=7)]
