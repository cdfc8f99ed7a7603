"""The edge cache: Varnish with the xkey module in front of gunicorn (reviewblog/edge/default.vcl).

Every shared page (reviews/page_cache.py) goes out with an `xkey` header naming it (`review-<id>`,
`film-<id>`, `person-<id>`, `authorprofile-<id>`, `genre-<id>`, `franchise-<id>`, or `lists` for the
pages listing all reviews), and Varnish keeps it for anonymous readers as the page cache does. The key
is the page's stamp: touch_pages (reviews/models/review.py), the one place stamps move, purges the keys
of the stamps it moves once the change commits, with an HTTP PURGE to EDGE_PURGE_URL. Empty, there is
no edge and nothing here runs.

The task worker sends the PURGE, not the changing request (issue 13): the keys go into a `purge_edge`
task, enqueued after the commit, and a purge the edge did not answer is tried again later, until a copy
it could have missed would have expired anyway (MAX_AGE).
"""

import logging
from datetime import timedelta
from urllib.error import URLError
from urllib.request import Request, urlopen

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .jobs import enqueue_after_commit

log = logging.getLogger(__name__)

KEYS_PER_PURGE = 100  # keeps the header well under Varnish's 8 KB limit
# A copy is purged when what it shows changes; this only bounds a copy that a render begun before a
# change brought to the edge after the change's purge (see the README's "Production recipe").
MAX_AGE = 600


def enabled() -> bool:
    return bool(settings.EDGE_PURGE_URL)


def purge_after_commit(keys) -> None:
    """Purge these keys from the edge once the change that moved them is committed: a task for the worker."""
    keys = sorted(set(keys))
    if keys and enabled():
        enqueue_after_commit(purge_edge, keys)


# After 5, 20, 80 and 320 s (7 minutes in all, less than MAX_AGE): later, any copy the purge missed has expired.
RETRY_DELAYS = [5, 20, 80, 320]


@task()
def purge_edge(keys: list[str], attempt: int = 0) -> list[str]:
    """The worker's purge; returns the keys the edge did not take. Those are tried again later (where the
    task backend can defer: the database one), and given up, with a logged error, after the last try."""
    failed = purge(keys)
    if not failed:
        return []
    backend = purge_edge.get_backend()
    if attempt < len(RETRY_DELAYS) and backend.supports_defer:
        delay = RETRY_DELAYS[attempt]
        log.warning("Edge purge of %d key(s) failed (try %d); trying again in %d s", len(failed), attempt + 1, delay)
        purge_edge.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(failed, attempt + 1)
    else:
        log.error("Edge purge of %s given up after %d tries: copies expire within %d s", failed, attempt + 1, MAX_AGE)
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
    from .models import aware

    next_live = aware(next_live)
    response["xkey"] = " ".join(keys)
    seconds = MAX_AGE if next_live is None else (next_live - timezone.now()).total_seconds()
    response["Surrogate-Control"] = f"max-age={max(0, min(MAX_AGE, int(seconds)))}"
