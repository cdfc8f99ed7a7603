"""Real `manage.py run_worker` processes and a real SMTP server: a scheduled review going live is sent
once to each subscriber however many workers run, and a send survives its workers being killed."""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from bench.newsletter import drive
from reviewblog.newsletter.models import Mailing
from tests.factories import ReviewFactory
from tests.site_process import site_env, start_worker

pytestmark = pytest.mark.django_db(transaction=True)  # the workers only see what is committed


def wait_for(condition, what: str, logs, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Waited {seconds} s for {what}; the workers said:\n" + "\n".join(p.read_text() for p in logs))
        time.sleep(0.1)


def test_a_scheduled_review_going_live_is_sent_once_with_two_workers_running(smtp_server, subscribers, tmp_path):
    subscribers(4)
    ReviewFactory(title="At the stroke of", published_at=timezone.now() + timedelta(seconds=3))
    mail = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_server.port), "EMAIL_TIMEOUT": "1"}
    logs = [tmp_path / f"worker-{n}.log" for n in range(2)]
    workers = [start_worker(log, "--chores-every", "0.3", **mail) for log in logs]
    try:
        wait_for(lambda: len(smtp_server.received) >= 4, "four emails", logs)
        time.sleep(3)  # many more rounds of both workers' chores
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=30)
    sent = Counter(m["To"] for m in smtp_server.received if m["Subject"].startswith("New review: At the stroke of"))
    assert sent == {f"reader{n}@example.com": 1 for n in range(4)}
    assert Mailing.objects.filter(kind=Mailing.Kind.REVIEW).count() == 1


def test_a_send_whose_workers_are_killed_midway_reaches_everyone_and_records_each_email_once(tmp_path, settings):
    """bench/newsletter.py in a small configuration (its figures come from the full run, not from here).
    Both workers are killed (SIGKILL) just after the server took an email. Each email is recorded once and
    reaches its reader; only an email a mail thread had in flight may go twice, if its worker died between
    the server's acceptance and recording it sent (reviews/outbox.py; on SQLite that record may wait for
    the write lock), so at most one for each of the killed workers' two mail threads."""
    env = site_env(EMAIL_TIMEOUT="0.5", JOBS_LEASE_SECONDS="4", NEWSLETTER_BATCH_SIZE="10", SITE_URL=settings.SITE_URL)
    figures = drive(env, tmp_path, subscribers=60, rate="30/2s", kill_after=20, timeout=120)
    assert figures["killed_after"] is not None
    assert figures["missing"] == 0, figures
    assert figures["recorded_twice"] == 0
    assert figures["duplicates"] <= 4, figures
    assert figures["most_recorded_in_any_span"] <= 30
