"""What screening a comment costs stays the same however busy its network is (comments/screening.py)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments import moderation
from comments.models import Comment
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db
Status, Verdict = Comment.Status, Comment.Verdict

NETWORKS = {"IPv4 /24": "198.18.9.{n}", "IPv6 /56": "2001:db8:7:1{n:02x}::{n:x}"}


@pytest.fixture
def rows_read(monkeypatch):
    """How many rows the database handed back, over every query."""
    seen = {"rows": 0}
    original = CursorWrapper.__getattr__

    def counted(name):
        def fetch(self, *args):
            rows = original(self, name)(*args)
            seen["rows"] += len(rows) if name != "fetchone" else rows is not None
            return rows

        return fetch

    for name in ("fetchone", "fetchmany", "fetchall"):
        monkeypatch.setattr(CursorWrapper, name, counted(name), raising=False)
    return seen


def post_after(review, address, earlier: int, rows_read) -> tuple[int, int, Comment]:
    """(queries, rows read, comment) for one comment arriving after `earlier` waiting ones from its network."""
    start = timezone.now() - timedelta(minutes=5)
    for n in range(earlier):
        CommentFactory(
            review=review,
            status=Status.PENDING,
            verdict=Verdict.HAM,
            ip_address=address.format(n=n % 250 + 1),
            author_name=f"Burst {n}",
            body=f"Burst comment number {n}.",
            created_at=start + timedelta(seconds=n / 100),
        )
    comment = CommentFactory.build(
        review=review, status=Status.PENDING, verdict=Verdict.UNCHECKED, ip_address=address.format(n=251)
    )
    rows_read["rows"] = 0
    with CaptureQueriesContext(connection) as queries:
        moderation.receive(comment)  # the POST's transaction; what runs after commit is the worker's
    return len(queries), rows_read["rows"], comment


@pytest.mark.parametrize("address", NETWORKS.values(), ids=NETWORKS.keys())
def test_a_comment_from_a_busy_network_costs_the_same_queries_and_rows_as_from_a_quieter_one(
    review, address, rows_read
):
    moderation.receive(CommentFactory.build(review=review, ip_address=None))  # the rules are read once, here
    few = post_after(review, address, 20, rows_read)
    Comment.objects.all().delete()
    many = post_after(review, address, 300, rows_read)
    assert many[:2] == few[:2]
    assert any(note.startswith("a burst") for note in many[2].hold_notes)


def test_a_comment_stores_its_network():
    assert CommentFactory(ip_address="198.18.9.77").network == "198.18.9.0/24"
    assert CommentFactory(ip_address="2001:db8:7:1ab:1::9").network == "2001:db8:7:100::/56"
    assert CommentFactory(ip_address=None).network == ""
