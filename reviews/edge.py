"""The edge cache: Varnish with the xkey module in front of gunicorn (reviewblog/edge/default.vcl).

Every shared page (reviews/page_cache.py) goes out with an `xkey` header naming it (`review-<id>`,
`film-<id>`, `person-<id>`, `authorprofile-<id>`, `genre-<id>`, `franchise-<id>`, or `lists` for the
pages listing all reviews), and Varnish keeps it for anonymous readers as the page cache does. The key
is the page's stamp: touch_pages (reviews/models/review.py), the one place stamps move, purges the keys
of the stamps it moves once the change commits, with an HTTP PURGE to EDGE_PURGE_URL. Empty, there is
no edge and nothing here runs.
"""

import logging
from functools import partial
from urllib.error import URLError
from urllib.request import Request, urlopen

from django.conf import settings
from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)

KEYS_PER_PURGE = 100  # keeps the header well under Varnish's 8 KB limit
# A copy is purged when what it shows changes; this only bounds a copy that a render begun before a
# change brought to the edge after the change's purge (see the README's "Production recipe").
MAX_AGE = 600


def enabled() -> bool:
    return bool(settings.EDGE_PURGE_URL)


def purge_after_commit(keys) -> None:
    """Purge these keys from the edge once the change that moved them is committed."""
    keys = sorted(set(keys))
    if keys and enabled():
        transaction.on_commit(partial(purge, keys), robust=True)


def purge(keys: list[str]) -> None:
    """Never raises: an edge that is down has nothing to purge, and the change itself is done."""
    for start in range(0, len(keys), KEYS_PER_PURGE):
        chunk = " ".join(keys[start : start + KEYS_PER_PURGE])
        request = Request(settings.EDGE_PURGE_URL, method="PURGE", headers={"xkey": chunk})
        try:
            with urlopen(request, timeout=settings.EDGE_PURGE_TIMEOUT) as response:
                response.read()
        except (URLError, OSError) as error:
            log.warning("Edge purge of %s failed: %s", chunk, error)


def mark(response, keys: list[str], *, next_live) -> None:
    """Name what a shared page shows, and how long the edge may keep it: until the next scheduled
    review goes live (it joins lists and counts without anything being saved; the page's state read
    when), at most MAX_AGE."""
    from .models import aware

    next_live = aware(next_live)
    response["xkey"] = " ".join(keys)
    seconds = MAX_AGE if next_live is None else (next_live - timezone.now()).total_seconds()
    response["Surrogate-Control"] = f"max-age={max(0, min(MAX_AGE, int(seconds)))}"
