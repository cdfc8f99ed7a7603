"""The project's settings, as the test suite runs them: the real settings plus a throwaway media folder.

DATABASE_URL still chooses the database, so the same suite runs on SQLite and on PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")

from reviewblog.settings import *  # noqa: E402, F403

MEDIA_ROOT = tempfile.mkdtemp(prefix="reviewblog-test-media-")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never outside tests
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # no collectstatic before tests
WHITENOISE_AUTOREFRESH = True
# Persistent connections would outlive the live server's thread and block dropping the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
