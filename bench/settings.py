"""The site's own settings, served as in production (DEBUG off), plus a bench-only "hello" page.

bench/run points gunicorn at these; nothing in the site imports them.
"""

import os

from reviewblog.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1"]
# bench/run measures the cold path with nothing cached at all, then the warm path with the site's cache.
if os.environ.get("BENCH_CACHE") == "off":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
else:  # with REDIS_URL, keep the bench's entries apart from a site's (they expire by themselves)
    CACHES["default"]["KEY_PREFIX"] = "rb-bench"  # noqa: F405
