"""What the newsletter sends, when, and to whom; all of it run by the task worker's chores.

A review is news once: the chores find a review that went live (published now, or its scheduled time
come with nothing saved) and record one Mailing for it, unique per review, so no edit, republication or
second worker sends it again. Once a week (NEWSLETTER_WEEKLY_DAY, recorded in the database as the daily
chores are) a round-up mailing takes the reviews that went live since the last one. Each chore round
records the next batch of a mailing's emails in the outbox (reviews/outbox.py: sent by the worker's
mail thread, retried, sent twice only by a worker killed between the server's acceptance and its record
of it), within NEWSLETTER_RATE over every mailing together; the batch moves
the mailing's cursor in the transaction that records its emails, and the outbox's unique key per
mailing and address keeps a batch that two workers raced for to one email each. A review unpublished
before its emails are out stops its mailing: what is not yet recorded never is, what waits is deleted.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from comments.views import parse_rate
from reviews import jobs, outbox
from reviews.models import OutgoingEmail, Review
from reviews.renditions import recorded
from reviews.seo import absolute_url

from . import signup
from .models import Mailing, Subscriber

Kind = Mailing.Kind
KEY_PREFIX = "newsletter:"  # every mailing's emails in the outbox (what NEWSLETTER_RATE counts)
LEAVE = "NEWSLETTER-UNSUBSCRIBE-LINK"  # where each subscriber's own link goes in a batch's one rendering
SPOILER = re.compile(r"\|\|.*?\|\|", re.DOTALL)
EMAIL_IMAGE_WIDTH = 1200  # the widest rendition an email uses: twice its 600-pixel column


def run_chores() -> int:
    """The newsletter's share of the worker's chores; returns how many emails it recorded."""
    announce_new_reviews()
    weekly_if_due()
    stop_unpublished()
    if jobs.once_a_day("newsletter-forget"):
        signup.forget_unconfirmed()
    return send_batches()


# --- Mailings ---


def announce_new_reviews(now=None) -> list[Mailing]:
    """A mailing for each review that went live within NEWSLETTER_NEWS_HOURS and has none."""
    now = now or timezone.now()
    announced = Mailing.objects.exclude(review=None).values("review_id")
    fresh = Review.objects.published().filter(published_at__gte=now - timedelta(hours=settings.NEWSLETTER_NEWS_HOURS))
    started = []
    for review in fresh.exclude(pk__in=announced).select_related("film").order_by("published_at", "pk"):
        try:
            with transaction.atomic():
                key = f"{KEY_PREFIX}review:{review.pk}"
                started.append(
                    Mailing.objects.create(kind=Kind.REVIEW, review=review, key=key, subject=subject_of(review))
                )
        except IntegrityError:  # another worker started it first
            pass
    return started


def weekly_if_due() -> Mailing | None:
    """The week's round-up, once a week whatever the number of workers: the reviews that went live since
    the last one (a week, the first time). No reviews, no email."""
    now = timezone.now()
    with transaction.atomic():
        if not jobs.once_a_week("newsletter-weekly", settings.NEWSLETTER_WEEKLY_DAY):
            return None
        last = Mailing.objects.filter(kind=Kind.WEEKLY).order_by("-created_at").first()
        since = last.created_at if last else now - timedelta(days=7)
        reviews = Review.objects.published().filter(published_at__gt=since, published_at__lte=now)
        ids = list(reviews.order_by("published_at", "pk").values_list("pk", flat=True))
        if not ids:
            return None
        week = timezone.localdate(now)
        return Mailing.objects.create(
            kind=Kind.WEEKLY,
            week=week,
            review_ids=ids,
            key=f"{KEY_PREFIX}weekly:{week}",
            subject=f"{settings.SITE_NAME}: the week's {len(ids)} new review{'s' if len(ids) != 1 else ''}",
            created_at=now,
        )


def stop_unpublished() -> int:
    """Stop the mailings of reviews unpublished (or deleted) before their emails were out: the rest are
    never recorded, and those waiting in the outbox are deleted. Returns how many emails it deleted."""
    recent = timezone.now() - timedelta(days=7)  # longer than the outbox's retries of one email last
    gone = (
        Mailing.objects.filter(kind=Kind.REVIEW, stopped_at=None, created_at__gt=recent)
        .exclude(review__in=Review.objects.published())
        .values_list("pk", "key", "finished_at")
    )
    deleted = 0
    for pk, key, finished_at in gone:
        with transaction.atomic():
            waiting = OutgoingEmail.objects.filter(key=key, status=OutgoingEmail.Status.QUEUED).delete()[0]
            if waiting or finished_at is None:
                Mailing.objects.filter(pk=pk, stopped_at=None).update(stopped_at=timezone.now())
            deleted += waiting
    return deleted


# --- Batches ---


def budget(now=None) -> int:
    """How many newsletter emails may be recorded now: NEWSLETTER_RATE's count less those recorded within
    its span, at most NEWSLETTER_BATCH_SIZE a round."""
    count, seconds = parse_rate(settings.NEWSLETTER_RATE)
    since = (now or timezone.now()) - timedelta(seconds=seconds)
    recent = OutgoingEmail.objects.filter(key__startswith=KEY_PREFIX, created_at__gt=since).count()
    return max(0, min(count - recent, settings.NEWSLETTER_BATCH_SIZE))


def send_batches() -> int:
    """Record the next batch of each mailing under way, oldest first, while the rate allows."""
    total = 0
    for mailing_id in Mailing.objects.in_progress().order_by("created_at", "pk").values_list("pk", flat=True):
        if budget() <= 0:
            break
        total += record_batch(mailing_id)
    return total


def record_batch(mailing_id: int) -> int:
    """Record the emails of a mailing's next subscribers (in the order they joined), as many as the rate
    allows now, at most NEWSLETTER_BATCH_SIZE, and move its cursor past them in the same transaction;
    returns how many were recorded.

    The emails are made before the transaction (which on SQLite holds the write lock the outbox's mail
    threads wait for). In it, every worker first locks the mailings under way, in one order, so workers
    count the rate's budget one after another, each seeing what the one before recorded (SQLite's writers
    take turns by themselves). A worker that lost the race for the batch records nothing."""
    size = settings.NEWSLETTER_BATCH_SIZE
    mailing = Mailing.objects.select_related("review__film").get(pk=mailing_id)
    if mailing.finished_at or mailing.stopped_at:
        return 0
    reviews = _reviews_of(mailing)
    if not reviews:  # its review unpublished: stop_unpublished deals with it
        return 0
    frequency = Subscriber.Frequency.EACH if mailing.kind == Kind.REVIEW else Subscriber.Frequency.WEEKLY
    batch = list(Subscriber.objects.receiving(frequency).filter(pk__gt=mailing.cursor).order_by("pk")[:size])
    emails = []
    if batch:
        text, html = render(mailing, reviews)
        emails = [_email(mailing, subscriber, text, html) for subscriber in batch]
    with transaction.atomic():
        list(Mailing.objects.in_progress().select_for_update().order_by("pk").values_list("pk", flat=True))
        allowed = budget()
        taken = batch[:allowed]
        recorded_now = sum(outbox.send_later(**email) is not None for email in emails[:allowed])
        changes = {"queued": F("queued") + recorded_now}
        if taken:
            changes["cursor"] = taken[-1].pk
        if len(batch) < size and len(taken) == len(batch):  # nobody left after these
            changes["finished_at"] = timezone.now()
        held = Mailing.objects.filter(pk=mailing.pk, cursor=mailing.cursor, finished_at=None, stopped_at=None)
        if not held.update(**changes):
            transaction.set_rollback(True)  # another worker recorded this batch first, or it was stopped
            return 0
    return recorded_now


def _email(mailing: Mailing, subscriber: Subscriber, text: str, html: str) -> dict:
    """One subscriber's email, as outbox.send_later takes it: the batch's bodies with their own link out."""
    leave = signup.unsubscribe_link(subscriber, mailing)
    return {
        "key": mailing.key,
        "to": subscriber.email,
        "subject": mailing.subject,
        "body": text.replace(LEAVE, leave),
        "html_body": html.replace(LEAVE, leave),
        "headers": {"List-Unsubscribe": f"<{leave}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    }


def _reviews_of(mailing: Mailing) -> list[Review]:
    """The reviews a mailing tells about that are still public, in its order."""
    if mailing.kind == Kind.REVIEW:
        review = mailing.review
        return [review] if review is not None and review.is_public else []
    found = Review.objects.published().select_related("film").in_bulk(mailing.review_ids)
    return [found[pk] for pk in mailing.review_ids if pk in found]


# --- The email ---


def unspoiled(text: str) -> str:
    """Text with every ||hidden passage|| left out: an email never quotes a spoiler."""
    return SPOILER.sub("[spoiler hidden]", text).replace("||", "")


def subject_of(review: Review) -> str:
    film = f" ({review.film.title})" if review.film and review.film.title != review.title else ""
    return f"New review: {unspoiled(review.title)}{film}"


def stars(rating) -> str:
    if rating is None:
        return ""
    whole, half = int(rating), rating % 1 >= 0.5
    return "★" * whole + ("½" if half else "") + "☆" * (5 - whole - half)


def hero_url(review: Review) -> str:
    """The hero image as an email shows it: a rendition at most EMAIL_IMAGE_WIDTH wide (a JPEG or PNG,
    which every mail client shows), as a full address; the original while it has no renditions."""
    image = review.hero_image
    if not image:
        return ""
    url = image.url
    if renditions := recorded(image):
        fitting = [r for r in renditions.fallbacks() if r.width <= EMAIL_IMAGE_WIDTH]
        if fitting:
            url = image.storage.url(max(fitting, key=lambda r: r.width).name)
    return absolute_url(url)


def item(review: Review) -> dict:
    film = review.film
    return {
        "title": unspoiled(review.title),
        "film": f"{film.title} ({film.year_label})" if film else "",
        "stars": stars(review.rating),
        "rating": f"{review.rating.normalize():f} out of 5" if review.rating is not None else "",
        "standfirst": unspoiled(review.standfirst),
        "spoilers": review.contains_spoilers,
        "image": hero_url(review),
        "alt": unspoiled(review.hero_alt),
        "url": absolute_url(review.get_absolute_url()),
    }


def render(mailing: Mailing, reviews: list[Review]) -> tuple[str, str]:
    """The plain-text and HTML bodies, with LEAVE where each subscriber's unsubscribe link goes."""
    context = {
        "site_name": settings.SITE_NAME,
        "site_url": absolute_url("/"),
        "weekly": mailing.kind == Kind.WEEKLY,
        "items": [item(review) for review in reviews],
        "subject": mailing.subject,
        "unsubscribe": LEAVE,
    }
    return plain_text(context), render_to_string("newsletter/email.html", context)


def plain_text(context: dict) -> str:
    """The plain-text part (written here: the templates' engine escapes HTML)."""
    parts = [context["subject"], ""]
    for shown in context["items"]:
        lines = [shown["title"]]
        if shown["film"]:
            lines.append(f"Film: {shown['film']}")
        if shown["rating"]:
            lines.append(f"Rating: {shown['stars']} ({shown['rating']})")
        lines.append(shown["standfirst"])
        if shown["spoilers"]:
            lines.append("This review contains spoilers.")
        lines.append(f"Read on: {shown['url']}")
        parts += [*lines, ""]
    parts += [
        f"You get this email because you subscribed to {context['site_name']} ({context['site_url']}).",
        f"Unsubscribe with one click: {context['unsubscribe']}",
        "",
    ]
    return "\n".join(parts)
