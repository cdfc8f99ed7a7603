"""/healthz and /readyz as a load balancer asks them: any Host, no cookies, a 503 that names what fails."""

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments import privacy
from reviewblog.models import WorkerHeartbeat
from tests.s3_server import MEDIA_BUCKET

pytestmark = pytest.mark.django_db

PROBE = {"HTTP_HOST": "10.0.0.7:8000"}  # a load balancer asks by address, not by the site's name


@pytest.fixture
def ready(media_root):
    """Everything /readyz checks in order: the media folder exists and a worker beat just now."""
    media_root.mkdir(parents=True, exist_ok=True)
    WorkerHeartbeat.beat("web-1")
    return media_root


def readyz(client):
    response = client.get("/readyz", **PROBE)
    return response.status_code, json.loads(response.content)


def test_healthz_answers_any_host_without_touching_the_database(client, django_assert_num_queries, settings):
    settings.ALLOWED_HOSTS = ["films.example"]
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_HOST="probe.invalid")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_is_ready_when_a_worker_beat_lately_and_no_task_waits(client, ready, settings):
    settings.ALLOWED_HOSTS = ["films.example"]
    status, body = readyz(client)
    assert status == 200, body
    assert body["failing"] == []
    assert all(body[part]["ok"] for part in ("database", "cache", "storage", "worker", "tasks"))
    assert body["worker"]["last_seen_seconds"] < 5
    assert body["tasks"]["oldest_waiting_seconds"] is None


def test_a_host_silent_for_a_week_is_forgotten_by_the_next_beat(client):
    WorkerHeartbeat.objects.create(host="old-container", seen_at=timezone.now() - timedelta(days=8))
    WorkerHeartbeat.objects.create(host="web-2", seen_at=timezone.now() - timedelta(days=6))

    WorkerHeartbeat.beat("web-1")

    assert sorted(WorkerHeartbeat.objects.values_list("host", flat=True)) == ["web-1", "web-2"]


def test_readyz_is_never_kept_by_a_cache(client, ready):
    response = client.get("/readyz", **PROBE)
    assert "no-store" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]
    assert not response.has_header("xkey")  # the edge keeps only pages marked with it
    assert response.cookies == {}


def test_readyz_names_the_worker_when_its_heartbeat_is_stale(client, ready, settings):
    settings.READY_MAX_WORKER_SILENCE_SECONDS = 90
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(seconds=91))
    status, body = readyz(client)
    assert status == 503
    assert body["failing"] == ["worker"]
    assert body["worker"]["last_seen_seconds"] > 90


def test_readyz_names_the_worker_when_none_ever_ran(client, ready):
    WorkerHeartbeat.objects.all().delete()
    status, body = readyz(client)
    assert status == 503
    assert body["failing"] == ["worker"]


def test_a_503_from_readyz_is_not_logged_as_a_server_error(client, ready, caplog):
    WorkerHeartbeat.objects.all().delete()
    with caplog.at_level(logging.INFO, logger="django.request"):
        assert client.get("/readyz", **PROBE).status_code == 503
    assert [r for r in caplog.records if r.name == "django.request"] == []


def test_readyz_names_the_tasks_when_a_due_task_has_waited_too_long(client, ready, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}
    settings.READY_MAX_TASK_AGE_SECONDS = 300
    waiting = privacy.daily_purge.enqueue()
    DBTaskResult.objects.filter(id=waiting.id).update(enqueued_at=timezone.now() - timedelta(seconds=100))
    assert readyz(client)[0] == 200  # waiting, but not for long
    DBTaskResult.objects.filter(id=waiting.id).update(enqueued_at=timezone.now() - timedelta(seconds=301))
    status, body = readyz(client)
    assert status == 503
    assert body["failing"] == ["tasks"]
    assert body["tasks"]["oldest_waiting_seconds"] > 300


def test_readyz_counts_a_scheduled_task_from_when_it_fell_due(client, ready, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}
    later = privacy.daily_purge.using(run_after=timezone.now() + timedelta(hours=1)).enqueue()
    DBTaskResult.objects.filter(id=later.id).update(enqueued_at=timezone.now() - timedelta(days=1))
    assert readyz(client)[0] == 200  # queued a day ago, but not due yet
    DBTaskResult.objects.filter(id=later.id).update(run_after=timezone.now() - timedelta(seconds=301))
    status, body = readyz(client)
    assert status == 503
    assert body["failing"] == ["tasks"]


def test_readyz_names_the_storage_when_the_media_folder_is_missing(client, ready):
    ready.rmdir()
    status, body = readyz(client)
    assert status == 503
    assert body["failing"] == ["storage"]
    assert "FileNotFoundError" in body["storage"]["error"]

    ready.mkdir()
    assert readyz(client)[0] == 200


def test_readyz_names_the_storage_when_the_media_bucket_is_gone(client, ready, s3_media):
    assert readyz(client)[0] == 200
    s3_media.client.delete_bucket_policy(Bucket=MEDIA_BUCKET)
    s3_media.client.delete_bucket(Bucket=MEDIA_BUCKET)
    status, body = readyz(client)
    assert status == 503
    assert body["failing"] == ["storage"]
    assert "NoSuchBucket" in body["storage"]["error"]

    s3_media.client.create_bucket(Bucket=MEDIA_BUCKET)
    assert readyz(client)[0] == 200


def test_readyz_is_not_redirected_to_https(client, ready, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/", **PROBE).status_code in (301, 400)  # everything else is (or refused for its Host)
    assert client.get("/readyz", **PROBE).status_code == 200
    assert client.get("/healthz", **PROBE).status_code == 200


def test_readyz_names_the_database_when_it_cannot_be_reached(settings, tmp_path):
    """A process whose database is down (nothing listens on its port) answers /readyz with a 503."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "reviewblog.settings",
        "DEBUG": "1",
        "DATABASE_URL": "postgres://root@127.0.0.1:9/reviewblog_nowhere",
        "REDIS_URL": "",
        "PAGES_REDIS_URL": "",
        "MEDIA_ROOT": str(tmp_path),
    }
    probe = "from django.test import Client; r = Client().get('/readyz'); print(r.status_code, r.content.decode())"
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", probe],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    status, _, body = done.stdout.strip().splitlines()[-1].partition(" ")
    assert status == "503", done.stdout + done.stderr
    parts = json.loads(body)
    assert {"database", "worker", "tasks"} == set(parts["failing"])
    assert "OperationalError" in parts["database"]["error"]
    assert parts["cache"]["ok"] and parts["storage"]["ok"]


class Relay:
    """A TCP relay to the database server that can be cut and restored, as a network fault or a database
    restart does to the site."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.sockets = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                near, _ = self.listener.accept()
            except OSError:  # closed
                return
            if not self.up:
                near.close()
                continue
            far = socket.create_connection(self.target)
            self.sockets += [near, far]
            for source, sink in ((near, far), (far, near)):
                threading.Thread(target=self.pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def pipe(source, sink):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)

    def cut(self):
        self.up = False
        for each in self.sockets:
            with contextlib.suppress(OSError):
                each.shutdown(socket.SHUT_RDWR)
            each.close()
        self.sockets.clear()

    def close(self):
        self.cut()
        self.listener.close()


@pytest.mark.django_db(transaction=True)
def test_readyz_names_the_database_while_it_is_cut_off_and_is_ready_once_it_is_back(client, ready):
    if connection.vendor != "postgresql":
        pytest.skip("a database server to cut off: SQLite is a file inside the process")
    relay = Relay(connection.settings_dict["HOST"] or "127.0.0.1", int(connection.settings_dict["PORT"] or 5432))
    saved = connection.settings_dict["HOST"], connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", relay.port

    def probe():
        close_old_connections()  # what Django's handler does as each request starts (the test client skips it)
        return readyz(client)

    try:
        assert probe()[0] == 200
        relay.cut()
        status, body = probe()
        assert status == 503
        assert "database" in body["failing"]
        assert "OperationalError" in body["database"]["error"]
        relay.up = True
        status, body = probe()
        assert (status, body["failing"]) == (200, [])
    finally:
        connection.close()
        connection.settings_dict["HOST"], connection.settings_dict["PORT"] = saved
        relay.close()
