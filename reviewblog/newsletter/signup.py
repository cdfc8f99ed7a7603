"""Joining and leaving the newsletter, and what it keeps about a reader.

A sign-up changes nothing a stranger could notice: whatever the address's state, the form answers the
same and the address gets a confirmation email (within the comments' daily cap per address), whose link
opens a page with a button (mail scanners open links and must subscribe nobody). The link carries the
frequency asked for, so a stranger typing a subscriber's address changes nothing without its owner.
Every newsletter email carries a signed one-click unsubscribe link, also in List-Unsubscribe (RFC 8058);
leaving deletes the address. A bounce or complaint stops it (`stop`, the `newsletter_bounce` command).
"""

import time
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from comments.followups import send_capped
from reviews.models import OutgoingEmail
from reviews.seo import absolute_url

from .models import Mailing, Subscriber

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"
CONFIRM_DAYS = 7  # how long a confirmation link works; unconfirmed sign-ups are forgotten after this
Status = Subscriber.Status


def subscribe(email: str, frequency: str) -> Subscriber:
    """Record a sign-up and email its confirmation link (after commit, through the outbox)."""
    email = email.strip().lower()
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.get_or_create(email=email)
        if subscriber.status == Status.STOPPED and subscriber.stop_reason == "complaint":
            # Its owner marked our email as spam: a sign-up typed by anyone mails them nothing more (the
            # form answers as always, so nobody learns it); to come back they write to the site.
            return subscriber
        if subscriber.status == Status.PENDING:
            Subscriber.objects.filter(pk=subscriber.pk).update(asked_at=timezone.now())
        link = confirm_link(subscriber, frequency)
        body = (
            f"Hello,\n\nsomeone (we hope you) asked {settings.SITE_NAME} to email this address "
            f"{Subscriber.Frequency(frequency).label.lower()}.\n\n"
            f"To start, open this link within {CONFIRM_DAYS} days and press the button there:\n{link}\n\n"
            "If it was not you, ignore this email: without the button nothing is ever sent, "
            f"and the address is forgotten in {CONFIRM_DAYS} days.\n\n— {settings.SITE_NAME}\n"
        )
        send_capped(
            key=f"newsletter-confirm:{subscriber.pk}:{time.time_ns()}",  # each sign-up is its own event
            to=email,
            subject=f"Confirm: the {settings.SITE_NAME} newsletter",
            body=body,
        )
    return subscriber


def confirm_link(subscriber: Subscriber, frequency: str) -> str:
    signed = signing.dumps({"t": subscriber.token, "f": frequency}, salt=CONFIRM_SALT)
    return absolute_url(reverse("newsletter:confirm", args=[signed]))


def to_confirm(signed: str) -> tuple[Subscriber, str] | None:
    """(subscriber, frequency) a confirmation link names, changing nothing; None when the link is not
    ours, too old, or its sign-up was forgotten or left since."""
    try:
        data = signing.loads(signed, salt=CONFIRM_SALT, max_age=CONFIRM_DAYS * 86400)
    except signing.BadSignature:
        return None
    subscriber = Subscriber.objects.filter(token=data["t"]).first()
    if subscriber is None or data["f"] not in Subscriber.Frequency.values:
        return None
    return subscriber, data["f"]


def confirm(signed: str) -> Subscriber | None:
    """Start (or change to) the frequency of a confirmation link: the button on its page."""
    if (named := to_confirm(signed)) is None:
        return None
    subscriber, frequency = named
    subscriber.frequency, subscriber.status = frequency, Status.ACTIVE
    subscriber.stopped_at, subscriber.stop_reason = None, ""
    subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
    subscriber.save(update_fields=["frequency", "status", "confirmed_at", "stopped_at", "stop_reason"])
    return subscriber


def unsubscribe_link(subscriber: Subscriber, mailing: Mailing | None = None) -> str:
    signed = signing.dumps({"t": subscriber.token, "m": mailing.pk if mailing else None}, salt=UNSUBSCRIBE_SALT)
    return absolute_url(reverse("newsletter:unsubscribe", args=[signed]))


def leaving(signed: str) -> tuple[bool, Subscriber | None, int | None]:
    """(link valid?, the subscriber if still subscribed, the mailing whose email carried it)."""
    try:
        data = signing.loads(signed, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return False, None, None
    return True, Subscriber.objects.filter(token=data["t"]).first(), data.get("m")


def leave(signed: str) -> bool:
    """End a subscription by its unsubscribe link: the address is deleted, and the mailing whose email
    carried the link counts one more leaver. False when the link is not ours."""
    valid, subscriber, mailing_id = leaving(signed)
    if subscriber is not None:
        with transaction.atomic():
            if Subscriber.objects.filter(pk=subscriber.pk).delete()[0] and mailing_id:
                Mailing.objects.filter(pk=mailing_id).update(unsubscribed=F("unsubscribed") + 1)
            recall(subscriber.email)
    return valid


def recall(email: str) -> int:
    """Delete the newsletter emails still waiting in the outbox for an address that left, bounced or
    complained: one-click unsubscribe means no more email, not the rest of a batch or a retry hours later."""
    waiting = OutgoingEmail.objects.filter(to=email, status=OutgoingEmail.Status.QUEUED)
    return waiting.filter(key__in=Mailing.objects.values("key")).delete()[0]


def stop(email: str, reason: str) -> int:
    """A bounce or a complaint from the mail system: nothing more is sent to the address (it may sign up
    and confirm again). Returns how many subscribers it stopped (0 or 1)."""
    email = email.strip().lower()
    with transaction.atomic():
        stopped = (
            Subscriber.objects.filter(email=email)
            .exclude(status=Status.STOPPED)
            .update(status=Status.STOPPED, stopped_at=timezone.now(), stop_reason=reason[:200])
        )
        recall(email)
    return stopped


def forget_unconfirmed(now=None) -> int:
    """Delete sign-ups nobody confirmed within CONFIRM_DAYS (the address was perhaps not theirs)."""
    cutoff = (now or timezone.now()) - timedelta(days=CONFIRM_DAYS)
    return Subscriber.objects.filter(status=Status.PENDING, asked_at__lt=cutoff).delete()[0]


# --- A reader's data (comments/privacy.py's export and erase take these along) ---


def export(email: str) -> list[dict]:
    return [
        {
            "email": subscriber.email,
            "frequency": subscriber.get_frequency_display(),
            "status": subscriber.get_status_display(),
            "asked_at": subscriber.asked_at.isoformat(),
            "confirmed_at": subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else None,
            "stopped_at": subscriber.stopped_at.isoformat() if subscriber.stopped_at else None,
            "stop_reason": subscriber.stop_reason,
        }
        for subscriber in Subscriber.objects.filter(email=email.strip().lower())
    ]


def erase(email: str) -> int:
    return Subscriber.objects.filter(email=email.strip().lower()).delete()[0]


def held_about(email: str) -> int:
    return Subscriber.objects.filter(email=email.strip().lower()).count()
