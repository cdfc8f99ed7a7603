"""What a load balancer and an uptime monitor ask: /healthz (the process answers) and /readyz (it can
serve: the database, the cache, the media storage and the task worker).

`HealthMiddleware` stands first in MIDDLEWARE and answers both paths before anything else runs: no host
validation (a probe asks by IP address, whatever ALLOWED_HOSTS says), no HTTPS redirect, no session,
no page cache (the answers say never to keep them, and the edge keeps only pages marked with xkey).
A 503 from /readyz is an answer, not a server error: it is not logged as one, nor emailed to ADMINS.
"""

import json
import threading
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Min, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from .models import WorkerHeartbeat

PATHS = ("/healthz", "/readyz")


class HealthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # path_info, never get_host(): that is what refuses a Host not in ALLOWED_HOSTS.
        path = request.path_info.rstrip("/")
        if path not in PATHS:
            return self.get_response(request)
        if path == "/healthz":
            return answer({"status": "ok"}, 200)
        parts = readiness()
        failing = [name for name, part in parts.items() if not part["ok"]]
        body = {"status": "failing" if failing else "ok", "failing": failing, **parts}
        return answer(body, 503 if failing else 200)


def answer(body: dict, status: int) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    add_never_cache_headers(response)
    # Django's request logger skips a response marked so: a 503 here is the answer, not an error.
    response._has_been_logged = True
    return response


def readiness() -> dict:
    """Each part's state: {"ok": bool, ...what was measured or the error}."""
    return {
        "database": check(database),
        "cache": check(bounded(cache_round_trip)),
        "storage": check(bounded(storage_lists)),
        **worker_parts(),
    }


def check(probe) -> dict:
    try:
        probe()
    except Exception as error:  # whatever broke, the probe says which part and why
        return {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
    return {"ok": True}


def bounded(probe):
    """`probe` run in a thread of its own, given up after READY_CHECK_TIMEOUT seconds: a storage or cache
    that hangs makes the probe fail rather than hang with it."""

    def run():
        outcome = {}

        def target():
            try:
                probe()
            except Exception as error:
                outcome["error"] = error

        thread = threading.Thread(target=target, daemon=True, name=f"readyz-{probe.__name__}")
        thread.start()
        thread.join(settings.READY_CHECK_TIMEOUT)
        if thread.is_alive():
            raise TimeoutError(f"no answer within {settings.READY_CHECK_TIMEOUT} s")
        if "error" in outcome:
            raise outcome["error"]

    run.__name__ = probe.__name__
    return run


def database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def cache_round_trip() -> None:
    key, value = "readyz", uuid.uuid4().hex
    cache.set(key, value, 30)
    if cache.get(key) != value:
        raise RuntimeError("a value set was not read back")


def storage_lists() -> None:
    # The media root's top level (a few folders): a missing folder or bucket, or no permission, raises.
    default_storage.listdir("")


def worker_ages() -> tuple[float | None, float | None]:
    """Seconds since a task worker last ran its chores, and since the oldest due task began to wait
    (None: never seen / nothing waits)."""
    now = timezone.now()
    last_seen = WorkerHeartbeat.objects.last_seen()
    due = DBTaskResult.objects.filter(status=TaskResultStatus.READY).aggregate(
        queued=Min("enqueued_at", filter=Q(run_after=get_date_max())),
        scheduled=Min("run_after", filter=Q(run_after__lte=now)),
    )
    waiting = [moment for moment in due.values() if moment is not None]
    return (
        (now - last_seen).total_seconds() if last_seen else None,
        (now - min(waiting)).total_seconds() if waiting else None,
    )


def worker_parts() -> dict:
    """The task worker's part (its last round of chores) and the queue's (its oldest due task)."""
    try:
        age, oldest = worker_ages()
    except Exception as error:  # the database is down: neither can be known
        failed = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
        return {"worker": failed, "tasks": failed}
    silence, wait = settings.READY_MAX_WORKER_SILENCE_SECONDS, settings.READY_MAX_TASK_AGE_SECONDS
    return {
        "worker": {"ok": age is not None and age <= silence, "last_seen_seconds": age, "limit_seconds": silence},
        "tasks": {"ok": oldest is None or oldest <= wait, "oldest_waiting_seconds": oldest, "limit_seconds": wait},
    }
