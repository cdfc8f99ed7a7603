"""The edge cache: Varnish with the xkey module in front of gunicorn (default.vcl beside this file).

Every shared page (reviewblog/page_cache.py) goes out with an `xkey` header naming it (`review-<id>`,
`film-<id>`, `person-<id>`, `authorprofile-<id>`, `genre-<id>`, `franchise-<id>`, or `lists` for the
pages listing all reviews), and Varnish keeps it for anonymous readers as the page cache does. The key
is the page's stamp: touch_pages (reviews/models/stamps.py), the one place stamps move, announces the keys
of the stamps it moves (stamps_moved), and they are purged once the change commits, with an HTTP PURGE
to EDGE_PURGE_URL. Empty, there is no edge and nothing here runs.

The task worker sends the PURGE, not the changing request: the keys go into a `purge_edge` task,
enqueued after the commit, and a purge the edge did not answer is tried again later with backoff
(reviews/jobs.py), until a copy it could have missed would have expired anyway (MAX_AGE).
"""

import logging
from datetime import datetime, timedelta
from urllib.error import URLError
from urllib.request import Request, urlopen

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from reviews import jobs
from reviews.jobs import enqueue_after_commit
from reviews.timestamps import aware

log = logging.getLogger(__name__)

KEYS_PER_PURGE = 100  # keeps the header well under Varnish's 8 KB limit
# A copy is purged when what it shows changes; this only bounds a copy that a render begun before a
# change brought to the edge after the change's purge (see the README's "Production recipe").
MAX_AGE = 600


def enabled() -> bool:
    return bool(settings.EDGE_PURGE_URL)


def stamps_moved(keys, **kwargs) -> None:
    """Page stamps moved (reviews.models.stamps.stamps_moved, connected in ReviewblogConfig.ready)."""
    purge_after_commit(keys)


def purge_after_commit(keys) -> None:
    """Purge these keys from the edge once the change that moved them is committed: a task for the worker."""
    keys = sorted(set(keys))
    if keys and enabled():
        enqueue_after_commit(purge_edge, keys)


# A purge the edge missed is tried again 5, 10, 20 … s later (jobs.next_try), while a copy it missed may
# still be served: a copy cached before the first try has expired MAX_AGE after it.
RETRY = {"first": timedelta(seconds=5), "most": timedelta(seconds=MAX_AGE)}


@task()
def purge_edge(keys: list[str], attempt: int = 0, first_try: str | None = None) -> list[str]:
    """The worker's purge; returns the keys the edge did not take. Those are tried again later (where the
    task backend can defer: the database one), and given up, with a logged error, once a try would come
    after MAX_AGE from the first (`first_try`, ISO): every copy the purge missed has expired by then."""
    failed = purge(keys)
    if not failed:
        return []
    now, attempt = timezone.now(), attempt + 1
    first = datetime.fromisoformat(first_try) if first_try else now
    when = jobs.next_try(attempt, until=first + timedelta(seconds=MAX_AGE), **RETRY)
    if when is not None and purge_edge.get_backend().supports_defer:
        wait = round((when - now).total_seconds())
        log.warning("Edge purge of %d key(s) failed (try %d); trying again in %d s", len(failed), attempt, wait)
        jobs.run_later(purge_edge, when, failed, attempt, first.isoformat())
    else:
        log.error("Edge purge of %s given up after %d tries: copies expire within %d s", failed, attempt, MAX_AGE)
    return failed


def purge(keys: list[str]) -> list[str]:
    """Send the PURGE requests; returns the keys whose request failed. Never raises."""
    failed = []
    for start in range(0, len(keys), KEYS_PER_PURGE):
        chunk = keys[start : start + KEYS_PER_PURGE]
        request = Request(settings.EDGE_PURGE_URL, method="PURGE", headers={"xkey": " ".join(chunk)})
        try:
            with urlopen(request, timeout=settings.EDGE_PURGE_TIMEOUT) as response:
                response.read()
        except (URLError, OSError) as error:
            log.warning("Edge purge of %s failed: %s", " ".join(chunk), error)
            failed += chunk
    return failed


def mark(response, keys: list[str], *, next_live) -> None:
    """Name what a shared page shows, and how long the edge may keep it: until the next scheduled
    review goes live (it joins lists and counts without anything being saved; the page's state read
    when), at most MAX_AGE."""
    next_live = aware(next_live)
    response["xkey"] = " ".join(keys)
    seconds = MAX_AGE if next_live is None else (next_live - timezone.now()).total_seconds()
    response["Surrogate-Control"] = f"max-age={max(0, min(MAX_AGE, int(seconds)))}"
