"""Build the benchmark's site: the demo content, 200 approved threaded comments under the demo
review, and a film with 50 credits and 30 published reviews (so the home page, the author's, the
genre's and the franchise's have many too).

Run by bench/run against a throwaway database; prints the pages to measure and a logged-in
author's session as JSON.
"""

import io
import json
import random
from datetime import timedelta

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from comments.models import Comment, touch_review  # noqa: E402
from reviews.models import Credit, Person, Review  # noqa: E402

REVIEW_SLUG = "ballerina-grief-with-a-gun"
COMMENTS = 200
CREDITS = 50
FILM_REVIEWS = 30

WORDS = str.split(
    "the fight in the kitchen is the best thing in the film and I watched it twice to see how the cuts "
    "hide nothing at all while the snow scene drags a little but the score carries it and de Armas sells "
    "every bruise with her face alone which the older films never asked of Keanu"
)


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def comment_body(rng: random.Random, n: int) -> str:
    body = " ".join(sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(2, 5)))
    if n % 7 == 0:
        body += "\n\nI *really* mean it: see https://example.com/notes for my notes."
    return body


def add_comments(review: Review, rng: random.Random) -> None:
    start = timezone.now() - timedelta(days=30)
    made: list[Comment] = []
    for n in range(COMMENTS):
        # About two in five start a thread; the rest answer an earlier comment that may still take replies.
        open_parents = [c for c in made[-40:] if c.depth < 2]
        parent = rng.choice(open_parents) if open_parents and rng.random() < 0.6 else None
        made.append(
            Comment.objects.create(
                review=review,
                parent=parent,
                author_name=f"Reader {n + 1}",
                author_email=f"reader{n + 1}@example.com",
                author_url="https://example.com/" if n % 5 == 0 else "",
                body=comment_body(rng, n),
                created_at=start + timedelta(minutes=17 * n),
                status=Comment.Status.APPROVED,
                verdict=Comment.Verdict.HAM,
            )
        )
    touch_review(review)


def fill_film(review: Review, rng: random.Random) -> None:
    film = review.film
    existing = film.credits.count()
    for n in range(CREDITS - existing):
        person, _ = Person.objects.get_or_create(name=f"Crew Person {n + 1:02d}")
        job = Credit.Job.CAST if n % 2 else rng.choice([j for j in Credit.Job.values if j != Credit.Job.CAST])
        character = f"Henchman {n + 1}" if job == Credit.Job.CAST else ""
        Credit.objects.create(film=film, person=person, job=job, character=character, billing=200 + n)
    for n in range(FILM_REVIEWS - film.reviews.count()):
        Review.objects.create(
            film=film,
            author=review.author,
            title=f"Ballerina, seen again ({n + 1})",
            standfirst="Another look at the John Wick spin-off, scene by scene.",
            body=review.body,
            hero_image=review.hero_image.name,
            hero_alt=review.hero_alt,
            rating=review.rating,
            status=Review.Status.PUBLISHED,
            published_at=review.published_at - timedelta(days=n + 1),
        )


def main() -> None:
    quiet = {"verbosity": 0, "stdout": io.StringIO()}
    call_command("migrate", **quiet)
    call_command("collectstatic", "--noinput", **quiet)
    call_command("load_demo", "--allow-demo-logins", "--no-comments", **quiet)
    review = Review.objects.get(slug=REVIEW_SLUG)
    rng = random.Random(5)
    with transaction.atomic():
        add_comments(review, rng)
        fill_film(review, rng)
    if connection.vendor == "postgresql":  # as autovacuum leaves a live site: statistics, visibility map
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    client = Client()
    client.force_login(review.author)
    busiest = Person.objects.annotate(n=Count("credits")).order_by("-n", "name").first()
    print(
        json.dumps(
            {
                "review": review.get_absolute_url(),
                "home": "/",
                "film": review.film.get_absolute_url(),
                # The most credited person, the author of all 30 film reviews, the film's genre and franchise.
                "person": busiest.get_absolute_url(),
                "author": review.author.author_profile.get_absolute_url(),
                "genre": review.film.genres.order_by("name").first().get_absolute_url(),
                "franchise": review.film.franchise.get_absolute_url(),
                "archive": reverse("reviews:archive"),
                "search": reverse("reviews:search"),
                "feed": reverse("reviews:feed"),
                "session_cookie": f"sessionid={client.cookies['sessionid'].value}",
            }
        )
    )


if __name__ == "__main__":
    main()
