"""bench/newsletter: one review sent to many subscribers by two task workers, killed and restarted mid-send.

    .venv/bin/python -m bench.newsletter [--subscribers 2000] [--rate 1000/10s] [--kill-after 600]

A fresh database (SQLite in a work folder, or `<name>_bench` beside DATABASE_URL's PostgreSQL database),
the subscribers, and a review scheduled to go live a few seconds later; an SMTP server (aiosmtpd) in this
process; two `manage.py run_worker` processes. When the server has taken `--kill-after` emails, both
workers are killed (SIGKILL: no goodbye, no cleanup) and started again. It waits until every subscriber
has the email, then as long as a killed worker's claim on an email could last, for any second copy.

Figures: how long the send took, the most emails recorded (and received) in any span of NEWSLETTER_RATE,
emails missing, addresses that got two. Exits 1 on a duplicate, a missing email, or the rate exceeded.
"""

import argparse
import json
import logging
import os
import signal
import subprocess
import tempfile
import threading
import time
from bisect import bisect_left
from collections import Counter
from pathlib import Path

from aiosmtpd.controller import Controller

from .load import PYTHON, ROOT
from .measure import bench_database, drop_bench_database, free_port, site_env

WORKER = [PYTHON, "manage.py", "run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"]


def options(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.newsletter", description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=2000, help="confirmed subscribers (2000)")
    parser.add_argument("--rate", default="1000/10s", help="NEWSLETTER_RATE (1000/10s)")
    parser.add_argument("--batch", type=int, default=250, help="NEWSLETTER_BATCH_SIZE (250)")
    parser.add_argument("--kill-after", type=int, default=600, help="emails received before the kill (600)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds allowed for the whole send (600)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and the database")
    return parser.parse_args(argv)


class MailServer:
    """aiosmtpd on 127.0.0.1 keeping, for each message, its recipient and when it arrived."""

    def __init__(self):
        self.arrivals: list[tuple[float, str]] = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.arrivals.extend((time.time(), to) for to in envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.arrivals)


def most_in_any_span(times: list[float], seconds: float) -> int:
    """The most events within any `seconds`-long span (a window starting at each event)."""
    times = sorted(times)
    return max((bisect_left(times, t + seconds) - i for i, t in enumerate(times)), default=0)


def start_workers(env: dict, logs: Path, generation: int, count: int = 2) -> list[subprocess.Popen]:
    workers = []
    for n in range(count):
        with open(logs / f"worker-{n}-{generation}.log", "wb") as log:  # the process keeps its own copy
            workers.append(
                subprocess.Popen(
                    [*WORKER, "--chores-every", "0.5", "--worker-id", f"bench-{n}-{generation}"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    return workers


def kill(workers: list[subprocess.Popen], sig=signal.SIGKILL) -> None:
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, sig)
    for worker in workers:
        worker.wait(timeout=30)


def prepare(subscribers: int, goes_live_in: float = 3.0):
    """The subscribers and a review scheduled to go live shortly (in the database Django is set up on)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from reviewblog.newsletter.models import Subscriber
    from reviews.models import Review

    now = timezone.now()
    Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.com", status=Subscriber.Status.ACTIVE, confirmed_at=now)
        for n in range(subscribers)
    )
    author = get_user_model().objects.create_user("bench-author", "author@example.com", "x" * 16)
    return Review.objects.create(
        author=author,
        title="The bench's review",
        standfirst="Sent to every subscriber once.",
        body="Words.",
        status=Review.Status.PUBLISHED,
        published_at=now + timedelta(seconds=goes_live_in),
    )


def drive(env: dict, logs: Path, *, subscribers: int, rate: str, kill_after: int, timeout: float) -> dict:
    """Send one review to `subscribers` through two workers killed once mid-send; returns the figures.
    Django must be set up on the database `env` names (the workers' own)."""
    from comments.views import parse_rate
    from reviews.models import OutgoingEmail

    count, span = parse_rate(rate)
    server = MailServer()
    server.controller.start()
    env = {**env, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(server.port), "NEWSLETTER_RATE": rate}
    env.setdefault("EMAIL_TIMEOUT", "1")
    prepare(subscribers)
    workers, killed_at, kill_time, started = start_workers(env, logs, 0), None, None, time.time()
    try:
        deadline = started + timeout
        while server.count() < subscribers and time.time() < deadline:
            if killed_at is None and server.count() >= kill_after:
                kill(workers)
                killed_at, kill_time = server.count(), time.time()
                workers = start_workers(env, logs, 1)
            time.sleep(0.05)
        finished = time.time()
        # A worker killed between the server's "250" and its UPDATE leaves an email that goes again when
        # its claim runs out: wait that long for any second copy.
        claim = max(float(env.get("JOBS_LEASE_SECONDS", "120")), 12 * float(env["EMAIL_TIMEOUT"]))  # claim_seconds
        time.sleep(claim + 3 if killed_at is not None else 3)
    finally:
        kill(workers, signal.SIGTERM)
        server.controller.stop()
    arrivals = list(server.arrivals)
    copies = Counter(to for _, to in arrivals)
    times = [t for t, _ in arrivals]
    emails = OutgoingEmail.objects.filter(key__startswith="newsletter:review:")
    recorded = list(emails.values_list("created_at", flat=True))
    return {
        "subscribers": subscribers,
        "rate": rate,
        "received": len(arrivals),
        "distinct_addresses": len(copies),
        "recorded_twice": len(recorded) - emails.values("to").distinct().count(),
        "missing": subscribers - len(copies),
        "duplicates": sum(n - 1 for n in copies.values()),
        # For each address sent twice: how long before the kill its first copy arrived (ms). Within a few
        # ms: the worker died between the server taking the email and recording it sent (reviews/outbox.py).
        "duplicates_first_copy_ms_before_kill": [
            round((kill_time - min(t for t, to in arrivals if to == address)) * 1000, 1)
            for address, n in copies.items()
            if n > 1 and kill_time
        ],
        "killed_after": killed_at,
        "first_to_last_seconds": round(max(times) - min(times), 2) if times else None,
        "seconds_until_all_received": round(finished - started, 2),
        "most_recorded_in_any_span": most_in_any_span([t.timestamp() for t in recorded], span),
        "most_received_in_any_span": most_in_any_span(times, span),
        "rate_count": count,
        "span_seconds": span,
        "minimum_seconds_the_rate_allows": span * ((subscribers - 1) // count),
    }


def main(argv=None) -> int:
    opts = options(argv)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per SMTP command
    workdir = Path(tempfile.mkdtemp(prefix="bench-newsletter-"))
    database_url = bench_database(workdir)
    env = site_env(workdir, database_url) | {
        "TASKS_BACKEND": "database",
        "REDIS_URL": "",
        "PAGES_REDIS_URL": "",
        "NEWSLETTER_BATCH_SIZE": str(opts.batch),
        "SITE_URL": "http://127.0.0.1:8000",
        "JOBS_LEASE_SECONDS": "15",  # how long a killed worker's claim holds an email (the site's default: 120)
    }
    shared = ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DATABASE_URL", "MEDIA_ROOT", "JOBS_LEASE_SECONDS")
    os.environ.update({k: env[k] for k in shared})
    os.environ.update(TASKS_BACKEND="database", NEWSLETTER_RATE=opts.rate, REDIS_URL="", PAGES_REDIS_URL="")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    try:
        figures = drive(
            env, workdir, subscribers=opts.subscribers, rate=opts.rate, kill_after=opts.kill_after, timeout=opts.timeout
        )
    finally:
        connection.close()
        if not opts.keep:
            drop_bench_database(database_url)
    figures["database"] = connection.vendor
    print(json.dumps(figures, indent=2))
    ok = (
        not figures["missing"]
        and not figures["duplicates"]
        and figures["most_recorded_in_any_span"] <= figures["rate_count"]
    )
    print("OK" if ok else "FAILED: a missing or duplicate email, or the rate exceeded")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
