"""Settings for reviewblog, all read from environment variables with safe defaults.

Development (`make run`, `make test`) sets DEBUG=1; production sets SECRET_KEY, ALLOWED_HOSTS and
DATABASE_URL. What each variable does is in README.md ("Settings"); the comments here say only why a
setting is as it is.
"""

import base64
import hashlib
import os
import re
from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _required(name: str) -> str:
    raise ImproperlyConfigured(f"Set the {name} environment variable (or DEBUG=1 for development).")


# --- Core ---
DEBUG = env_bool("DEBUG", default=False)
# The development key is only ever used with DEBUG on; production must bring its own.
DEV_SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY") or (DEV_SECRET_KEY if DEBUG else _required("SECRET_KEY"))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default="localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default="")
SITE_NAME = os.environ.get("SITE_NAME", "Reel Verdicts")
# The public address of the site: canonical links, feeds, the sitemap, emails and Akismet.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Where readers write about their data (the privacy page) and anything else (the footer).
SITE_CONTACT_EMAIL = os.environ.get("SITE_CONTACT_EMAIL", "editors@reelverdicts.example")
SITE_ID = 1  # the one row of django.contrib.sites, kept in step with SITE_URL (reviewblog/apps.py)
# There is no login page outside the admin: a page that needs a login (a flatpage not yet public) sends there.
LOGIN_URL = "admin:login"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",  # its sitemap.xml template
    "django.contrib.sites",  # flatpages need it: one Site, named after SITE_URL after every migrate
    "django.contrib.flatpages",  # simple pages (About, Contact), served under /pages/
    "markdownx",
    "django_tasks",
    "django_tasks_db",
    "simple_history",
    "csp",
    "axes",  # the admin login's throttle (see "Admin login" below)
    "reviews",
    "comments",
    "reviewblog",  # what knows both apps: the WordPress import and the old links it keeps working
    "reviewblog.newsletter",  # email for every new review or a weekly round-up (it builds on both apps)
    "reviewblog.demo",  # the demo site (manage.py load_demo); no other app imports it
]

MIDDLEWARE = [
    # /healthz and /readyz for probes, before host validation and the HTTPS redirect (reviewblog/health.py);
    # a probe every few seconds is not logged as a request.
    "reviewblog.health.HealthMiddleware",
    "reviewblog.request_log.RequestLogMiddleware",  # one log line for every other answer, cached or not
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # outside the page cache, so its shared copies get the header too
    "reviewblog.oldlinks.OldLinkMiddleware",  # the old blog's addresses: 301 where a page would be a 404
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "reviewblog.page_cache.PageCacheMiddleware",  # shared copies go out before the rest runs
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # revisions record who saved them
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a locked-out login into its page
]

ROOT_URLCONF = "reviewblog.urls"
WSGI_APPLICATION = "reviewblog.wsgi.application"

TEMPLATES = [
    {
        # The public pages (environment in reviewblog/jinja2.py); the admin stays on Django templates, below.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "reviewblog.jinja2.environment",
            "keep_trailing_newline": True,  # the same bytes as the Django templates gave
            "context_processors": [
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reviewblog.context_processors.site",
                "reviewblog.page_cache.shared_csrf_token",  # after the backend's own csrf_token, to replace it
            ],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reviewblog.context_processors.site",
                "reviewblog.page_cache.shared_csrf_token",  # after Django's own CSRF processor, to replace it
            ],
        },
    },
]

# --- Database ---
# SQLite in the project by default; PostgreSQL (production) via DATABASE_URL=postgres://...
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # An embedded database for several workers and the task worker (README "SQLite").
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": int(os.environ.get("SQLITE_BUSY_TIMEOUT", "20")),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-20000;",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ---
LANGUAGE_CODE = "en-gb"
FORMAT_MODULE_PATH = ["reviewblog.formats"]  # a 24-hour clock everywhere (reviewblog/formats/en_GB)
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "reviewblog.static_bundles.BundleFinder",  # css/public.css: the public pages' one stylesheet
]
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
PRIVATE_ROOT = Path(os.environ.get("PRIVATE_ROOT", BASE_DIR / "private"))
# Every file goes through STORAGES: "default" the public media, "private" the import's uploads, on this disk
# or in a bucket (README "Media in object storage").
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    # django-storages reads these (and any other AWS_* setting it knows) when it builds the storage.
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    AWS_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID") or None
    AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY") or None
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None
    AWS_QUERYSTRING_AUTH = False  # signed URLs would expire inside cached pages: the bucket must be readable
    AWS_S3_FILE_OVERWRITE = False  # a new file never replaces another under the same name, as on disk
    AWS_S3_OBJECT_PARAMETERS = {"CacheControl": "public, max-age=86400"}
    # The import's uploads (readers' emails and IPs): a second bucket, as anyone may read the media one.
    AWS_PRIVATE_BUCKET_NAME = os.environ.get("AWS_PRIVATE_BUCKET_NAME", "")
    if AWS_PRIVATE_BUCKET_NAME in ("", AWS_STORAGE_BUCKET_NAME):
        raise ImproperlyConfigured(
            "Set AWS_PRIVATE_BUCKET_NAME to a second bucket, readable by nobody: the WordPress import's uploads "
            "hold readers' emails and IP addresses, and anyone may read the media bucket."
        )
    MEDIA_STORAGE = {"BACKEND": "storages.backends.s3.S3Storage"}
    PRIVATE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_PRIVATE_BUCKET_NAME,
            "location": "private",
            "custom_domain": None,
            "querystring_auth": True,
        },
    }
else:
    if PRIVATE_ROOT.resolve().is_relative_to(MEDIA_ROOT.resolve()):
        raise ImproperlyConfigured("PRIVATE_ROOT must not be under MEDIA_ROOT, which the web server serves to anyone.")
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    PRIVATE_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": PRIVATE_ROOT}}
STORAGES = {
    "default": MEDIA_STORAGE,
    "private": PRIVATE_STORAGE,
    # Hashed, compressed names with DEBUG off; plain files while developing.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# While developing, whitenoise serves straight from the source folders; production runs collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
IMAGE_UPLOAD_MAX_BYTES = int(os.environ.get("IMAGE_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
IMAGE_MAX_WIDTH = int(os.environ.get("IMAGE_MAX_WIDTH", "1600"))
IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_PIXELS", str(40_000_000)))  # decompression-bomb guard
IMAGE_RENDITION_WIDTHS = [int(w) for w in env_list("IMAGE_RENDITION_WIDTHS", default="160,480,800,1200,1600")]
IMAGE_RENDITION_GRACE_SECONDS = int(os.environ.get("IMAGE_RENDITION_GRACE_SECONDS", "300"))
# A share card that fails to draw (the storage refusing it) is tried again 1, 2, 4 … minutes later, at
# most an hour apart, and given up (logged) after this many tries; pages show the card drawn on request.
SHARE_CARD_MAX_ATTEMPTS = int(os.environ.get("SHARE_CARD_MAX_ATTEMPTS", "8"))
FILE_UPLOAD_PERMISSIONS = 0o644

# --- Markdown editor (django-markdownx) ---
# markdownx reads its settings once at import. Its two endpoints are replaced by staff-only views
# in reviews/editor.py (mounted at /markdownx/, where the widget posts), so only these matter here.
MARKDOWNX_SERVER_CALL_LATENCY = 400  # ms of quiet typing before the preview refreshes
EDITOR_UPLOAD_PATH = "uploads/"  # in the default storage

# --- Review editor: autosave, edit locks ---
# The open editor saves a draft of the review this often while the author types (and on leaving the page),
# says it is still open this often, and a review whose editor has been silent this long is free to take.
REVIEW_AUTOSAVE_SECONDS = int(os.environ.get("REVIEW_AUTOSAVE_SECONDS", "45"))
REVIEW_HEARTBEAT_SECONDS = int(os.environ.get("REVIEW_HEARTBEAT_SECONDS", "30"))
REVIEW_LOCK_SECONDS = int(os.environ.get("REVIEW_LOCK_SECONDS", "150"))

# --- Cache ---
# Per-process memory, or Redis shared by every worker and server; rendered pages and fragments have a
# cache of their own, so however many there are they never push out a rate-limit count.
REDIS_URL = os.environ.get("REDIS_URL", "")
PAGES_REDIS_URL = os.environ.get("PAGES_REDIS_URL", REDIS_URL)


def _cache(prefix: str, max_entries: int, redis_url: str = REDIS_URL) -> dict:
    if redis_url:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url, "KEY_PREFIX": prefix}
    return {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": prefix,
        "OPTIONS": {"MAX_ENTRIES": max_entries},
    }


CACHES = {"default": _cache("rb", 1000), "pages": _cache("rb-pages", 5000, PAGES_REDIS_URL)}

# Anonymous readers share one rendered copy of a page until what it shows changes (reviewblog/page_cache.py).
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", str(24 * 3600)))
# Per-process memory cannot tell one process of another's change: only a shared cache may vouch for stamps.
PAGE_STAMPS_SHARED = bool(PAGES_REDIS_URL)
# Varnish in front (reviewblog/edge/); empty: no edge.
EDGE_PURGE_URL = os.environ.get("EDGE_PURGE_URL", "")
EDGE_PURGE_TIMEOUT = float(os.environ.get("EDGE_PURGE_TIMEOUT", "2"))

# --- Security ---
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "comments.views.csrf_failure"  # a comment sent without a token comes back, text kept
CSRF_COOKIE_HTTPONLY = False  # the markdownx editor reads it for its AJAX calls
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS is owned by the reverse proxy in production; turn these on there (see README).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY") else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")  # every subdomain must serve HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")  # only once the domain is submitted to hstspreload.org
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"  # Django's default, said here beside the other headers


def _inline_hashes(template: str, tag: str) -> list[str]:
    """CSP sources ('sha256-…') for each attribute-less inline <script> or <style> of a template, read at
    startup: a hash, not a nonce, because the page cache serves one rendered copy to every reader."""
    text = (BASE_DIR / "templates" / template).read_text()
    bodies = re.findall(rf"<{tag}>(.*?)</{tag}>", text, flags=re.S)
    return [f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'" for body in bodies]


def _media_origins() -> list[str]:
    """Where media images are linked from when they are not on this site: an absolute MEDIA_URL, the bucket's
    CDN or endpoint, or Amazon S3 itself."""
    urls = [MEDIA_URL]
    if AWS_STORAGE_BUCKET_NAME:
        urls += [f"https://{AWS_S3_CUSTOM_DOMAIN}" if AWS_S3_CUSTOM_DOMAIN else "", AWS_S3_ENDPOINT_URL or ""]
        if not (AWS_S3_CUSTOM_DOMAIN or AWS_S3_ENDPOINT_URL):
            urls.append("https://*.amazonaws.com")
    return [f"{parts.scheme}://{parts.netloc}" for parts in map(urlsplit, urls) if parts.scheme and parts.netloc]


# Content-Security-Policy on every response (django-csp): scripts and stylesheets only from this site, plus
# the hashes of the two inline blocks (the theme before first paint, the 500 page's own style). Style
# *attributes* stay allowed (style-src-attr): ratings and the archive's bars size themselves with them,
# and an attribute cannot run code. COMMENT_GRAVATAR adds gravatar.com to the images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", *_inline_hashes("jinja2/base.html", "script")],
        "style-src": ["'self'", *_inline_hashes("jinja2/500.html", "style")],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", *_media_origins()],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# 0 trusts only REMOTE_ADDR; behind one nginx set 1, or every reader looks like 127.0.0.1.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# --- Admin login (README "Security headers and the admin door") ---
# django-axes counts failed logins per address and per account in the database, for every app server.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out address before any password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "reviewblog.login_throttle.LoginThrottle"
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_CLIENT_IP_CALLABLE = "reviewblog.login_throttle.client_address"
AXES_LOCKOUT_CALLABLE = "reviewblog.login_throttle.lockout_response"
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ACCOUNT_FAILURE_LIMIT = int(os.environ.get("LOGIN_ACCOUNT_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_RESET_ON_SUCCESS = True  # a right password forgives the address's earlier typos
AXES_DISABLE_ACCESS_LOG = True  # successful logins are not kept: Django's last_login says enough
AXES_VERBOSE = False  # no "AXES: BEGIN" line in every command's output; lockouts are still logged
AXES_ENABLE_ADMIN = False  # reviewblog/admin.py lists the addresses (deleting one unlocks it) and no logs

# --- Email (README "Email") ---
# Every email the site sends is recorded in the outbox and sent by the task worker (reviews/outbox.py).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    f"django.core.mail.backends.{'smtp' if os.environ.get('EMAIL_HOST') else 'console'}.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")  # STARTTLS, usually on port 587
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")  # TLS from the start, usually on port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:  # else every email would fail at its first try, quietly
    raise ImproperlyConfigured("Set EMAIL_USE_TLS (STARTTLS) or EMAIL_USE_SSL (TLS from the start), not both.")
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "reviews@localhost")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ADMINS = [(name, address) for name, address in getaddresses([os.environ.get("ADMINS", "")]) if address]
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "12"))
# New emails wait for the retry round instead of each costing a timeout while the server is down.
OUTBOX_PAUSE_AFTER_FAILURE = float(os.environ.get("OUTBOX_PAUSE_AFTER_FAILURE", "600"))
OUTBOX_KEEP_DAYS = int(os.environ.get("OUTBOX_KEEP_DAYS", "14"))

# --- Akismet (comments/spam.py is the only user) ---
AKISMET_API_KEY = os.environ.get("AKISMET_API_KEY", "")
AKISMET_SITE_URL = os.environ.get("AKISMET_SITE_URL", SITE_URL + "/")
AKISMET_API_URL = os.environ.get("AKISMET_API_URL", "https://rest.akismet.com")
# Short on purpose: the task worker checks one comment at a time; a slow Akismet means a re-check later.
AKISMET_TIMEOUT = float(os.environ.get("AKISMET_TIMEOUT", "2"))
# Checks wait for their re-check instead of each costing the worker a timeout while Akismet is down.
AKISMET_PAUSE_AFTER_FAILURE = float(os.environ.get("AKISMET_PAUSE_AFTER_FAILURE", "30"))

# --- Comments (README "Moderating comments") ---
COMMENT_MAX_LENGTH = int(os.environ.get("COMMENT_MAX_LENGTH", "5000"))
COMMENT_MAX_DEPTH = int(os.environ.get("COMMENT_MAX_DEPTH", "3"))
COMMENT_MAX_LINKS = int(os.environ.get("COMMENT_MAX_LINKS", "2"))
# Holds a reader's name, email and website for their next comment (signed); pages for them are never shared.
COMMENT_REMEMBER_COOKIE = "comment_author"
COMMENT_RATE_LIMIT = os.environ.get("COMMENT_RATE_LIMIT", "5/m")  # per IPv4 address or IPv6 /64
# Per IPv6 /56 (the prefix one household or server is given): its client can rotate through 256 /64s.
COMMENT_NETWORK_RATE_LIMIT = os.environ.get("COMMENT_NETWORK_RATE_LIMIT", "10/m")
COMMENT_THREADS_PER_PAGE = int(os.environ.get("COMMENT_THREADS_PER_PAGE", "20"))
COMMENT_TRUST_KNOWN_AUTHORS = env_bool("COMMENT_TRUST_KNOWN_AUTHORS", default=True)
COMMENT_PERSONAL_DATA_DAYS = int(os.environ.get("COMMENT_PERSONAL_DATA_DAYS", "30"))
COMMENT_SPAM_DAYS = int(os.environ.get("COMMENT_SPAM_DAYS", "15"))
COMMENT_RECHECK_GIVE_UP_DAYS = int(os.environ.get("COMMENT_RECHECK_GIVE_UP_DAYS", "15"))
# Bot signs before Akismet (comments/screening.py).
COMMENT_INSTANT_SECONDS = float(os.environ.get("COMMENT_INSTANT_SECONDS", "1"))
COMMENT_MIN_TYPING_SECONDS = float(os.environ.get("COMMENT_MIN_TYPING_SECONDS", "4"))
COMMENT_COPIES_SPAM = int(os.environ.get("COMMENT_COPIES_SPAM", "3"))
COMMENT_BURST_COUNT = int(os.environ.get("COMMENT_BURST_COUNT", "5"))
COMMENT_BURST_MINUTES = int(os.environ.get("COMMENT_BURST_MINUTES", "10"))
# An address typed by someone else cannot be mail-bombed through the site.
FOLLOWUP_EMAILS_PER_ADDRESS_PER_DAY = int(os.environ.get("FOLLOWUP_EMAILS_PER_ADDRESS_PER_DAY", "10"))
# Readers' pictures are made here from a keyed hash of their email; on, Gravatar's are shown instead
# (every reader's browser then asks gravatar.com, with a hash of the email anyone can match).
COMMENT_GRAVATAR = env_bool("COMMENT_GRAVATAR", default=False)
if COMMENT_GRAVATAR:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append("https://www.gravatar.com")

# --- Newsletter (reviewblog/newsletter/) ---
# At most this many newsletter emails are recorded for sending in any such span ("600/h", "10/m"): "600/h"
# may send 600 at once and then wait; "10/m" is the same hourly total at an even pace.
NEWSLETTER_RATE = os.environ.get("NEWSLETTER_RATE", "600/h")
NEWSLETTER_BATCH_SIZE = int(os.environ.get("NEWSLETTER_BATCH_SIZE", "200"))  # most one mailing records a round
NEWSLETTER_WEEKLY_DAY = int(os.environ.get("NEWSLETTER_WEEKLY_DAY", "4"))  # the round-up's weekday: 0 Monday … 4 Friday
# A review that went live longer ago than this when the worker first notices it is not news (a backdated import).
NEWSLETTER_NEWS_HOURS = float(os.environ.get("NEWSLETTER_NEWS_HOURS", "48"))
# Sign-ups per IPv4 address or IPv6 /64, and per IPv6 /56, as the comments' limits are counted.
NEWSLETTER_SIGNUP_RATE = os.environ.get("NEWSLETTER_SIGNUP_RATE", "5/h")
NEWSLETTER_SIGNUP_NETWORK_RATE = os.environ.get("NEWSLETTER_SIGNUP_NETWORK_RATE", "20/h")

# --- Background tasks (django-tasks) ---
# Run by `manage.py run_worker` beside the site, never in the request: a slow Akismet holds no web worker.
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[os.environ.get("TASKS_BACKEND", "database")],
        "QUEUES": ["default", "email"],  # email: the outbox's, run by the worker's mail thread
    }
}
COMMENT_CHORES_SECONDS = int(os.environ.get("COMMENT_CHORES_SECONDS", "30"))
COMMENT_CHECK_GRACE_SECONDS = int(os.environ.get("COMMENT_CHECK_GRACE_SECONDS", "120"))
JOBS_LEASE_SECONDS = int(os.environ.get("JOBS_LEASE_SECONDS", str(COMMENT_CHECK_GRACE_SECONDS)))
JOBS_KEEP_DONE_DAYS = int(os.environ.get("JOBS_KEEP_DONE_DAYS", "7"))
JOBS_KEEP_FAILED_DAYS = int(os.environ.get("JOBS_KEEP_FAILED_DAYS", "30"))

# --- Readiness (/readyz, reviewblog/health.py) ---
READY_MAX_WORKER_SILENCE_SECONDS = int(
    os.environ.get("READY_MAX_WORKER_SILENCE_SECONDS", str(3 * COMMENT_CHORES_SECONDS))
)
READY_MAX_TASK_AGE_SECONDS = int(os.environ.get("READY_MAX_TASK_AGE_SECONDS", "300"))
READY_CHECK_TIMEOUT = float(os.environ.get("READY_CHECK_TIMEOUT", "2"))

# --- WordPress import from the admin ---
# Limits of the uploaded export and of the zip of wp-content/uploads (checked before and while it is unzipped).
WORDPRESS_UPLOAD_MAX_MB = int(os.environ.get("WORDPRESS_UPLOAD_MAX_MB", "512"))
WORDPRESS_ZIP_MAX_MB = int(os.environ.get("WORDPRESS_ZIP_MAX_MB", "4096"))  # unzipped, all files together
WORDPRESS_ZIP_MAX_FILES = int(os.environ.get("WORDPRESS_ZIP_MAX_FILES", "50000"))

# --- Pages ---
REVIEW_MAX_CHARACTERS = int(os.environ.get("REVIEW_MAX_CHARACTERS", "60000"))
REVIEWS_PER_PAGE = int(os.environ.get("REVIEWS_PER_PAGE", "9"))

# --- Logs and errors (README "Logs and errors") ---
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT is text or json.")
LOG_FIELDS = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "request_id": {"()": "reviewblog.request_log.RequestIdFilter"},
    },
    "formatters": {
        "text": {"format": LOG_FIELDS},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": LOG_FIELDS.replace("[", "").replace("]", ""),
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler would print every django.* line a second time beside the root's
        # (runserver's "Watching for file changes" twice); keep only its emails to ADMINS.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.db.backends": {"level": "INFO"},
    },
}

# Empty, sentry-sdk is not even imported (reviewblog/error_tracking.py).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from reviewblog.error_tracking import start_error_tracking

    start_error_tracking(SENTRY_DSN)
