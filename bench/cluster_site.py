"""bench/cluster's view of the database, run with the cluster's settings (`python -m bench.cluster_site ...`).

`setup`: the moderator chooses the daily digest and one comment waits for them; prints the reviews open
for comments and the review whose hero the author replaces, as JSON.
`count TAG`: what the run left behind: its comments (verdicts, Akismet checks, statuses), the outbox, the
daily chores and the task table. Prints JSON.
"""

import json
import sys
from collections import Counter

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from comments.models import Comment, CommentEvent, ModeratorPreference  # noqa: E402
from reviews.models import DailyChore, OutgoingEmail, Review  # noqa: E402

MODERATOR = "milo"


def setup() -> dict:
    moderator = User.objects.get(username=MODERATOR)
    ModeratorPreference.objects.update_or_create(user=moderator, defaults={"daily_digest": True})
    reviews = list(Review.objects.published().filter(comments_open=True).order_by("-published_at")[:4])
    # Something waits for a moderator when the workers first start: the day's digest has news.
    Comment.objects.create(
        review=reviews[-1],
        author_name="Early reader",
        author_email="early@cluster.example",
        body="Written before the cluster started: the digest should list it.",
        status=Comment.Status.PENDING,
        verdict=Comment.Verdict.HAM,
    )
    return {
        "reviews": [review.get_absolute_url() for review in reviews],
        "hero": {"pk": reviews[0].pk, "url": reviews[0].get_absolute_url()},
        "moderator": moderator.email,
    }


def count(tag: str) -> dict:
    rows = Comment.objects.filter(body__contains=tag)
    checks = Counter(
        CommentEvent.objects.filter(comment__in=rows, kind=CommentEvent.Kind.CHECKED).values_list("comment", flat=True)
    )
    emails = OutgoingEmail.objects.all()
    return {
        "comments": rows.count(),
        "pairs": sorted(rows.values_list("author_email", "body")),
        "status": dict(rows.values_list("status").annotate(n=Count("pk")).order_by()),
        "verdict": dict(rows.values_list("verdict").annotate(n=Count("pk")).order_by()),
        "unchecked": rows.filter(verdict=Comment.Verdict.UNCHECKED).count(),
        "checked_more_than_once": sum(1 for n in checks.values() if n > 1),
        "pending_ids": list(rows.filter(status=Comment.Status.PENDING).values_list("pk", flat=True)),
        "approved_bodies": _approved_by_review(rows),
        "outbox": dict(emails.values_list("status").annotate(n=Count("pk")).order_by()),
        "chores_today": dict(
            DailyChore.objects.filter(day=timezone.localdate()).values_list("name").annotate(n=Count("pk")).order_by()
        ),
        "tasks": dict(DBTaskResult.objects.values_list("status").annotate(n=Count("pk")).order_by()),
    }


def _approved_by_review(rows) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for comment in rows.filter(status=Comment.Status.APPROVED).select_related("review"):
        found.setdefault(comment.review.get_absolute_url(), []).append(comment.body)
    return found


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    print(json.dumps(setup() if command == "setup" else count(arguments[0])))
