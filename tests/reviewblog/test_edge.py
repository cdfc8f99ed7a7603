"""The edge cache's side in the site (reviewblog/edge/): shared pages name what they show in `xkey`, and
every change purges exactly those keys, after commit. A local server stands in for Varnish and keeps the
PURGE requests it receives; bench/run --edge drives the real Varnish (reviewblog/edge/default.vcl)."""

import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments import moderation
from comments.models import Comment
from reviewblog import edge as edge_module
from reviews.models import Credit, Film, Review
from tests.factories import CommentFactory, CreditFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


class PurgeRecorder(ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), self.Handler)
        self.keys: list[set[str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_PURGE(self):
            self.server.keys.append(set(self.headers["xkey"].split()))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    def purged(self) -> set[str]:
        return set().union(*self.keys)


@pytest.fixture
def edge(settings):
    server = PurgeRecorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EDGE_PURGE_URL = f"http://127.0.0.1:{server.server_address[1]}/"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def review():
    credit = CreditFactory(film__title="Ballerina", person__name="Ana de Armas")
    return ReviewFactory(film=credit.film, body="With [[Ana de Armas]].")


def keys(review):
    credit = review.film.credits.get()
    return {"review": f"review-{review.pk}", "film": f"film-{review.film_id}", "person": f"person-{credit.person_id}"}


def test_shared_pages_name_what_they_show_and_for_how_long(edge, review):
    for url, key in [
        (review.get_absolute_url(), keys(review)["review"]),
        (review.film.get_absolute_url(), keys(review)["film"]),
        (review.film.credits.get().person.get_absolute_url(), keys(review)["person"]),
        ("/", "lists"),
    ]:
        for _ in range(2):  # rendered, then served from the page cache: marked both times
            response = Client().get(url)
            assert response["xkey"] == key
            assert response["Surrogate-Control"] == "max-age=600"


def test_the_edge_keeps_a_page_no_longer_than_until_the_next_scheduled_review(edge, review):
    ReviewFactory(published_at=timezone.now() + timedelta(seconds=90))
    max_age = int(Client().get("/")["Surrogate-Control"].removeprefix("max-age="))
    assert 80 <= max_age <= 90


def test_pages_for_one_reader_carry_no_keys(edge, review, admin_client):
    assert "xkey" not in admin_client.get(review.get_absolute_url())
    assert "xkey" not in Client().get(review.get_absolute_url() + "?utm_source=mail")  # not shared here either


def test_no_edge_no_keys(review):
    assert "xkey" not in Client().get(review.get_absolute_url())


def test_an_approved_comment_purges_the_pages_that_list_its_review_after_commit(
    edge, review, django_capture_on_commit_callbacks
):
    comment = CommentFactory(review=review, status=Comment.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        moderation.approve(comment)
        assert edge.keys == []  # nothing before the commit
    assert callbacks
    expected = {keys(review)["review"], keys(review)["film"], keys(review)["person"], "lists"}
    assert expected <= edge.purged()


def test_an_edited_review_purges_its_old_and_new_film(edge, review, django_capture_on_commit_callbacks):
    old_film = review.film
    with django_capture_on_commit_callbacks(execute=True):
        review.film = CreditFactory().film
        review.title = "Moved"
        review.save()
    assert {f"film-{old_film.pk}", f"film-{review.film_id}", f"review-{review.pk}", "lists"} <= edge.purged()


def test_a_renamed_film_purges_its_page_its_reviews_and_its_people(edge, review, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        film = Film.objects.get(pk=review.film_id)
        film.title = "Ballerina (2025)"
        film.save()
    assert set(keys(review).values()) <= edge.purged()


def test_a_changed_credit_purges_the_film_its_reviews_and_the_person(edge, review, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Credit.objects.filter(film=review.film).update(character="Eve")  # even an update()
    assert set(keys(review).values()) <= edge.purged()


def test_an_unrelated_change_purges_nothing_of_this_review(edge, review, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        other = CreditFactory()
        other.character = "Someone else"
        other.save()
    assert not set(keys(review).values()) & edge.purged()


def test_an_author_rename_purges_their_reviews(edge, review, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        author = review.author
        author.first_name = "Renamed"
        author.save()
    assert {keys(review)["review"], keys(review)["film"], "lists"} <= edge.purged()


def test_an_edge_that_is_down_does_not_fail_the_change(settings, review, django_capture_on_commit_callbacks, caplog):
    settings.EDGE_PURGE_URL = "http://127.0.0.1:9/"  # nothing listens there
    settings.EDGE_PURGE_TIMEOUT = 0.5
    with django_capture_on_commit_callbacks(execute=True):
        Review.objects.filter(pk=review.pk).move_to(Review.Status.DRAFT, by=UserFactory())
    assert "Edge purge" in caplog.text
    assert Review.objects.get(pk=review.pk).status == Review.Status.DRAFT


# --- Delivered by the task worker ---


@pytest.fixture
def database_tasks(settings):
    """The production configuration: tasks wait in the database for `run_worker`."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}


def run_worker():
    call_command("run_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


def queued_purges():
    return DBTaskResult.objects.filter(task_path="reviewblog.edge.purge_edge", status="READY")


@pytest.mark.django_db(transaction=True)  # the worker runs after the change's real commit
def test_a_change_queues_its_purge_and_the_worker_sends_it(edge, database_tasks, review):
    film = Film.objects.get(pk=review.film_id)
    film.title = "Ballerina (2025)"
    film.save()
    assert edge.keys == []  # the admin's request sent nothing
    assert queued_purges().exists()
    run_worker()
    assert set(keys(review).values()) <= edge.purged()
    assert not queued_purges().exists()


@pytest.mark.django_db(transaction=True)
def test_a_purge_the_edge_missed_is_tried_again_later_and_never_fails_the_change(
    settings, database_tasks, review, caplog
):
    settings.EDGE_PURGE_URL = "http://127.0.0.1:9/"  # the edge is down: nothing listens there
    Review.objects.filter(pk=review.pk).move_to(Review.Status.DRAFT, by=UserFactory())
    assert Review.objects.get(pk=review.pk).status == Review.Status.DRAFT  # the change is done
    run_worker()
    assert "Edge purge of" in caplog.text and "trying again in 5 s" in caplog.text
    retries = list(queued_purges())
    assert retries and all(r.run_after > timezone.now() and r.args_kwargs["args"][1] == 1 for r in retries)
    run_worker()
    assert {r.pk for r in queued_purges()} == {r.pk for r in retries}  # not due yet

    server = PurgeRecorder()  # the edge is back
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings.EDGE_PURGE_URL = f"http://127.0.0.1:{server.server_address[1]}/"
        queued_purges().update(run_after=timezone.now())  # its time comes
        run_worker()
        assert {f"review-{review.pk}", f"film-{review.film_id}", "lists"} <= server.purged()
        assert not queued_purges().exists()
    finally:
        server.shutdown()
        server.server_close()


def test_a_purge_is_given_up_after_its_last_try_with_an_error_in_the_log(settings, caplog):
    settings.EDGE_PURGE_URL = "http://127.0.0.1:9/"
    result = edge_module.purge_edge.enqueue(["lists"], 0)
    assert result.return_value == ["lists"]
    assert "given up after 1 tries" in caplog.text  # the immediate backend cannot wait: the first try is the last


@pytest.mark.django_db(transaction=True)
def test_a_purge_is_tried_with_backoff_and_given_up_before_copies_it_missed_expire(settings, database_tasks, caplog):
    settings.EDGE_PURGE_URL = "http://127.0.0.1:9/"  # the edge stays down
    edge_module.purge_edge.enqueue(["lists"])
    waits = []
    for _ in range(20):
        run_worker()
        retry = queued_purges().first()
        if retry is None:
            break
        waits.append(round((retry.run_after - timezone.now()).total_seconds()))
        # Its time comes: the wait passes, as if the first try were that much further back.
        keys_, attempt, first_try = retry.args_kwargs["args"]
        earlier = datetime.fromisoformat(first_try) - timedelta(seconds=waits[-1])
        retry.args_kwargs = {"args": [keys_, attempt, earlier.isoformat()], "kwargs": {}}
        retry.run_after = timezone.now()
        retry.save(update_fields=["args_kwargs", "run_after"])
    assert waits == [5, 10, 20, 40, 80, 160]  # then the next would come after MAX_AGE: 5 + … + 320 > 600
    assert "given up after 7 tries" in caplog.text
