"""The site's task worker: django-tasks-db's `db_worker`, plus each app's chores on a timer.

Akismet checks, reports, emails, image renditions, edge purges and imports are tasks; the chores
(`CHORES`) catch what no task covers: re-checks that fell due, first checks whose task was lost or whose
worker died, follow-up emails whose task was lost, images whose renditions task was lost, share cards
no task drew, the newsletter's mailings and their batches,
and the daily ones (the purge, the moderators' digest, pruning the task table), which
run once a day however many workers run (reviews/jobs.py). Emails have threads of their own (`Beside`): the outbox's
tasks wait on their own queue and its retries are its own round, so a mail server that hangs holds up
no Akismet check, purge or chore. Nothing of this runs in a web request. The loops outlive a locked
database, a dropped connection and a failing task (`run_tasks_forever`).
"""

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands import db_worker

from comments import chores
from reviewblog.models import WorkerHeartbeat
from reviewblog.newsletter import sending as newsletter
from reviews import jobs, outbox, renditions, share_cards

logger = logging.getLogger(__name__)

# Each app's chores, run in turn every round.
CHORES = [
    chores.run_chores,
    renditions.make_overdue,  # images whose renditions task was lost or never queued
    share_cards.make_due,  # share cards that fell due: a task lost, a film or author renamed, a retry
    newsletter.run_chores,  # reviews gone live, the weekly round-up, the next batch of each mailing
    jobs.prune_if_due,  # finished rows of the task table, once a day
]


def chores_round() -> None:
    """Each chore in turn, with this host's heartbeat (/readyz, the admin) stamped before and after, so a
    long round (a daily purge) reads as alive and a round that hangs as stale."""
    beat()
    for chore in CHORES:
        try:
            chore()
        except Exception:  # a bad chore must not stop the others, nor the next round
            logger.exception("The chore %s failed; trying again next round", chore.__qualname__)
    beat()


def beat() -> None:
    try:
        WorkerHeartbeat.beat(socket.gethostname())
    except Exception:  # the database gone for a moment: the chores meet it too, and the next round beats
        logger.exception("Recording the worker's heartbeat failed")


def repeat(round_, every: float, stop: threading.Event) -> None:
    """Run `round_` every `every` seconds until `stop` is set; a failed round never ends the loop."""
    while not stop.wait(every):
        try:
            close_old_connections()
            round_()
        except Exception:  # the database gone for a moment: the next round tries again
            logger.exception("%s failed; trying again next round", round_.__qualname__)
        finally:
            forget_connection()  # this thread's own connection: no idle (or broken) one held between rounds


def mail_worker(worker_id: str, backend_name: str, *, batch: bool) -> db_worker.Worker:
    """db_worker's loop for the outbox's queue alone (run in the mail thread, or once with --batch)."""
    return db_worker.Worker(
        queue_names=[outbox.QUEUE],
        interval=1,
        batch=batch,
        backend_name=backend_name,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def mail_round(worker_id: str = "mail", backend_name: str = "default") -> None:
    """Once: the outbox's tasks waiting now, then the emails whose next try has come (--batch, the tests)."""
    if isinstance(task_backends[backend_name], DatabaseBackend):
        mail_worker(worker_id, backend_name, batch=True).run()
    outbox.deliver_due()


class Beside:
    """The threads beside db_worker's own loop: the chores, the outbox's tasks and its retries. Only the
    mail threads talk to the mail server. They stop, and are waited for, when the worker stops, so a
    try under way is recorded (sent, or to be tried again) rather than cut off."""

    def __init__(self, chores_every: float, worker_id: str, backend_name: str):
        self.stop = threading.Event()
        self.tasks = None
        loops = [("chores", chores_round, chores_every), ("mail-retries", outbox.deliver_due, 1)]
        self.threads = [
            threading.Thread(target=repeat, args=(round_, every, self.stop), daemon=True, name=name)
            for name, round_, every in loops
        ]
        if isinstance(task_backends[backend_name], DatabaseBackend):
            self.tasks = mail_worker(worker_id, backend_name, batch=False)
            self.threads.append(threading.Thread(target=self.run_mail_tasks, daemon=True, name="mail"))

    def run_mail_tasks(self) -> None:
        while not self.stop.is_set():
            try:
                self.tasks.run()
            except Exception:  # as db_worker's own loop: started again after a pause
                logger.exception("The mail queue's loop failed; starting it again")
                forget_connection()
                self.stop.wait(5)

    def start(self) -> "Beside":
        for thread in self.threads:
            thread.start()
        return self

    def wait(self) -> None:
        """Until the worker is stopped (SIGTERM, Ctrl+C) with no task loop of its own (the immediate backend)."""
        while not self.stop.wait(3600):
            pass

    def end(self) -> None:
        self.stop.set()
        if self.tasks is not None:
            self.tasks.running = False
        deadline = time.monotonic() + min(outbox.claim_seconds(), 60)
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))


def forget_connection() -> None:
    """Close this thread's connection, even a broken one: the next query opens a fresh one."""
    try:
        connection.close()
    except Exception:
        logger.warning("Closing a broken database connection failed", exc_info=True)


def pause(failures: int) -> float:
    """Seconds to wait after the worker's loop failed this many times in a row: 0.5, 1, 2 … 30."""
    return min(0.5 * 2 ** (failures - 1), 30.0)


class Command(db_worker.Command):
    help = "Run background tasks (Akismet, emails, renditions, edge purges, imports) and the chores every few seconds."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        if not isinstance(task_backends["default"], DatabaseBackend):
            # db_worker refuses any other backend by name; here the chores alone still make sense.
            next(a for a in parser._actions if a.dest == "backend_name").type = str
        parser.add_argument(
            "--chores-every",
            type=float,
            default=settings.COMMENT_CHORES_SECONDS,
            help="Seconds between rounds of chores (default: COMMENT_CHORES_SECONDS, %(default)s).",
        )

    def handle(self, *, chores_every: float, batch: bool, reload: bool, **options):
        chores_round()  # at start: whatever fell due while no worker ran
        mail = (f"{options['worker_id']}-mail"[:64], options["backend_name"])
        if batch:
            if isinstance(task_backends["default"], DatabaseBackend):
                self.run_tasks_forever(batch=batch, reload=reload, **options)
            mail_round(*mail)  # the emails the batch's tasks recorded
            return
        if not isinstance(task_backends["default"], DatabaseBackend):
            # Tasks run inline (TASKS_BACKEND=immediate): the chores and the outbox's retries are left here.
            beside = Beside(chores_every, *mail).start()
            try:
                beside.wait()
            finally:
                beside.end()
            return
        # With --reload the parent process only watches files; the threads run beside the real worker.
        beside = None
        if not reload or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            beside = Beside(chores_every, *mail).start()
        try:
            self.run_tasks_forever(batch=batch, reload=reload, **options)
        finally:
            if beside is not None:
                beside.end()

    def run_tasks_forever(self, **options) -> None:
        """db_worker's loop, started again whenever it raises: a locked database (db_worker takes SQLite's
        lock outside its own guard), a dropped connection, a task result it could not save. Only a signal
        (SIGTERM, Ctrl+C), --batch or --max-tasks ends it. A task whose result could not be saved stays
        "running" in the task table; what it was for is made up by the chores (`CHORES`)."""
        failures, last_failure = 0, 0.0
        while True:
            try:
                super().handle(**options)
                return
            except Exception:
                now = time.monotonic()
                failures = failures + 1 if now - last_failure < 60 else 1
                last_failure = now
                logger.exception("The task worker's loop failed; starting it again in %.1f s", pause(failures))
                forget_connection()
                time.sleep(pause(failures))
                options["startup_delay"] = False
