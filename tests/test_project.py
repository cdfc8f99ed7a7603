"""The project as an operator meets it: migrations committed, deploy checks, gunicorn with whitenoise."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.site_process import manage

ROOT = Path(__file__).resolve().parent.parent
# HTTPS is owned by the reverse proxy in production; these are the only deploy warnings we accept.
HTTPS_WARNINGS = {"security.W004", "security.W008", "security.W012", "security.W016"}


def production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="reviewblog.settings",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-" + "x7Kq9mZ2" * 6,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        **extra,
    )
    return env


@pytest.mark.django_db
def test_migrations_are_committed():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_deploy_check_is_clean_apart_from_https_owned_by_the_proxy(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy")
    found = set(re.findall(r"\((\w+\.[EW]\d+)\)", result.stdout + result.stderr))
    assert result.returncode == 0, result.stderr
    assert found <= HTTPS_WARNINGS, result.stdout + result.stderr


def readme_production_variables() -> dict[str, str]:
    """The variables the README's production recipe exports, but for the secrets it leaves as `...`."""
    recipe = (ROOT / "README.md").read_text().split("## Production recipe", 1)[1].split("```", 2)[1]
    exports = [line.split("#", 1)[0] for line in recipe.splitlines() if line.startswith("export ")]
    pairs = dict(re.findall(r'(\w+)=("[^"]*"|\S+)', " ".join(exports)))
    return {name: value.strip('"') for name, value in pairs.items() if value != "..."}


def test_deploy_check_is_clean_with_the_readmes_production_variables(tmp_path):
    variables = readme_production_variables()
    assert variables["SECURE_HSTS_PRELOAD"] == "1"
    assert variables["DEBUG"] == "0"
    # A database of the test's own (the checks do not connect to one), and its secret key and hosts.
    env = production_env(tmp_path)
    env.update({k: v for k, v in variables.items() if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY"}})
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = manage(env, "check")
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_the_import_upload_folder_may_not_be_among_the_public_media(tmp_path):
    result = manage(production_env(tmp_path, PRIVATE_ROOT=str(tmp_path / "media/private")), "check")
    assert result.returncode != 0
    assert "PRIVATE_ROOT must not be under MEDIA_ROOT" in result.stderr


def test_with_a_bucket_media_is_linked_at_its_domain_and_the_import_upload_kept_in_the_private_bucket(tmp_path):
    env = production_env(
        tmp_path,
        AWS_STORAGE_BUCKET_NAME="reviewblog-media",
        AWS_PRIVATE_BUCKET_NAME="reviewblog-private",
        AWS_S3_CUSTOM_DOMAIN="media.films.example",
    )
    code = (
        "from django.core.files.storage import default_storage, storages; "
        "print(default_storage.url('heroes/a b.jpg'), storages['private'].bucket_name, storages['private'].location)"
    )
    result = manage(env, "shell", "--no-imports", "-c", code)
    assert result.stdout.split() == ["https://media.films.example/heroes/a%20b.jpg", "reviewblog-private", "private"]


@pytest.mark.parametrize("private", ["", "reviewblog-media"])
def test_the_import_uploads_may_not_share_the_public_media_bucket(tmp_path, private):
    env = production_env(tmp_path, AWS_STORAGE_BUCKET_NAME="reviewblog-media", AWS_PRIVATE_BUCKET_NAME=private)
    result = manage(env, "check")
    assert result.returncode != 0
    assert "Set AWS_PRIVATE_BUCKET_NAME to a second bucket, readable by nobody" in result.stderr


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_serves_the_site_and_whitenoise_serves_hashed_static_files(tmp_path):
    env = production_env(tmp_path)
    assert manage(env, "migrate", "--noinput").returncode == 0
    assert manage(env, "collectstatic", "--noinput").returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "reviewblog.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        home = None
        for _ in range(100):
            try:
                home = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert home is not None, "gunicorn did not answer"
        assert "Latest reviews" in home
        css = re.findall(r'<link rel="stylesheet" href="([^"]+)"', home)
        assert len(css) == 1, css  # one render-blocking request
        assert re.fullmatch(r"/static/css/public\.[0-9a-f]{12}\.css", css[0]), "not served under a hashed name"
        response = urllib.request.urlopen(f"http://127.0.0.1:{port}{css[0]}", timeout=5)
        assert response.status == 200
        assert "immutable" in response.headers["Cache-Control"]
        stylesheet = response.read().decode()
        assert ":root {" in stylesheet and ".prose {" in stylesheet  # site.css, then article.css
        # The faces article.css names are linked under their hashed names too, from css/ as before.
        assert re.search(r'url\("\.\./fonts/inter-latin-400-normal\.[0-9a-f]{12}\.woff2"\)', stylesheet)
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stderr.close()


def redis_available(host="127.0.0.1", port=6379) -> bool:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        return True
    except OSError:
        return False


def test_with_redis_the_comment_rate_limit_is_shared_by_every_worker(tmp_path):
    if not redis_available():
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail("Redis is required here but 127.0.0.1:6379 does not answer")
        pytest.skip("No Redis on 127.0.0.1:6379 (REDIS_URL is optional); CI has one and runs this test")
    env = production_env(tmp_path, REDIS_URL="redis://127.0.0.1:6379/14", COMMENT_RATE_LIMIT="1/m")
    address = f"192.0.2.{os.getpid() % 250}"
    post = f"from comments.views import over_rate_limit; print(over_rate_limit('{address}'))"
    try:
        # Two separate processes, like two gunicorn workers: the second post from the address is over.
        assert manage(env, "shell", "-c", post).stdout.strip().endswith("False")
        assert manage(env, "shell", "-c", post).stdout.strip().endswith("True")
    finally:
        manage(env, "shell", "-c", "from django.core.cache import cache; cache.clear()")


def test_sqlite_runs_as_an_embedded_database_for_several_processes(tmp_path):
    env = production_env(tmp_path)
    assert manage(env, "migrate", "--noinput").returncode == 0
    read = (
        "from django.db import connection; c = connection.cursor(); "
        "print([c.execute(f'PRAGMA {p}').fetchone()[0] for p in ('journal_mode', 'busy_timeout', 'synchronous')]); "
        "print(connection.transaction_mode)"
    )
    result = manage(env, "shell", "-v", "0", "-c", read)
    assert result.returncode == 0, result.stderr
    # WAL: readers never wait for the writer; 20 s: a writer waits for the lock instead of failing;
    # synchronous 1 (NORMAL); IMMEDIATE: every transaction takes the write lock when it begins.
    assert result.stdout.split("\n")[:2] == ["['wal', 20000, 1]", "IMMEDIATE"]


def test_rendered_pages_can_live_in_a_redis_of_their_own(tmp_path):
    # Redis evicts across a whole instance: pages kept apart can never push out a rate-limit count.
    env = production_env(tmp_path, REDIS_URL="redis://127.0.0.1:6379/14", PAGES_REDIS_URL="redis://127.0.0.1:6380/0")
    show = (
        "from django.conf import settings as s; print(s.CACHES['default']['LOCATION'], s.CACHES['pages']['LOCATION'])"
    )
    result = manage(env, "shell", "-v", "0", "-c", show)
    assert result.stdout.split() == ["redis://127.0.0.1:6379/14", "redis://127.0.0.1:6380/0"]


def test_without_collected_static_files_the_server_stops_and_says_what_to_run(tmp_path):
    """DEBUG off and no collectstatic: gunicorn and runserver stop at once instead of answering every page 500."""
    env = production_env(tmp_path)
    load = [sys.executable, "-c", "import reviewblog.wsgi"]
    result = subprocess.run(load, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "The static files are not collected" in result.stderr
    assert "Run `python manage.py collectstatic --noinput`" in result.stderr

    assert manage(env, "collectstatic", "--noinput").returncode == 0
    result = subprocess.run(load, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_runserver_says_it_watches_for_changes_once(tmp_path):
    env = production_env(tmp_path)
    env["DEBUG"] = "1"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{free_port()}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            lines.append(line)
            if "Quit the server with" in line or not line:
                break
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()
    output = "".join(lines)
    assert "Quit the server with" in output, output
    assert output.count("Watching for file changes") == 1, output


def test_email_settings_come_from_the_environment(tmp_path):
    env = production_env(
        tmp_path,
        EMAIL_HOST="smtp.films.example",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="site",
        EMAIL_HOST_PASSWORD="s3cret",
        EMAIL_USE_TLS="1",
        EMAIL_TIMEOUT="7.5",
        SERVER_EMAIL="errors@films.example",
        ADMINS="Ana Admin <ana@films.example>, ops@films.example",
    )
    show = (
        "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER,"
        " s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.EMAIL_TIMEOUT, s.SERVER_EMAIL); print(s.ADMINS)"
    )
    result = manage(env, "shell", "-v", "0", "-c", show)
    assert result.stdout.splitlines() == [
        "django.core.mail.backends.smtp.EmailBackend smtp.films.example 587 site s3cret True False 7.5 "
        "errors@films.example",
        "[('Ana Admin', 'ana@films.example'), ('', 'ops@films.example')]",
    ]


def test_without_a_mail_host_emails_are_printed_and_nobody_gets_error_emails(tmp_path):
    show = "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_TIMEOUT, s.ADMINS)"
    result = manage(production_env(tmp_path), "shell", "-v", "0", "-c", show)
    assert result.stdout.split() == ["django.core.mail.backends.console.EmailBackend", "10.0", "[]"]


def test_sendtestemail_reaches_the_configured_mail_server(tmp_path, smtp_server):
    env = production_env(
        tmp_path,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_server.port),
        SERVER_EMAIL="errors@films.example",
        ADMINS="Ana Admin <ana@films.example>",
    )
    assert manage(env, "sendtestemail", "bo@example.com").returncode == 0
    assert manage(env, "sendtestemail", "--admins").returncode == 0
    to_bo, to_admins = smtp_server.received
    assert to_bo["To"] == "bo@example.com"
    assert (to_admins["To"], to_admins["From"]) == ("ana@films.example", "errors@films.example")


def test_both_tls_settings_stop_the_site_at_start_and_say_why(tmp_path):
    result = manage(production_env(tmp_path, EMAIL_USE_TLS="1", EMAIL_USE_SSL="1"), "check")
    assert result.returncode != 0
    assert "Set EMAIL_USE_TLS (STARTTLS) or EMAIL_USE_SSL (TLS from the start), not both." in result.stderr


def test_make_run_installs_the_site_without_the_test_tools(tmp_path):
    """What `make run` would do on a fresh machine (a venv of its own, dry run): the site's requirements only."""
    plan = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    installs = [line for line in plan.splitlines() if "pip install" in line and " -r " in line]
    assert installs and all(line.rstrip().endswith(" -r requirements.txt") for line in installs), plan


def test_the_sqlite_files_the_demo_site_writes_are_not_shown_as_changes_by_git():
    names = ["db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm", "db.sqlite3-journal"]
    ignored = subprocess.run(["git", "check-ignore", *names], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert ignored == names
