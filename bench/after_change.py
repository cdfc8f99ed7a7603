"""The first reader after a change: approve a comment under the bench review (as a moderator would), then
time the next anonymous request, which cannot be served the old copy. Prints the latencies (ms) as JSON.

Run by bench/run with the bench site's environment: `python -m bench.after_change BASE_URL TIMES`.
"""

import json
import sys
import time
import urllib.request

import django

django.setup()

from comments import moderation  # noqa: E402
from comments.models import Comment  # noqa: E402
from reviews.models import Review  # noqa: E402

from .data import REVIEW_SLUG  # noqa: E402


def main(base: str, times: int) -> None:
    review = Review.objects.get(slug=REVIEW_SLUG)
    url = base + review.get_absolute_url()
    first_thread = Comment.objects.filter(review=review, parent=None).order_by("created_at").first()
    latencies = []
    for n in range(times):
        comment = Comment.objects.create(  # a reply in the first thread, so it shows on the first page
            review=review,
            parent=first_thread,
            author_name=f"Late reader {n}",
            author_email="late@example.com",
            body=f"Late reply number {n}.",
        )
        moderation.approve(comment)
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as response:
            html = response.read().decode()
        latencies.append((time.perf_counter() - started) * 1000)
        assert f"Late reply number {n}." in html, "the approved comment must show to the next reader"
    print(json.dumps(latencies))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
