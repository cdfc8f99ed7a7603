"""The one builder of cache keys and ETags: every copy of a page or of a piece of one (the site's page cache
and its 304s, kept fragments, the comment listing and blank form, share cards) is kept in the `pages` cache
under key(), which changes with what the copy shows and with the deployment's code.
"""

import functools
import hashlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import caches

from .images import media_prefix

# Its own cache (settings.CACHES): pages never push out what the default cache holds, such as rate limits.
pages = caches["pages"]

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


def key(kind: str, *parts) -> str:
    """The one key builder: every copy of a page or of a piece of one (the page cache and its ETags, kept
    fragments, the comment listing and blank form, share cards) is kept under `kind` and a digest of what
    it shows (`parts`: its stamps) and of the deployment's code (code_version), so a change to either
    finds a new key and an old copy is never read again."""
    digest = hashlib.sha256(repr((code_version(), parts)).encode()).hexdigest()
    return f"{kind}:{digest[:40]}"


def etag(kept_under: str) -> str:
    """The ETag of a copy kept under this key: current while the key is, so a 304 can say so."""
    return f'W/"{kept_under.rpartition(":")[2][:32]}"'


def is_number(value: str) -> bool:
    return value.isascii() and value.isdecimal() and value == str(int(value))
