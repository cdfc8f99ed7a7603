"""`manage.py run_worker` as production runs it, a process of its own, while the database misbehaves."""

import sqlite3
import time

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from comments import privacy
from tests.comments import worker_tasks
from tests.site_process import start_worker

pytestmark = pytest.mark.django_db(transaction=True)  # the worker only sees what is committed


@pytest.fixture
def worker(settings, tmp_path):
    """A worker process on the test database, with a busy timeout of one second; yields its log file."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}
    log = tmp_path / "worker.log"
    process = start_worker(log, "--chores-every", "3600", SQLITE_BUSY_TIMEOUT="1")
    try:
        wait_for(lambda: "Starting worker" in log.read_text(), "the worker to start", log)
        process.log = log
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_for(condition, what: str, log, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Waited {seconds} s for {what}; the worker said:\n{log.read_text()}")
        time.sleep(0.1)


def assert_runs_the_next_task(worker) -> None:
    result = privacy.daily_purge.enqueue()
    done = DBTaskResult.objects.filter(id=result.id, status="SUCCESSFUL")
    wait_for(done.exists, "the next task", worker.log)
    assert worker.poll() is None, worker.log.read_text()


def test_the_worker_outlives_a_database_locked_longer_than_its_busy_timeout(worker):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock")
    holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing, for longer than the worker waits
    time.sleep(3)
    holder.execute("ROLLBACK")
    holder.close()
    assert "database is locked" in worker.log.read_text()  # it met the lock, and said so
    assert_runs_the_next_task(worker)


def test_the_worker_outlives_its_database_connection_being_dropped_during_a_task(worker):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL ends a connection on request")
    dropped = worker_tasks.drop_own_connection.enqueue()
    wait_for(lambda: "terminating connection" in worker.log.read_text(), "the dropped connection", worker.log)
    assert_runs_the_next_task(worker)
    assert DBTaskResult.objects.get(id=dropped.id).status != "SUCCESSFUL"
