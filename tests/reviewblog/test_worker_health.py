"""The task worker's heartbeat on the admin index, as staff see it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments import privacy
from reviewblog.models import WorkerHeartbeat
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator_client(client):
    client.force_login(UserFactory(username="moderator", group="Moderators"))
    return client


def worker_line(client) -> str:
    html = client.get(reverse("admin:index")).content.decode()
    start = html.index('<div class="module worker-health"')
    return html[start : html.index("</div>", start)]


def test_a_moderator_sees_when_the_worker_was_last_seen(moderator_client):
    WorkerHeartbeat.objects.create(host="worker-1", seen_at=timezone.now() - timedelta(seconds=12))
    line = worker_line(moderator_client)
    assert "Task worker: last seen 12 s ago; no task waiting." in line
    assert "errornote" not in line


def test_a_stale_worker_and_a_late_task_are_shown_as_warnings(moderator_client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}
    WorkerHeartbeat.objects.create(host="worker-1", seen_at=timezone.now() - timedelta(seconds=600))
    waiting = privacy.daily_purge.enqueue()
    DBTaskResult.objects.filter(id=waiting.id).update(enqueued_at=timezone.now() - timedelta(seconds=400))
    line = worker_line(moderator_client)
    assert "Task worker: last seen 600 s ago; oldest waiting task 400 s." in line
    assert 'class="errornote"' in line
    assert "run_worker" in line


def test_a_worker_never_seen_is_said_so(moderator_client):
    line = worker_line(moderator_client)
    assert "Task worker: never seen" in line
    assert 'class="errornote"' in line


def test_the_heartbeat_costs_the_admin_index_two_queries(moderator_client):
    WorkerHeartbeat.objects.create(host="worker-1", seen_at=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        moderator_client.get(reverse("admin:index"))
    tables = ("reviewblog_workerheartbeat", "django_tasks_database_dbtaskresult")
    assert len([q for q in queries if any(table in q["sql"] for table in tables)]) == 2
