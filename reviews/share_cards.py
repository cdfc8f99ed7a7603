"""Share cards stored ahead of time: the og:image of a review without a hero image, drawn by the task
worker when the review is published or changes what its card shows, never on a reader's request.

    review 42, "Grief with a gun" → cards/review-42-<digest of what the card shows>.jpg (1200 × 630, JPEG)

The row records the card's name (Review.share_card); pages compare it with the name the review would
have now, without asking the storage: while they differ (not drawn yet, drawing failed, the film's
poster changed since), the page points at the card drawn on request (reviews/views_share.py) instead.

When a card is needed the row says so, as renditions do: `share_card_due`. A save of a published review
whose card no longer shows it sets it a lease ahead (reviews/jobs.py) and, after the commit, enqueues
`make_share_card`, which claims the row on that due time. A change the review's save does not see (its
film renamed or given a new poster, its author's name, an update()) makes the card due at once
(`ReviewQuerySet.share_cards_due`), and the worker's chores (`make_due`) take what fell due: a lost task,
a killed worker's claim run out, those changes. Of any number of workers one draws a card. A card that
fails to draw is tried again with backoff and given up after SHARE_CARD_MAX_ATTEMPTS tries.

A new card replaces the old one, whose file is then deleted, as is the card of a deleted review.
"""

import hashlib
import json
import logging
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_save, pre_delete
from django.utils import timezone
from django_tasks import task
from PIL import Image

from . import artwork, jobs
from .jobs import enqueue_after_commit
from .models import Review
from .models.review import CARD_FIELDS

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


# --- Following the rows (connected in ReviewsConfig.ready) ---


def connect() -> None:
    post_save.connect(_saved, sender=Review, dispatch_uid="reviews.share_cards.saved")
    pre_delete.connect(_deleting, sender=Review, dispatch_uid="reviews.share_cards.deleting")


def _saved(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is None:
        # The card is on its way already (due, no failure yet: a task holds it, or the chores take it within a
        # round): it draws what the row shows when it records, so a save meanwhile needs no second task, and
        # an unchanged save changes nothing. Review.save read these from the row.
        on_its_way = instance.share_card_due is not None and instance.share_card_attempts == 0
        if not on_its_way:
            queue(instance)
    elif CARD_FIELDS & set(update_fields):
        queue(instance)


def queue(review) -> None:
    """A published review whose card does not show it: its card falls due a lease ahead (the task's claim)
    and, after the commit, its task is queued. A draft gets none (its page is not public, and publishing
    it makes one due). Through the plain manager: a card falling due changes no page."""
    if review.status != review.Status.PUBLISHED or review.share_card == name_for(review):
        return
    due = jobs.lease()
    Review._base_manager.filter(pk=review.pk).update(share_card_due=due, share_card_attempts=0)
    review.share_card_due, review.share_card_attempts = due, 0
    enqueue_after_commit(make_share_card, review.pk, due.isoformat())


def _deleting(sender, instance, **kwargs) -> None:
    # The row's name, not the instance's: the worker may have drawn a card since the instance was loaded.
    card = Review._base_manager.filter(pk=instance.pk).values_list("share_card", flat=True).first()
    if card:
        transaction.on_commit(partial(default_storage.delete, card))


# --- Drawing: the task and the worker's chores ---


@task()
def make_share_card(pk: int, due_at: str | None = None) -> str:
    """The task a save queues after its commit (arguments: the review, and when its card fell due then);
    "taken" when the chores claimed it meanwhile or a later save queued another; else as `make`."""
    held = datetime.fromisoformat(due_at) if due_at else None
    until = jobs.claim(Review._base_manager.filter(pk=pk), "share_card_due", held=held)
    return "taken" if until is None else make(pk, until)


def make_due(limit: int = 20) -> int:
    """The worker's chore: the cards whose time has come (a lost task, a killed worker's claim run out, a
    film renamed or given a new poster, a failed drawing's next try), each claimed first, so two workers
    never draw the same one. One indexed query finds them; at most `limit` a round, so other chores are
    not held up. Returns how many it drew."""
    rows = Review._base_manager.filter(share_card_due__lte=timezone.now()).order_by("share_card_due")
    made = 0
    for pk in list(rows.values_list("pk", flat=True)[:limit]):
        until = jobs.claim(Review._base_manager.filter(pk=pk), "share_card_due")
        if until is not None:  # else another worker has it
            made += make(pk, until) == "made"
    return made


def make(pk: int, until: datetime) -> str:
    """Draw and store the card of review `pk`, claimed until `until`, record its name on the row (through
    the QuerySet's update(), so the page's stamps move and it names the new card), then delete the card it
    replaces. Returns "made", "done" (the row names this card already), "gone" (deleted or a draft),
    "failed" (tried again later, or given up) or "replaced" (the row changed meanwhile: a save queued the
    next card, or the claim ran out and another worker took it)."""
    review = Review.objects.for_list().filter(pk=pk).first()
    mine = Review._base_manager.filter(pk=pk, share_card_due=until)  # while the claim is still this worker's
    if review is None:
        return "gone"
    if review.status != Review.Status.PUBLISHED:
        mine.update(share_card_due=None)
        return "gone"
    name, old = name_for(review), review.share_card
    if old == name:
        mine.update(share_card_due=None, share_card_attempts=0)
        return "done"
    try:
        saved = default_storage.save(name, ContentFile(draw(review)))
    except Exception:
        return _failed(review, mine)
    if saved != name:  # drawn already (another worker, a task run twice): the same picture, keep one
        default_storage.delete(saved)
    # Recorded only while the claim is this worker's and the row still shows what was drawn: a change
    # meanwhile (a save, a film renamed) leaves the card due, to be drawn again by the chores' next round.
    drawn_from = {"title": review.title, "rating": review.rating, "film": review.film_id, "author": review.author_id}
    recorded = Review.objects.filter(pk=pk, share_card=old, share_card_due=until, status=review.status, **drawn_from)
    if not recorded.update(share_card=name, share_card_due=None, share_card_attempts=0):
        mine.update(share_card_due=timezone.now())
        return "replaced"
    if old:
        default_storage.delete(old)
    return "made"


def _failed(review, mine) -> str:
    """Push the card's due time back (1, 2, 4 … minutes, at most an hour), or give it up after
    SHARE_CARD_MAX_ATTEMPTS tries; the page keeps the card drawn on request meanwhile."""
    attempts = review.share_card_attempts + 1
    when = jobs.next_try(attempts, most_tries=settings.SHARE_CARD_MAX_ATTEMPTS)
    mine.update(share_card_due=when, share_card_attempts=attempts)
    if when is None:
        logger.error("Gave up drawing the share card of review %s after %s tries", review.pk, attempts, exc_info=True)
    else:
        logger.warning("Could not draw the share card of review %s (try %s)", review.pk, attempts, exc_info=True)
    return "failed"
