"""The spam-defence report (comments/admin_report.py), checked against a known set of history rows."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comments import admin_report
from comments.models import Comment, CommentEvent, CommentRule, DefenceCount
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

Kind, Layer = CommentEvent.Kind, CommentEvent.Layer
NOW = timezone.now()


def ago(**delta):
    return NOW - timedelta(**delta)


def comment(review, arrived, **fields):
    return CommentFactory(review=review, created_at=arrived, **fields)


def event(comment, kind, at, layer="", actor=None, rule=None):
    CommentEvent.objects.create(comment=comment, kind=kind, created_at=at, layer=layer, actor=actor, rule=rule)


@pytest.fixture
def history(review, moderator):
    shadow = CommentRule.objects.create(kind="words", pattern="casino", action="spam", shadow=True)
    CommentRule.objects.create(kind="words", pattern="idle", shadow=True)  # matched nothing yet
    # Held for its links, approved by a moderator an hour after it arrived: a false positive.
    a = comment(review, ago(days=2), status=Comment.Status.APPROVED)
    event(a, Kind.HELD, ago(days=2), Layer.LINKS)
    event(a, Kind.SHADOW, ago(days=2), Layer.RULES, rule=shadow)
    event(a, Kind.APPROVED, ago(days=2) + timedelta(hours=1), actor=moderator)
    # The honeypot filed it; nobody looked.
    b = comment(review, ago(days=3), status=Comment.Status.SPAM)
    event(b, Kind.FILED_SPAM, ago(days=3), Layer.HONEYPOT)
    # Akismet: blatant spam.
    c = comment(review, ago(days=1), status=Comment.Status.SPAM, verdict=Comment.Verdict.DISCARD)
    event(c, Kind.MARKED_SPAM, ago(days=1), Layer.AKISMET)
    # Akismet: spam, which a moderator approved (overturned; it never waited in the queue).
    d = comment(review, ago(days=1), status=Comment.Status.APPROVED, verdict=Comment.Verdict.SPAM)
    event(d, Kind.MARKED_SPAM, ago(days=1), Layer.AKISMET)
    event(d, Kind.APPROVED, ago(hours=20), actor=moderator)
    # Akismet said ham, a trusted reader's comment was published, a moderator filed it as spam: let through.
    e = comment(review, ago(days=1), status=Comment.Status.SPAM, verdict=Comment.Verdict.HAM)
    event(e, Kind.APPROVED, ago(days=1))
    event(e, Kind.MARKED_SPAM, ago(hours=5), actor=moderator)
    # Three weeks ago: held by a rule and by timing, trashed after three hours (only in the 30 days).
    f = comment(review, ago(days=20), status=Comment.Status.TRASH)
    event(f, Kind.HELD, ago(days=20), Layer.RULES)
    event(f, Kind.HELD, ago(days=20), Layer.TIMING)
    event(f, Kind.TRASHED, ago(days=20) + timedelta(hours=3), actor=moderator)
    # Waiting now, and a shadow rule matched it.
    g = comment(review, ago(hours=5), status=Comment.Status.PENDING)
    event(g, Kind.SHADOW, ago(hours=5), Layer.RULES, rule=shadow)
    # A burst held it; filed as spam by a moderator two hours later.
    h = comment(review, ago(days=1), status=Comment.Status.SPAM)
    event(h, Kind.HELD, ago(days=1), Layer.BURST)
    event(h, Kind.MARKED_SPAM, ago(days=1) + timedelta(hours=2), actor=moderator)
    # Refusals that stored nothing.
    DefenceCount.objects.create(layer=Layer.RATE_LIMIT, day=timezone.localdate(), count=4)
    DefenceCount.objects.create(layer=Layer.SIZE, day=timezone.localdate() - timedelta(days=10), count=2)


def rows(report):
    return {row["key"]: row for row in report["rows"]}


def test_the_last_seven_days(history):
    report = admin_report.build(7, now=NOW)
    layers = rows(report)
    assert (layers["links"]["held"], layers["links"]["false_positives"]) == (1, 1)
    assert layers["honeypot"]["spam"] == 1
    assert layers["akismet_discard"]["spam"] == 1
    assert (layers["akismet"]["spam"], layers["akismet"]["false_positives"], layers["akismet"]["false_negatives"]) == (
        1,
        1,
        1,
    )
    assert layers["burst"]["held"] == 1 and layers["burst"]["false_positives"] == 0
    assert layers["rate_limit"]["refused"] == 4 and layers["size"]["refused"] == 0
    assert layers["rules"]["held"] == layers["timing"]["held"] == 0
    assert report["total_stopped"] == 1 + 1 + 1 + 1 + 1 + 4
    assert report["queue_size"] == 1
    assert report["decisions"] == 2  # a (1 h) and h (2 h); d was filed by Akismet, e published by trust
    assert report["median_wait"] == timedelta(minutes=90)
    shadow = {item["rule"].pattern: item for item in report["shadow_rules"]}
    assert shadow["casino"]["matched"] == 2
    assert shadow["casino"]["approved"] == 1 and shadow["casino"]["pending"] == 1
    assert shadow["idle"]["matched"] == 0


def test_the_last_thirty_days(history):
    layers = rows(report := admin_report.build(30, now=NOW))
    assert layers["rules"]["held"] == layers["timing"]["held"] == 1
    assert layers["size"]["refused"] == 2
    assert report["decisions"] == 3 and report["median_wait"] == timedelta(hours=2)


def test_the_page_for_moderators_runs_a_fixed_number_of_queries(
    history, moderator_client, django_assert_max_num_queries
):
    # session, user, permissions; the layers, the refusals, the histories, the queue, shadow matches and rules
    with django_assert_max_num_queries(10):
        response = moderator_client.get("/admin/comments/comment/report/?days=30")
    html = response.content.decode()
    assert response.status_code == 200 and "Spam-defence report" in html
    assert '<tr id="layer-akismet"><th scope="row">Akismet: spam</th><td>1</td>' in html
    assert "01:30:00" not in html and "2:00:00" in html


def test_readers_and_authors_cannot_see_it(author_client):
    assert Client().get("/admin/comments/comment/report/").status_code == 302  # to the login
    assert author_client.get("/admin/comments/comment/report/").status_code == 403


def test_refusals_are_counted_per_day(review, post_comment, settings):
    settings.COMMENT_RATE_LIMIT = "1/m"
    settings.COMMENT_MAX_LENGTH = 50
    post_comment(review, body="A fine comment.")
    assert post_comment(review, body="Another one.").status_code == 429
    assert post_comment(review, body="Third.").status_code == 429
    settings.COMMENT_RATE_LIMIT = "100/m"
    assert post_comment(review, body="x" * 60).status_code == 400
    counts = dict(DefenceCount.objects.values_list("layer", "count"))
    assert counts == {"rate_limit": 2, "size": 1}
