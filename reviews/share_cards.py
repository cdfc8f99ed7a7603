"""Share cards stored ahead of time: the og:image of a review without a hero image, drawn by the task
worker when the review is published or changes what its card shows, never on a reader's request.

    review 42, "Grief with a gun" → cards/review-42-<digest of what the card shows>.jpg (1200 × 630, JPEG)

The row records the card's name (Review.share_card); pages compare it with the name the review would
have now, without asking the storage: while they differ (not drawn yet, drawing failed, the film's
poster changed since), the page points at the card drawn on request (reviews/views_share.py) instead.
A new card replaces the old one, whose file is then deleted, as is the card of a deleted review. The
worker's chores (`make_missing`) draw what no task did: a lost task, a film renamed or given a new poster.
"""

import hashlib
import json
import logging

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tasks import task
from PIL import Image

from . import artwork
from .jobs import enqueue_after_commit

FOLDER = "cards/"
logger = logging.getLogger(__name__)


def name_for(review) -> str:
    """The card's name in storage for what `review` shows now: a new title, film, rating, author or poster
    is a new name. Reads the review's film and author (loaded with it on every page that asks)."""
    shows = json.dumps(review.share_card_shows(), sort_keys=True, default=str)
    return f"{FOLDER}review-{review.pk}-{hashlib.sha256(shows.encode()).hexdigest()[:12]}.jpg"


def stored_url(review) -> str:
    """The stored card's URL when the row records the card of what the review shows now; else "". No
    storage call: the name is the row's, the URL is made from it."""
    return default_storage.url(review.share_card) if review.share_card and review.share_card == name_for(review) else ""


def draw(review) -> bytes:
    """The card of `review`, as JPEG bytes: the poster (when it can be read) beside the words and stars."""
    shows = review.share_card_shows()
    poster = None
    if review.film and review.film.poster:
        try:
            with review.film.poster.open("rb") as file:
                poster = Image.open(file)
                poster.load()
        except (OSError, ValueError):
            poster = None
    return artwork.share_card(
        kicker=shows["kicker"],
        title=shows["title"],
        subtitle=shows["subtitle"],
        rating=shows["rating"],
        byline=shows["byline"],
        poster=poster,
        site=settings.SITE_NAME,
    )


def queue(review) -> None:
    """After the commit, queue the drawing of a published review's card if what it shows changed; a
    draft gets none (its page is not public, and publishing it queues one)."""
    if review.status == review.Status.PUBLISHED and review.share_card != name_for(review):
        enqueue_after_commit(make_share_card, review.pk)


@task()
def make_share_card(pk: int) -> str:
    """Draw and store the card of review `pk`, record its name on the row (through the QuerySet's update(),
    so the page's stamps move and it names the new card), then delete the card it replaces. Returns
    "made", "done" (the row names this card already), "gone" (deleted or a draft) or "replaced" (the row
    changed meanwhile: its own task draws the next one)."""
    Review = apps.get_model("reviews", "Review")
    review = Review.objects.for_list().filter(pk=pk, status=Review.Status.PUBLISHED).first()
    if review is None:
        return "gone"
    name, old = name_for(review), review.share_card
    if old == name:
        return "done"
    saved = default_storage.save(name, ContentFile(draw(review)))
    if saved != name:  # drawn already (another worker, a task run twice): the same picture, keep one
        default_storage.delete(saved)
    if not Review.objects.filter(pk=pk, share_card=old).update(share_card=name):
        return "replaced"
    if old:
        default_storage.delete(old)
    return "made"


def make_missing(limit: int = 20) -> int:
    """The worker's chore: draw the cards published reviews lack for what they show now (a task lost, a
    film renamed or given a new poster, a row written by update()). One query reads them all; at most
    `limit` drawings a round, so other chores are not held up. Returns how many it drew."""
    Review = apps.get_model("reviews", "Review")
    made = 0
    for review in Review.objects.filter(status=Review.Status.PUBLISHED).for_list().iterator():
        if review.share_card != name_for(review):
            try:
                made += make_share_card.call(review.pk) == "made"
            except Exception:  # one card that can't be drawn must not hold up the others
                logger.warning("Could not draw the share card of review %s", review.pk, exc_info=True)
            if made >= limit:
                break
    return made


def delete(name: str) -> None:
    """Delete a card no row names any more (after its review was deleted)."""
    if name:
        default_storage.delete(name)
