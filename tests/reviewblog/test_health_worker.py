"""/readyz watching a real `manage.py run_worker` process: ready while it runs, not ready once it stops."""

import json
import time

import pytest

from tests.site_process import start_worker

pytestmark = pytest.mark.django_db(transaction=True)  # the worker only sees what is committed


@pytest.fixture
def worker(settings, tmp_path, media_root):
    """A worker process on the test database running its chores every 0.2 s; yields the process."""
    media_root.mkdir(parents=True, exist_ok=True)
    log = tmp_path / "worker.log"
    process = start_worker(
        log, "--chores-every", "0.2", MEDIA_ROOT=str(media_root), PRIVATE_ROOT=str(tmp_path / "private")
    )
    process.log = log
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_for_readyz(client, status: int, seconds: float, log) -> tuple[float, dict]:
    """Ask /readyz every 0.1 s until it answers `status`; returns how long that took and the answer."""
    start = time.monotonic()
    while True:
        response = client.get("/readyz")
        if response.status_code == status:
            return time.monotonic() - start, json.loads(response.content)
        if time.monotonic() - start > seconds:
            pytest.fail(f"/readyz still said {response.content} after {seconds} s; the worker said:\n{log.read_text()}")
        time.sleep(0.1)


def test_readyz_turns_not_ready_within_its_limit_once_the_worker_stops(client, worker, settings):
    settings.READY_MAX_WORKER_SILENCE_SECONDS = 2
    wait_for_readyz(client, 200, 30, worker.log)  # its first round of chores beat
    time.sleep(2.5)
    _, body = wait_for_readyz(client, 200, 1, worker.log)  # still beating, past the limit
    assert body["worker"]["last_seen_seconds"] < 2

    worker.terminate()
    assert worker.wait(timeout=10) == 0
    took, body = wait_for_readyz(client, 503, 5, worker.log)
    assert body["failing"] == ["worker"]
    assert took <= 2 + 0.5
