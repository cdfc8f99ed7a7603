"""The page cache: a public page is rendered once per change and then served, byte for byte, to every
anonymous reader, as a page-cache plugin does for WordPress.

A cached copy is found by what the page shows: the caller passes the state of its rows (timestamps
read in one small query), and the key also holds the deployment's code version, the path and the
query. Any change to the rows makes a new key, so the next reader gets a fresh render at once; old
copies simply age out. The check reads the database, so copies kept in each worker's own memory (the
default) are never stale either, whichever process made the change.

Only readers for whom the page is the same as for everyone share it: no session (staff, or a reader
who sees their own pending comment), no flash messages, no remembered comment details. The comment
form's CSRF token is personal, so a shared copy goes out without one: static/js/comment-form.js
fetches the reader's token when they start writing (comments.views.form_token), and without
JavaScript a tokenless comment comes back with its text kept and a token set (comments.views.csrf_failure).
"""

import functools
import hashlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpResponse
from django.urls import Resolver404, get_urlconf, resolve
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe

from . import edge
from .images import media_prefix

# Its own cache (settings.CACHES): pages never push out what the default cache holds, such as rate limits.
pages = caches["pages"]

# A reader carrying any of these sees something of their own: their session, a message, their comment details.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name, settings.COMMENT_REMEMBER_COOKIE)

CODE_SUFFIXES = {".py", ".html", ".txt", ".xml", ".json"}
# Environment settings that change what a page shows (names, page sizes, reply depth, addresses).
PAGE_SETTINGS = [
    "SITE_NAME",
    "SITE_URL",
    "SITE_CONTACT_EMAIL",
    "MEDIA_URL",
    "STATIC_URL",
    "REVIEWS_PER_PAGE",
    "COMMENT_THREADS_PER_PAGE",
    "COMMENT_MAX_DEPTH",
    "COMMENT_MAX_LENGTH",
    "COMMENT_GRAVATAR",
    "IMAGE_RENDITION_WIDTHS",
    "AKISMET_API_KEY",  # whether the comment form says Akismet screens comments (only a digest is kept)
]


def code_version() -> str:
    """The deployment's code version; while developing (DEBUG) read afresh on every call, because
    runserver reloads templates without restarting, and a copy kept from before an edit would hide it."""
    return deployment_digest() if settings.DEBUG else cached_digest()


def deployment_digest() -> str:
    """A digest of this deployment's templates, code, requirements, static manifest and the settings
    that shape pages (about 3 ms to read).

    A new release or configuration changes it, so pages cached under the old one (in Redis, which
    outlives a restart) are sent afresh.
    """
    roots = [Path(folder) for engine in settings.TEMPLATES for folder in engine.get("DIRS", [])]
    roots += [Path(app.path) for app in apps.get_app_configs() if Path(app.path).parent == Path(settings.BASE_DIR)]
    roots.append(Path(settings.BASE_DIR) / "reviewblog")  # settings, URLs, context processors
    files = [path for root in roots for path in sorted(root.rglob("*")) if path.suffix in CODE_SUFFIXES]
    files.append(Path(settings.BASE_DIR) / "requirements.txt")
    files.append(Path(settings.STATIC_ROOT) / "staticfiles.json")  # hashed CSS names, after collectstatic
    shaping = [getattr(settings, name) for name in PAGE_SETTINGS] + [media_prefix()]  # the images' address
    digest = hashlib.sha256(repr(shaping).encode())
    for path in files:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


cached_digest = functools.cache(deployment_digest)


def shareable_query(request, query_keys) -> bool:
    """Only the query parameters the page reads, each once and written as a plain number ("2", not
    "02" or "²"), make copies of their own; any other query renders without the cache, so made-up
    URLs cannot fill it."""
    if not request.META.get("QUERY_STRING"):
        return True  # most requests: no need to parse one
    return all(name in query_keys and len(values) == 1 and is_number(values[0]) for name, values in request.GET.lists())


def is_number(value: str) -> bool:
    return value.isascii() and value.isdecimal() and value == str(int(value))


def cache_key(request, state) -> str:
    query = sorted(request.GET.items()) if request.META.get("QUERY_STRING") else []
    digest = hashlib.sha256(repr((code_version(), request.path, query, state)).encode()).hexdigest()
    return f"page:{digest[:40]}"


def cached_page(state, edge_key: str, query_keys=frozenset()):
    """Mark a view whose page is fixed by `state(**url kwargs)`, its stamp read in one small query
    (reviews/models/review.py: (pk, stamps…, newest_live, next_live), or None when the page is not public),
    for PageCacheMiddleware. `edge_key` names the page for the edge cache ("film-{}" is formatted with the
    pk), the same key touch_pages purges when the stamp moves; `query_keys` are the query parameters it reads."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            patch_vary_headers(response, ["Cookie"])  # staff see more; a proxy must not share their copy
            return response

        wrapper.page_state, wrapper.page_query, wrapper.edge_key = state, frozenset(query_keys), edge_key
        return wrapper

    return decorator


@functools.lru_cache(maxsize=2048)
def marked_view(urlconf, path: str):
    """(view, args, kwargs) for a path whose view is marked with cached_page, else None; remembered, as
    every hit would resolve the same few thousand addresses again (made-up ones only take turns)."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return (match.func, match.args, match.kwargs) if hasattr(match.func, "page_state") else None


class PageCacheMiddleware:
    """Serve the shared copy of a marked page before sessions, CSRF, users, messages and the view run,
    with a 304 when the reader's copy is current; render and keep it when there is none.

    Listed right after WhiteNoise: the security headers are still added on the way out, and the copy
    kept is the response as the inner middleware finished it (X-Frame-Options, Vary and all). It is kept
    as its status, headers and bytes, which take a fraction of the time an HttpResponse takes to unpickle.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = self.shared_key(request)  # sets request.page_state, which the view may reuse
        if key is None:
            return self.get_response(request)
        kept = pages.get(key)
        if kept is None:
            request.shared_render = True  # see shared_csrf_token below
            response = self.get_response(request)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                if not response.has_header("ETag"):  # the copy is current while its key is: a 304 says so
                    response["ETag"] = f'W/"{key.removeprefix("page:")[:32]}"'
                kept = (response.status_code, list(response.items()), response.content)
                pages.set(key, kept, settings.PAGE_CACHE_SECONDS)
                self.mark_for_edge(request, response)
            return response
        status, headers, content = kept
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response.headers[name] = value
        self.mark_for_edge(request, response)
        if "HTTP_IF_NONE_MATCH" not in request.META and "HTTP_IF_MODIFIED_SINCE" not in request.META:
            return response  # most readers: nothing to compare
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        return get_conditional_response(request, response.get("ETag"), last_modified, response)

    @staticmethod
    def mark_for_edge(request, response) -> None:
        """Only a copy shared here may be shared at the edge, and only with the key that purges it."""
        if edge.enabled():
            state = request.page_state
            edge.mark(response, [request.page_edge_key.format(state[0])], next_live=state[-1])

    @staticmethod
    def shared_key(request) -> str | None:
        if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
            return None
        request.get_host()  # ALLOWED_HOSTS still holds (CommonMiddleware does not run for a copy)
        if any(name in request.COOKIES for name in PERSONAL_COOKIES):
            return None
        marked = marked_view(get_urlconf(), request.path_info)
        if marked is None:
            return None
        view, args, kwargs = marked
        if not shareable_query(request, view.page_query):
            return None
        request.page_state = state = view.page_state(*args, **kwargs)
        request.page_edge_key = view.edge_key
        return None if state is None else cache_key(request, state)


def shared_csrf_token(request) -> dict:
    """Context processor: a page rendered for sharing carries no CSRF token (and sets no cookie).

    Listed after Django's own CSRF processor, so it wins; every other page keeps the real token.
    """
    return {"csrf_token": ""} if getattr(request, "shared_render", False) else {}
