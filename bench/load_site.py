"""bench/load's view of the database, run with the load site's settings (`python -m bench.load_site ...`).

`setup POSTERS RULES`: the reviews to post on (published, comments open), RULES word rules (none of
which the posters' words match), and one approved comment for every other poster's email, so that half
of them are returning readers whose ham is published at once
(and moves the page) while the other half wait for a moderator. Prints JSON.

`count TAG`: what the run stored (comments whose body holds TAG): rows, duplicates, verdicts, and the
(email, body) pairs stored. Prints JSON.
"""

import json
import sys
from collections import Counter
from datetime import timedelta

import django

django.setup()

from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from comments.models import Comment, CommentRule, touch_review  # noqa: E402
from reviews.models import Review  # noqa: E402

from .load import poster_email  # noqa: E402

RETURNING_EVERY = 2  # posters 0, 2, 4 … already have an approved comment


def setup(posters: int, rules: int = 0) -> dict:
    reviews = list(Review.objects.published().filter(comments_open=True).order_by("-published_at")[:5])
    if not reviews:
        raise SystemExit("the demo has no published review open for comments")
    # Words and phrases as a public blocklist has them; one in ten a phrase of two words.
    CommentRule.objects.bulk_create(
        CommentRule(kind="words", pattern=f"blocked{n}" + (f" phrase{n}" if n % 10 == 0 else "")) for n in range(rules)
    )
    earlier = timezone.now() - timedelta(days=1)
    for n in range(0, posters, RETURNING_EVERY):
        Comment.objects.create(
            review=reviews[n % len(reviews)],
            author_name=f"Poster {n}",
            author_email=poster_email(n),
            body=f"An earlier comment by poster {n}, approved by a moderator yesterday.",
            created_at=earlier,
            status=Comment.Status.APPROVED,
            verdict=Comment.Verdict.HAM,
        )
    for review in reviews:
        touch_review(review)
    return {"reviews": [review.get_absolute_url() for review in reviews]}


def count(tag: str) -> dict:
    rows = Comment.objects.filter(body__contains=tag)
    pairs = list(rows.values_list("author_email", "body"))
    per_pair = Counter(pairs)
    pending = rows.filter(status=Comment.Status.PENDING)
    return {
        "stored": len(pairs),
        "distinct": len(per_pair),
        "duplicates": sum(n - 1 for n in per_pair.values()),
        "pairs": [[email, body, n] for (email, body), n in sorted(per_pair.items())],
        "status": dict(rows.values_list("status").annotate(n=Count("pk")).order_by()),
        "verdict": dict(rows.values_list("verdict").annotate(n=Count("pk")).order_by()),
        # Not yet judged by Akismet (nor being re-tried): unsettled while the run goes on, "left unchecked" after.
        "unchecked": pending.filter(verdict=Comment.Verdict.UNCHECKED).count(),
        # Akismet could not be reached: a re-check is scheduled (down, 500, slow past the timeout).
        "waiting_recheck": pending.filter(verdict=Comment.Verdict.ERROR, next_check_at__isnull=False).count(),
        "error_no_retry": pending.filter(verdict=Comment.Verdict.ERROR, next_check_at__isnull=True).count(),
    }


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    result = setup(*map(int, arguments)) if command == "setup" else count(arguments[0])
    print(json.dumps(result))
