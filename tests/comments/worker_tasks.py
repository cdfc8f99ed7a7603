"""Tasks that misbehave, for the worker process to meet (tests/comments/test_worker_process.py)."""

from django.db import connection
from django_tasks import task


@task()
def drop_own_connection() -> None:
    """The database ends this worker's connection in the middle of a task, as a restart or failover would."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
