"""The project's settings, as the test suite runs them: the real settings plus a throwaway media folder.

DATABASE_URL still chooses the database, so the same suite runs on SQLite and on PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")

from reviewblog.settings import *  # noqa: E402, F403

MEDIA_ROOT = tempfile.mkdtemp(prefix="reviewblog-test-media-")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never outside tests
PRIVATE_ROOT = tempfile.mkdtemp(prefix="reviewblog-test-private-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": PRIVATE_ROOT}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The widths the renditions tests name; tests/reviews/test_renditions.py checks the production default too.
IMAGE_RENDITION_WIDTHS = [480, 800, 1200, 1600]
WHITENOISE_USE_FINDERS = True  # no collectstatic before tests
WHITENOISE_AUTOREFRESH = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, as the site runs, not an in-memory database: concurrent tests then meet SQLite's real
    # locking (WAL, busy timeout, IMMEDIATE), not the table locks of a shared in-memory cache.
    test_db = os.path.join(tempfile.mkdtemp(prefix="reviewblog-test-db-"), "test.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": test_db}  # noqa: F405
elif os.environ.get("TEST_DATABASE_NAME"):
    # On a shared PostgreSQL server, the test database by a name its runner is allowed (default: test_<NAME>).
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}  # noqa: F405
# Persistent connections would outlive the live server's thread and block dropping the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Tasks run inline, where the test can see them; tests of the worker switch to the database backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "email"]}}
# Each test sets the Akismet server's mood itself; tests of the pause after a failure turn it on.
AKISMET_PAUSE_AFTER_FAILURE = 0
