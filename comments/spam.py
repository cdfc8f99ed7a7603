"""Everything that talks to Akismet. No other module imports `akismet` or `httpx`.

Network trouble never raises out of here: a timeout, a 5xx, a refused connection or a bad key
becomes `Verdict.ERROR` (or a False report) and a logged warning, so a comment is never lost to it.
"""

import logging
from contextlib import contextmanager
from datetime import UTC, timedelta
from urllib.parse import urlencode

import akismet
import httpx
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from .models import Comment

logger = logging.getLogger(__name__)


class _RebaseTransport(httpx.BaseTransport):
    """Sends the client's requests to AKISMET_API_URL instead of the address the library hard-codes, and
    adds the form fields Akismet reads but the library does not let through (its arguments are a closed
    set): `POST_*` fields, as WordPress's plugin sends its form's timing."""

    def __init__(self, base: str, extra: dict[str, str] | None = None):
        self.base = httpx.URL(base)
        self.extra = extra or {}
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url.copy_with(scheme=self.base.scheme, host=self.base.host, port=self.base.port)
        headers = httpx.Headers(request.headers)
        headers["Host"] = self.base.netloc.decode()
        content = request.read()
        if self.extra and request.method == "POST":
            content += b"&" + urlencode(self.extra).encode()
            headers["Content-Length"] = str(len(content))
        request = httpx.Request(request.method, url, headers=headers, content=content, extensions=request.extensions)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def is_configured() -> bool:
    return bool(settings.AKISMET_API_KEY)


@contextmanager
def _client(extra: dict[str, str] | None = None):
    # The library hard-codes Akismet's address; the transport points it at AKISMET_API_URL.
    with httpx.Client(
        transport=_RebaseTransport(settings.AKISMET_API_URL, extra),
        timeout=settings.AKISMET_TIMEOUT,
        headers={"User-Agent": akismet.USER_AGENT},
    ) as http:
        yield akismet.SyncClient(
            config=akismet.Config(key=settings.AKISMET_API_KEY, url=settings.AKISMET_SITE_URL), http_client=http
        )


def _arguments(comment: Comment) -> dict:
    """What Akismet reads about a comment: the reader, the page and the words."""
    arguments = {
        "user_ip": comment.ip_address or "",
        "user_agent": comment.user_agent,
        "referrer": comment.referrer,
        "permalink": settings.AKISMET_SITE_URL.rstrip("/") + comment.review.get_absolute_url(),
        "comment_type": "reply" if comment.is_reply else "comment",
        "comment_author": comment.author_name,
        "comment_author_email": comment.author_email,
        "comment_author_url": comment.author_url,
        "comment_content": comment.body,
        "comment_date_gmt": comment.created_at.astimezone(UTC).isoformat(),
        "comment_post_modified_gmt": comment.review.updated_at.astimezone(UTC).isoformat(),
        "blog_lang": translation.to_locale(settings.LANGUAGE_CODE),
        "blog_charset": "UTF-8",
    }
    if settings.DEBUG:
        arguments["is_test"] = True  # development traffic must not train Akismet
    return arguments


def _form_fields(comment: Comment) -> dict[str, str]:
    """How long the reader took, from the form's signed stamp (absent without JavaScript), as WordPress's
    plugin sends it: `ak_js` is when the form was first used, in milliseconds since the epoch."""
    if comment.typing_seconds is None:
        return {}
    started = comment.created_at.timestamp() - comment.typing_seconds
    return {"POST_ak_js": str(int(started * 1000)), "POST_form_seconds": f"{comment.typing_seconds:.1f}"}


# How checks and reports that failed are tried again (reviews.jobs.next_try): 2, 4, 8 … minutes, at most an hour.
RETRY = {"first": timedelta(minutes=2), "most": timedelta(hours=1)}
PAUSED = "akismet:paused"  # cache key set after a failure (AKISMET_PAUSE_AFTER_FAILURE)


def _failed(error: Exception, what: str) -> None:
    logger.warning("Akismet %s: %s", what, error)
    if settings.AKISMET_PAUSE_AFTER_FAILURE > 0:
        cache.set(PAUSED, True, timeout=settings.AKISMET_PAUSE_AFTER_FAILURE)


def is_paused() -> bool:
    """True shortly after a call failed: calls fail at once instead of waiting for a timeout each."""
    return bool(cache.get(PAUSED))


def comment_check(comment: Comment, *, recheck_reason: str = "") -> str:
    """Ask Akismet about a comment and return the verdict (a `Comment.Verdict` value)."""
    if not is_configured():
        return Comment.Verdict.UNCHECKED
    if is_paused():
        return Comment.Verdict.ERROR
    arguments = _arguments(comment)
    if recheck_reason:
        arguments["recheck_reason"] = recheck_reason
    try:
        with _client(_form_fields(comment)) as client:
            answer = client.comment_check(**arguments)
    except akismet.AkismetError as error:
        _failed(error, f"could not check comment {comment.pk}")
        return Comment.Verdict.ERROR
    return {
        akismet.CheckResponse.HAM: Comment.Verdict.HAM,
        akismet.CheckResponse.SPAM: Comment.Verdict.SPAM,
        akismet.CheckResponse.DISCARD: Comment.Verdict.DISCARD,
    }[answer]


def _submit(comment: Comment, method: str) -> bool:
    if not is_configured() or is_paused():
        return False
    try:
        with _client(_form_fields(comment)) as client:
            return bool(getattr(client, method)(**_arguments(comment)))
    except akismet.AkismetError as error:
        _failed(error, f"did not take the report on comment {comment.pk}")
        return False


def submit_spam(comment: Comment) -> bool:
    """Tell Akismet it missed a spam comment. True when Akismet took the report."""
    return _submit(comment, "submit_spam")


def submit_ham(comment: Comment) -> bool:
    """Tell Akismet a comment it called spam is fine. True when Akismet took the report."""
    return _submit(comment, "submit_ham")
