"""What an import costs and leaves behind at scale: queries per post, counts and page stamps after it."""

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.wordpress_import import write_export
from comments.models import Comment
from reviewblog.models import ImportedItem
from reviewblog.wordpress.importer import Importer
from reviews.models import Review

from .test_import_wordpress import imported, run

pytestmark = pytest.mark.django_db


def queries_to_import(tmp_path, comments: int) -> int:
    """The queries of importing one post with this many comments (threaded two replies deep, every
    status, Akismet history), into an empty site; undone afterwards."""
    export = tmp_path / f"{comments}.xml"
    write_export(export, posts=1, comments=comments)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        Importer(export, create_films=True).run()
        assert Comment.objects.count() == comments
        transaction.set_rollback(True)
    return len(queries)


@pytest.fixture
def blog(films, uploads):
    return run("--media", str(uploads))


def test_a_posts_comments_are_written_in_as_many_queries_whatever_their_number(tmp_path):
    queries_to_import(tmp_path, 1)  # what is read once per process (content types) is read now
    few, many = queries_to_import(tmp_path, 3), queries_to_import(tmp_path, 30)
    assert many == few  # a query per level of the threads (three here), not per comment


def test_a_second_run_writes_no_review_or_comment_again(blog, uploads):
    comments = list(Comment.objects.values_list("pk", "status_changed_at", "body_html"))
    revisions = Review.history.count()
    with CaptureQueriesContext(connection) as queries:
        report = run("--media", str(uploads))
    assert not [q for q in queries if q["sql"].startswith(('UPDATE "comments_comment"', 'INSERT INTO "comments'))]
    assert list(Comment.objects.values_list("pk", "status_changed_at", "body_html")) == comments
    assert Review.history.count() == revisions  # no new revision of an unchanged review
    assert "posts: 6 updated" in report and "comments: 6 updated" in report


def test_each_review_counts_its_approved_comments_after_an_import(blog):
    for review in Review.objects.all():
        assert review.comment_count == Comment.objects.public().filter(review=review).count()
    assert imported("post", 10).comment_count == 2  # Nadia and Ava; not the pending, spam, trash or pingback


def test_pages_shown_before_an_import_list_its_reviews_after_it(films, uploads):
    pages = ["/", films["ballerina"].get_absolute_url(), "/feed/"]
    for url in pages:
        assert "/reviews/ballerina-2025/" not in Client().get(url).content.decode()  # now kept by the page cache
    run("--media", str(uploads))
    review = imported("post", 10)
    assert review.get_absolute_url() == "/reviews/ballerina-2025/" and review.is_public
    for url in pages:
        assert "/reviews/ballerina-2025/" in Client().get(url).content.decode(), url


def test_a_dry_run_leaves_every_stamp_as_it_was(films, uploads):
    stamps = list(type(ballerina := films["ballerina"]).objects.values_list("pk", "page_changed_at"))
    run("--media", str(uploads), "--dry-run")
    assert list(type(ballerina).objects.values_list("pk", "page_changed_at")) == stamps
    assert not ImportedItem.objects.exists()
