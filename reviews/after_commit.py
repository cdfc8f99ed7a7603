"""Queueing a task once the change that needs it has committed, for every app of the site.

A queue that fails (the database busy, the task table gone) must never turn a saved change into an
error page: the reader's comment or the editor's save is already stored, and sending it again would
be refused as a duplicate. So the failure is logged and left to the worker's chores, which look for
work whose task never ran (see `manage.py run_worker`).
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_after_commit(task, *args) -> None:
    """`task.enqueue(*args)` after the current transaction commits (at once outside one); never raises."""

    def enqueue() -> None:
        try:
            task.enqueue(*args)
        except Exception:
            logger.exception("Could not queue %s%r; the worker's chores will catch it", task.name, tuple(args))

    transaction.on_commit(enqueue)
