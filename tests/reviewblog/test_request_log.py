"""reviewblog/request_log.py: one log line per request, and a request id on every line, joined to tasks."""

import json
import logging
import os

import pytest
from django.core.management import call_command
from django.urls import reverse

from reviewblog.edge import purge_edge
from reviewblog.request_log import RequestIdFilter
from reviews.jobs import enqueue_after_commit
from tests.factories import ReviewFactory
from tests.site_process import manage

pytestmark = pytest.mark.django_db


@pytest.fixture
def logs(caplog):
    """The records as the site's log handler sees them: with the request id its filter adds."""
    caplog.handler.addFilter(RequestIdFilter())
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="django_tasks")  # the worker sets it by its verbosity; put back after
    return caplog


def request_lines(logs):
    return [r for r in logs.records if r.name == "reviewblog.requests"]


def test_each_request_logs_one_line_with_its_id_and_nothing_about_the_reader(client, logs):
    response = client.get(
        reverse("reviews:home") + "?email=ana@example.com",
        REMOTE_ADDR="198.51.100.4",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        HTTP_USER_AGENT="Mozilla/5.0 Ana",
    )
    [line] = request_lines(logs)
    assert line.getMessage().startswith("GET / 200 ")
    assert (line.method, line.path, line.status) == ("GET", "/", 200)
    assert line.duration_ms >= 0
    assert line.request_id == response["X-Request-ID"]
    assert len(response["X-Request-ID"]) == 32
    shown = line.getMessage() + repr(vars(line))
    for personal in ("ana@example.com", "198.51.100.4", "203.0.113.9", "Mozilla"):
        assert personal not in shown


def test_a_page_from_the_page_cache_is_logged_too(client, logs):
    review = ReviewFactory()
    first = client.get(review.get_absolute_url())
    second = client.get(review.get_absolute_url())
    assert first.status_code == second.status_code == 200
    ids = [line.request_id for line in request_lines(logs)]
    assert ids == [first["X-Request-ID"], second["X-Request-ID"]]
    assert ids[0] != ids[1]


@pytest.mark.parametrize("given", ["edge-7f3a.9_b", "a" * 64])
def test_a_safe_incoming_request_id_is_kept(client, logs, given):
    response = client.get(reverse("reviews:home"), HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] == given
    assert request_lines(logs)[0].request_id == given


@pytest.mark.parametrize("given", ["a" * 65, "id with spaces", "x\r\nSet-Cookie: a=b", "<script>", "é"])
def test_an_unsafe_incoming_request_id_is_replaced(client, logs, given):
    response = client.get(reverse("reviews:home"), HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32
    assert request_lines(logs)[0].request_id == response["X-Request-ID"]


@pytest.mark.django_db(transaction=True)  # commits as the site does: the task is queued inside the request
def test_a_task_queued_in_a_request_is_joined_to_it_by_its_id_in_the_workers_lines(client, logs, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}
    review = ReviewFactory()
    data = {
        "author_name": "Ana",
        "author_email": "ana@example.com",
        "author_url": "",
        "homepage": "",
        "body": "A fine film.",
    }
    page = f"/reviews/{review.slug}/"
    response = client.post(
        f"{page}comments/", data, REMOTE_ADDR="198.51.100.4", HTTP_USER_AGENT="Mozilla/5.0", HTTP_REFERER=page
    )
    assert response.status_code == 302
    [queued] = [r for r in logs.records if r.getMessage().startswith("queued check_comment ")]
    assert queued.request_id == response["X-Request-ID"]
    task_id = queued.getMessage().rsplit("id=", 1)[1]

    call_command("run_worker", batch=True, reload=False, startup_delay=False, verbosity=1)
    [finished] = [r for r in logs.records if f"id={task_id}" in r.getMessage() and "state=SUCCESSFUL" in r.getMessage()]
    assert finished.request_id == f"task-{task_id}"


def test_lines_of_a_task_run_outside_a_request_carry_the_task_id(logs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_after_commit(purge_edge, [])
    [queued] = [r for r in logs.records if r.getMessage().startswith("queued ")]
    task_id = queued.getMessage().rsplit("id=", 1)[1]
    assert queued.request_id == "-"
    [finished] = [r for r in logs.records if r.name == "django_tasks" and "SUCCESSFUL" in r.getMessage()]
    assert finished.request_id == f"task-{task_id}"


def test_log_format_json_writes_one_json_object_a_line():
    code = (
        "from django.http import HttpResponse; from django.test import RequestFactory; "
        "from reviewblog.request_log import RequestLogMiddleware; "
        "RequestLogMiddleware(lambda r: HttpResponse())(RequestFactory().get('/films/', HTTP_X_REQUEST_ID='abc-1'))"
    )
    env = {**os.environ, "DEBUG": "1", "LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "reviewblog.settings"}
    result = manage(env, "shell", "-v", "0", "-c", code, timeout=60)
    assert result.returncode == 0, result.stderr
    [line] = [json.loads(text) for text in result.stderr.splitlines() if "reviewblog.requests" in text]
    assert line["level"] == "INFO"
    assert line["logger"] == "reviewblog.requests"
    assert line["request_id"] == "abc-1"
    assert line["message"].startswith("GET /films/ 200 ")
    assert line["time"].startswith("20")
    assert (line["method"], line["path"], line["status"]) == ("GET", "/films/", 200)
