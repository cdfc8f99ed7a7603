"""Every log line names the request (or task) it belongs to, and every request leaves one line.

`RequestLogMiddleware` runs first of all, so pages answered by the page cache, whitenoise or a redirect
are logged too. It takes the proxy's `X-Request-ID` when that looks like a safe token, or makes one,
sends it back in the response's `X-Request-ID`, and writes one INFO line on "reviewblog.requests":
method, path (no query string: it may carry an address or a token), status and milliseconds. Never the
reader's IP, cookies or user agent.

`RequestIdFilter`, on the log handlers, gives each record a `request_id`: the current request's, or in
the task worker the task result's id while a task runs, or "-". A task queued in a request is logged
by reviews/jobs.py as "queued <task> id=<task id>" under the request's id, and its run in the worker
under "task-<task id>", so the two are joined by the task's id.
"""

import logging
import re
import time
import uuid
from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="-")
SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

logger = logging.getLogger("reviewblog.requests")


def incoming_id(request) -> str:
    """The proxy's X-Request-ID if it is a short plain token (it ends up in logs and a header), else a new one."""
    given = request.headers.get("X-Request-ID", "")
    return given if SAFE_ID.fullmatch(given) else uuid.uuid4().hex


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = incoming_id(request)
        token = request_id.set(rid)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            ms = round((time.monotonic() - started) * 1000, 1)
            logger.info(
                "%s %s %s %sms",
                request.method,
                request.path,
                response.status_code,
                ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": ms,
                    "request_id": rid,
                },
            )
            return response
        finally:
            request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record that has none (the formatters print it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


def task_id(task_result) -> str:
    return f"task-{task_result.id}"


def name_running_task(sender, task_result, **kwargs) -> None:
    """In the worker, lines logged while a task runs carry its id; a task run inline in a request (the
    immediate backend) keeps the request's. A task whose end was never announced gives way to the next."""
    if request_id.get() == "-" or request_id.get().startswith("task-"):
        request_id.set(task_id(task_result))


def forget_running_task(sender, task_result, **kwargs) -> None:
    if request_id.get() == task_id(task_result):
        request_id.set("-")
