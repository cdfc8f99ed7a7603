"""Refuse to start, saying what to run, when DEBUG is off and the static files are not collected.

With DEBUG off the site serves hashed file names from the manifest `collectstatic` writes; without
it (or with a file added since), every page would answer 500 "Missing staticfiles manifest entry".
wsgi.py and asgi.py call this as they load, so gunicorn and runserver stop with the reason instead.
"""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ImproperlyConfigured

COLLECT = "python manage.py collectstatic --noinput"


def missing_static_files() -> str | None:
    """Why pages would fail for want of collected static files, or None when they will not."""
    manifest_name = getattr(staticfiles_storage, "manifest_name", None)
    if manifest_name is None:  # plain storage (DEBUG): files are served from the source folders
        return None
    where = settings.STATIC_ROOT
    if not staticfiles_storage.manifest_storage.exists(manifest_name):
        return f"The static files are not collected ({where}/{manifest_name} is missing). Run `{COLLECT}`."
    listed, _digest = staticfiles_storage.load_manifest()  # {name: hashed name}
    missing = sorted(path for finder in finders.get_finders() for path, _storage in finder.list(["CVS", ".*", "*~"]))
    missing = [path for path in missing if path not in listed]
    if missing:
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        return f"The static files in {where} are out of date ({shown} not collected). Run `{COLLECT}`."
    return None


def check_static_files() -> None:
    if problem := missing_static_files():
        raise ImproperlyConfigured(problem)
