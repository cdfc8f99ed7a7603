"""The site's own settings, served as in production (DEBUG off), plus a bench-only "hello" page.

bench/run points gunicorn at these; nothing in the site imports them.
"""

import os

# The one `import *` in the project: the bench must serve the site exactly as configured, plus one page.
from reviewblog.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1"]
# bench/run measures the cold path with nothing cached at all, then the warm path with the site's cache.
if os.environ.get("BENCH_CACHE") == "off":
    CACHES = {name: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"} for name in ("default", "pages")}
else:  # with REDIS_URL, keep the bench's entries apart from a site's; they expire within the hour
    for name, options in CACHES.items():  # noqa: F405
        options["KEY_PREFIX"] = f"bench-{name}"
    PAGE_CACHE_SECONDS = 3600
