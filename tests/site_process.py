"""A process of the site as production runs it (the task worker, `manage.py …`), apart from the test's own."""

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
WORKER = [sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]


def site_env(**extra: str) -> dict[str, str]:
    """The environment of a site process that shares this test's database (committed rows only) and has
    no shared cache: the project's own settings, tasks waiting in the database for a worker."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "reviewblog.settings",
        "DEBUG": "1",
        "DATABASE_URL": url,
        "TASKS_BACKEND": "database",
        "REDIS_URL": "",
        "PAGES_REDIS_URL": "",
        **extra,
    }


def manage(env: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python manage.py ARGS` in a process of its own with `env`, its output captured as text."""
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def start_worker(log: Path, *options: str, **extra: str) -> subprocess.Popen:
    """`manage.py run_worker` with `options`, its output in `log`."""
    with log.open("w") as out:
        return subprocess.Popen(
            [*WORKER, *options], cwd=ROOT, env=site_env(**extra), stdout=out, stderr=subprocess.STDOUT
        )
