"""`bench/run --edge`'s changes: each of N changes in turn approves a comment, edits a review, renames a
film, changes a credit, renames an author or renames a genre, as the admin would (save(),
moderation.approve), after the pages that show it were read into the edge; then lets the task worker
deliver the purges (`db_worker --batch`, as the worker running beside gunicorn would within seconds),
reads those pages through the edge and counts the ones without the change.

Run with the bench site's environment (EDGE_PURGE_URL set): `python -m bench.edge_changes EDGE_URL N`.
Prints {"changes", "reads", "stale", "hits_before"} as JSON.
"""

import html
import json
import sys
import urllib.request

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from comments import moderation  # noqa: E402
from comments.models import Comment  # noqa: E402
from reviews.models import Credit, Film, Review  # noqa: E402

from .data import REVIEW_SLUG  # noqa: E402


def read(url: str) -> tuple[str, bool]:
    with urllib.request.urlopen(url, timeout=30) as response:
        hit = len(response.headers.get("X-Varnish", "").split()) == 2
        return html.unescape(response.read().decode()), hit


def main(edge: str, times: int) -> None:
    review = Review.objects.get(slug=REVIEW_SLUG)
    film = Film.objects.get(pk=review.film_id)
    credit = Credit.objects.filter(film=film, job=Credit.Job.CAST).select_related("person").last()
    thread = Comment.objects.filter(review=review, parent=None).order_by("created_at").first()
    author, genre = review.author, film.genres.order_by("name").first()
    lists = [author.author_profile.get_absolute_url(), genre.get_absolute_url(), film.franchise.get_absolute_url()]
    counts = {"changes": 0, "reads": 0, "stale": 0, "hits_before": 0}
    for n in range(times):
        kind = n % 6
        if kind == 0:  # approve a comment: a reply in the first thread, so it shows on the first page
            urls = [review.get_absolute_url()]
            marker = f"Edge reply number {n}."
        elif kind == 1:  # edit a review: its page, and every page listing it (the feed has its standfirst too)
            urls = [review.get_absolute_url(), film.get_absolute_url(), "/", *lists, "/feed/"]
            marker = f"Standfirst, take {n}"
        elif kind == 2:  # rename a film: its page and its reviews' pages show the title
            urls = [film.get_absolute_url(), review.get_absolute_url()]
            marker = f"Ballerina, cut {n}"
        elif kind == 3:  # change a credit: the film's page and the person's
            urls = [film.get_absolute_url(), credit.person.get_absolute_url()]
            marker = f"Henchman, version {n}"
        elif kind == 4:  # rename an author: their page and the bylines of every list
            urls = ["/", *lists]
            marker = f"Ava{n}"
        else:  # rename a genre: its page, and the film's and review's pages that name it
            urls = [genre.get_absolute_url(), film.get_absolute_url(), review.get_absolute_url()]
            marker = f"Gun fu {n}"
        for url in urls:  # read into the edge (twice: the second is a hit when the edge keeps it)
            read(edge + url)
            counts["hits_before"] += read(edge + url)[1]
        if kind == 0:
            comment = Comment.objects.create(
                review=review, parent=thread, author_name="Edge reader", author_email="edge@example.com", body=marker
            )
            moderation.approve(comment)
        elif kind == 1:
            review.standfirst = marker
            review.save()
        elif kind == 2:
            film.title = marker
            film.save()
        elif kind == 3:
            credit.character = marker
            credit.save()
        elif kind == 4:
            author.first_name = marker
            author.save()
        else:
            genre.name = marker
            genre.save()
        counts["changes"] += 1
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)  # the purges
        for url in urls:
            counts["reads"] += 1
            counts["stale"] += marker not in read(edge + url)[0]
    print(json.dumps(counts))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
