"""Conditional GET: a reader or feed reader whose copy is current gets 304 Not Modified, at the cost
of one small query instead of rendering the page.

Review pages change when the review is saved (`updated_at`), when anything else it shows changes
(`page_changed_at`, moved by touch_pages), when a scheduled review goes live, when the deployment's templates or code
change (`code_version`), and when the reader changes: the page carries a CSRF token tied to the
reader's cookie and their saved comment details, so the ETag covers the cookies sent. Readers with a
session (staff, anyone who has posted a comment and sees it pending) or with messages waiting are
never answered with 304: their page depends on state that no timestamp records.
"""

import functools

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.views.decorators.http import condition

from .models import public_page_state, state_times
from .page_cache import key


def make_etag(*parts, weak: bool = False) -> str:
    tag = key("etag", *parts).rpartition(":")[2][:32]
    return f'W/"{tag}"' if weak else f'"{tag}"'


def answers_from_timestamps(request) -> bool:
    """True when nothing but the review's timestamps and the cookies decide what this request sees."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def cookie_state(request) -> str:
    """Stands for the cookies sent (the CSRF token the form carries, saved comment details); keyed, so
    the ETag gives nothing away."""
    return salted_hmac("reviews.conditional.cookies", repr(sorted(request.COOKIES.items()))).hexdigest()[:16]


def review_page(view):
    """Decorate the review page: 304 for a reader whose copy is current, and never a stale 200."""

    @functools.wraps(view)
    def wrapper(request, slug, **kwargs):
        if answers_from_timestamps(request):
            # Read already when the page cache looked for a shared copy (reviews/page_cache.py).
            row = request.page_state if hasattr(request, "page_state") else public_page_state(slug)
            etag = last_modified = None
            if row:  # no row: not public (404), nothing to compare
                # A copy for the page cache is the same for every reader it is shared with (no token);
                # any other carries a freshly masked CSRF token: equivalent copies, so a weak ETag.
                readers = "shared" if getattr(request, "shared_render", False) else cookie_state(request)
                etag = make_etag(*row, readers, weak=True)
                last_modified = changed_at(row)
            response = condition(lambda *a, **k: etag, lambda *a, **k: last_modified)(view)(request, slug, **kwargs)
        else:
            response = view(request, slug, **kwargs)
        # The page may carry this reader's CSRF token: only their browser may keep it, and it asks every time.
        patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper


def changed_at(state):
    """When the page of this state (reviews/models/review.py _state) last changed: its newest stamp, or
    the newest review going live (the last item is when the next one will)."""
    return max(filter(None, state_times(state)[:-1]), default=None)


def feed(view, state):
    """Decorate a feed (reviews/feeds.py): 304 when the page state of its subject is what the reader's copy
    had (the same stamp the page cache reads), in one query, or none when the page cache read it already."""

    def render(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        del response.headers["Last-Modified"]  # the newest item's date; ours also counts removals
        return response

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        row = request.page_state if hasattr(request, "page_state") else state(*args, **kwargs)
        etag = make_etag(type(view).__name__, *row) if row else None
        last_modified = changed_at(row) if row else None
        response = condition(lambda *a, **k: etag, lambda *a, **k: last_modified)(render)(request, *args, **kwargs)
        patch_cache_control(response, no_cache=True)  # feed readers ask every time; a 304 costs one query
        return response

    return wrapper
