"""/readyz watching a real `manage.py run_worker` process: ready while it runs, not ready once it stops,
ready again once one runs again."""

import json
import time

import pytest

from tests.site_process import start_worker

pytestmark = pytest.mark.django_db(transaction=True)  # the worker only sees what is committed


def start(tmp_path, media_root, log_name):
    """Starts a worker process on the test database running its chores every 0.2 s; returns the process."""
    media_root.mkdir(parents=True, exist_ok=True)
    log = tmp_path / log_name
    process = start_worker(
        log, "--chores-every", "0.2", MEDIA_ROOT=str(media_root), PRIVATE_ROOT=str(tmp_path / "private")
    )
    process.log = log
    return process


@pytest.fixture
def worker(tmp_path, media_root):
    """Starts worker processes on demand (`worker()`); stops them all at the end."""
    processes = []

    def started():
        processes.append(start(tmp_path, media_root, f"worker-{len(processes) + 1}.log"))
        return processes[-1]

    try:
        yield started
    finally:
        for process in processes:
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


def test_readyz_turns_not_ready_within_its_limit_once_the_worker_stops_and_ready_once_it_is_back(
    client, worker, settings
):
    settings.READY_MAX_WORKER_SILENCE_SECONDS = 2
    first = worker()
    wait_for_readyz(client, 200, 30, first.log)  # its first round of chores beat
    time.sleep(2.5)
    _, body = wait_for_readyz(client, 200, 1, first.log)  # still beating, past the limit
    assert body["worker"]["last_seen_seconds"] < 2

    first.terminate()
    assert first.wait(timeout=10) == 0
    took, body = wait_for_readyz(client, 503, 5, first.log)
    assert body["failing"] == ["worker"]
    assert took <= 2 + 0.5

    second = worker()
    took, body = wait_for_readyz(client, 200, 30, second.log)
    assert body["worker"]["ok"]
