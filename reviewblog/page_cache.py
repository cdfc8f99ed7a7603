"""The page cache: a public page is rendered once per change and then served, byte for byte, to every
anonymous reader, as a page-cache plugin does for WordPress; and every 304 Not Modified, from the same stamp.

Which pages, and what each depends on, the apps declare on their views (reviews/public_pages.py). A cached
copy is found by what the page shows: the state of its rows (timestamps read in one small query, or
vouched for by the shared cache: current_state), and the key (reviews/cache_keys.py key(), the one key
builder, which every fragment and ETag uses too) also holds the deployment's code version, the path
and the query. Any change to the rows makes a new key, so the next reader gets a fresh render at once;
old copies simply age out. The check reads the database (or the shared cache's generation of stamps), so
copies kept in each worker's own memory (the default) are never stale either, whichever process made the change.

Only readers for whom the page is the same as for everyone share it: no session (staff, or a reader
who sees their own pending comment), no flash messages, no remembered comment details. The comment
form's CSRF token is personal, so a shared copy goes out without one: static/js/comment-form.js
fetches the reader's token when they start writing (comments.views.form_token), and without
JavaScript a tokenless comment comes back with its text kept and a token set (comments.views.csrf_failure).
A reader with remembered details gets a page rendered for them, answered 304 while its stamp and their
cookies stay the same; readers with a session or a message waiting are never answered from a stamp.
"""

import functools
import time
import uuid

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import transaction
from django.http import HttpResponse
from django.urls import Resolver404, get_urlconf, resolve
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.http import http_date

from reviews.cache_keys import etag, is_number, key, pages
from reviews.timestamps import state_times

from . import edge

# A reader carrying any of these sees something of their own: their session, a message, their comment details.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name, settings.COMMENT_REMEMBER_COOKIE)


def shareable_query(request, query_keys) -> bool:
    """Only the query parameters the page reads, each once and written as a plain number ("2", not
    "02" or "²"), make copies of their own; any other query renders without the cache, so made-up
    URLs cannot fill it."""
    if not request.META.get("QUERY_STRING"):
        return True  # most requests: no need to parse one
    return all(name in query_keys and len(values) == 1 and is_number(values[0]) for name, values in request.GET.lists())


def page_headers(view, response):
    """What every answer of a declared page says, rendered, kept or 304, whoever asked."""
    patch_vary_headers(response, ["Cookie"])  # staff see more; a proxy must not share their copy
    if view.public_page.cache_control:
        patch_cache_control(response, **view.public_page.cache_control)
    return response


def rendered(request, response):
    """A response the view made: a declared page's headers added (the request's resolved view)."""
    match = getattr(request, "resolver_match", None)
    return page_headers(match.func, response) if match and hasattr(match.func, "public_page") else response


@functools.lru_cache(maxsize=2048)
def marked_view(urlconf, path: str):
    """(view, args, kwargs) for a path whose view declares a public page, else None; remembered, as
    every hit would resolve the same few thousand addresses again (made-up ones only take turns)."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return (match.func, match.args, match.kwargs) if hasattr(match.func, "public_page") else None


def cookie_state(request) -> str:
    """Stands for the cookies sent (the CSRF token a page rendered for the reader carries, saved comment
    details); keyed, so the ETag gives nothing away."""
    return salted_hmac("reviewblog.page_cache.cookies", repr(sorted(request.COOKIES.items()))).hexdigest()[:16]


def last_modified_at(state) -> int | None:
    """When the page of this state last changed, in whole seconds as HTTP dates go: its newest stamp, or
    the newest review going live (the last item is when the next one will). Read only for a conditional
    request or a render: a plain hit parses no dates."""
    changed = max(filter(None, state_times(state)[:-1]), default=None)
    return int(changed.timestamp()) if changed else None


class PageCacheMiddleware:
    """Every answer a page's stamp can give, before sessions, CSRF, users, messages and the view run: the
    shared copy of a declared page, kept when there is none; and a 304 to any reader whose copy is current,
    whether it was the shared copy or one rendered for them.

    Readers with a session (staff, a reader who sees their own pending comment) or a message waiting get
    neither: their page depends on state that no stamp records. A reader with remembered comment details
    gets a page of their own (rendered every time), still answered 304 while its stamp and their cookies
    are the same (the page carries their CSRF token and details).

    Listed right after WhiteNoise: the security headers are still added on the way out, and the copy
    kept is the response as the inner middleware finished it (X-Frame-Options, Vary and all). It is kept
    as its status, headers and bytes, which take a fraction of the time an HttpResponse takes to unpickle.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        marked = self.marked(request)
        if marked is None:
            return rendered(request, self.get_response(request))
        view, args, kwargs = marked
        query = sorted(request.GET.items()) if request.META.get("QUERY_STRING") else []
        shared = settings.PAGE_CACHE_SECONDS > 0 and not any(name in request.COOKIES for name in PERSONAL_COOKIES)
        keys = {}

        def copy_key(state):
            keys[state] = keys.get(state) or key("page", request.path, query, state)
            return keys[state]

        state, kept = current_state(view.public_page.state, args, kwargs, copy_key if shared else None)
        if state is None:  # not public: nothing to compare (a 404, or a draft staff preview)
            return rendered(request, self.get_response(request))
        kept_under = copy_key(state) if shared else None
        tag = etag(kept_under or key("reader", request.path, query, state, cookie_state(request)))
        if "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META:
            last_modified = last_modified_at(state)
            answer = page_headers(view, HttpResponse(headers={"ETag": tag}))
            if last_modified:
                answer["Last-Modified"] = http_date(last_modified)
            answer = get_conditional_response(request, tag, last_modified, answer)
            if answer.status_code == 304:
                return answer
        if kept is NOT_READ:
            kept = pages.get(kept_under) if shared else None
        if kept is not None:
            status, headers, content = kept
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response.headers[name] = value
            return self.mark_for_edge(view, state, response)
        request.shared_render = shared  # see shared_csrf_token below
        response = rendered(request, self.get_response(request))
        if response.status_code != 200 or response.streaming:
            return response
        response["ETag"] = tag
        # In place of what the view said (a feed: its newest item's date, blind to removals).
        if last_modified := last_modified_at(state):
            response["Last-Modified"] = http_date(last_modified)
        if shared and not response.cookies:
            pages.set(
                kept_under,
                (response.status_code, list(response.items()), response.content),
                settings.PAGE_CACHE_SECONDS,
            )
            self.mark_for_edge(view, state, response)
        return response

    @staticmethod
    def mark_for_edge(view, state, response):
        """Only a copy shared here may be shared at the edge, and only with the key that purges it."""
        if edge.enabled():
            edge.mark(response, [view.public_page.edge_key.format(state[0])], next_live=state[-1])
        return response

    @staticmethod
    def marked(request):
        """(view, args, kwargs) when a stamp can answer this request, else None."""
        if request.method not in ("GET", "HEAD"):
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in request.COOKIES:
            return None  # the reader's own state, which no stamp records
        request.get_host()  # ALLOWED_HOSTS still holds (CommonMiddleware does not run for a copy)
        marked = marked_view(get_urlconf(), request.path_info)
        if marked is None or not shareable_query(request, marked[0].public_page.query_keys):
            return None
        return marked


# --- Stamps the shared cache vouches for ---
# On PostgreSQL the stamp query is a round trip plus planning, most of a warm hit. With a shared cache
# (Redis: PAGE_STAMPS_SHARED), each process remembers the states it read, under the stamps' generation:
# a token in the shared cache that every move of stamps replaces (stamps_moved: touch_pages announces each
# move inside the change's transaction; the token is replaced then, and again after the commit). A warm
# hit then reads the generation (one small cache read) instead of the database, while nothing changed.
#
# Why a stale state cannot be kept: a reader reads the generation *before* it reads the database, and
# remembers what it read under that generation. A reader that read the old stamps before a writer
# committed therefore files them under the generation the writer's commit replaces, where no later
# request looks (tests/reviewblog/test_page_cache.py interleaves the two). The writer replaces the token
# rather than deleting it, and a reader that finds no token reads the database and puts a new random one,
# so a lost token (evicted, Redis restarted) can never bring an old generation back. What is remembered
# also expires when the next scheduled review goes live (nothing is saved then) and after STAMP_SECONDS,
# which bounds a copy kept through a failure between a commit and its after-commit move (a crashed worker).
# Without a shared cache (per-process memory) another process's change would not reach this one's
# generation, so every hit reads the database, as before.
GENERATION = "stamps:generation"
STAMP_SECONDS = 60
MAX_REMEMBERED = 10_000
_remembered: tuple = (None, {})  # (generation, {(state function, args): (state, good until)})


def stamps_moved(**kwargs) -> None:
    """Page stamps moved (reviews.models.stamps.stamps_moved, connected in ReviewblogConfig.ready): a new
    generation now and once the change is committed, as a reader between the two may have read the stamps
    as they were."""
    new_generation()
    transaction.on_commit(new_generation)


def new_generation() -> None:
    """Every state remembered by any process is read afresh from the database."""
    if settings.PAGE_STAMPS_SHARED:
        pages.set(GENERATION, uuid.uuid4().hex, None)


NOT_READ = object()  # current_state: the copy was not read with the generation


def current_state(state_of, args=(), kwargs=None, copy_key=None) -> tuple:
    """(state, copy): `state_of(*args, **kwargs)`, a page's state, read from the database, or remembered
    in this process while the shared cache's generation says no stamp moved since (see above).

    `copy_key(state)` names the page's copy: when the state is remembered, the copy under that key is read
    in the same round trip as the generation (and used only if the generation confirms the state), so
    a warm hit costs one read of the shared cache; `copy` is NOT_READ when it was not read."""
    kwargs = kwargs or {}
    if not settings.PAGE_STAMPS_SHARED:
        return state_of(*args, **kwargs), NOT_READ
    asked = (state_of, args, tuple(sorted(kwargs.items())))
    remembered_generation, remembered = _remembered
    found = remembered.get(asked)
    if found and time.time() >= found[1]:
        found = None  # the next scheduled review has gone live, or it is time to look again anyway
    kept_under = copy_key(found[0]) if found and copy_key else None
    if kept_under:
        read = pages.get_many([GENERATION, kept_under])
        generation = read.get(GENERATION)
    else:
        generation = pages.get(GENERATION)
    if generation is None:  # never set, or lost: a new one, and this reader reads the database
        pages.add(GENERATION, uuid.uuid4().hex, None)
        return state_of(*args, **kwargs), NOT_READ
    if found and generation == remembered_generation:
        return found[0], read.get(kept_under) if kept_under else NOT_READ
    state = state_of(*args, **kwargs)  # after reading the generation: the order that keeps it safe
    remember(generation, asked, state)
    return state, NOT_READ


def remember(generation, asked, state) -> None:
    global _remembered
    if state is None:
        return  # not a public page: made-up addresses never fill this
    next_live = state_times(state)[-1]
    good_until = time.time() + STAMP_SECONDS
    if next_live is not None:
        good_until = min(good_until, next_live.timestamp())
    remembered_generation, remembered = _remembered
    if remembered_generation != generation or len(remembered) >= MAX_REMEMBERED:
        remembered = {}
        _remembered = (generation, remembered)
    remembered[asked] = (state, good_until)


def shared_csrf_token(request) -> dict:
    """Context processor: a page rendered for sharing carries no CSRF token (and sets no cookie).

    Listed after Django's own CSRF processor, so it wins; every other page keeps the real token.
    """
    return {"csrf_token": ""} if getattr(request, "shared_render", False) else {}
