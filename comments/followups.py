"""Reader follow-ups and the moderators' digest.

A reader may ask, on the comment form, for replies to their comment or for every new comment on the
review. Nothing is sent until they confirm their address with the button on the page the link of one
email opens (double opt-in; opening the link changes nothing, as mail scanners open every link);
then every comment published afterwards (by a moderator, by trust, or a staff reply) is news to them,
once, unless they wrote it. Each email has a signed one-click unsubscribe link, also in the
List-Unsubscribe headers (RFC 8058), whose POST needs nothing else. Every email is recorded in the
outbox (reviews/outbox.py) in the transaction that marks what it tells about as told, so neither happens
without the other; the task worker sends it, tries again when the mail server fails, and never twice.
Each task here sits below the function it runs.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django_tasks import task

from reviews import jobs, outbox
from reviews.jobs import enqueue_after_commit
from reviews.seo import absolute_url

from . import privacy
from .models import Comment, CommentEvent, ModeratorPreference, SentEmail, Subscription

logger = logging.getLogger(__name__)
Kind = Subscription.Kind

CONFIRM_SALT = "comments.follow.confirm"
UNSUBSCRIBE_SALT = "comments.follow.unsubscribe"
CONFIRM_DAYS = privacy.CONFIRM_DAYS


# --- Subscribing ---


def subscribe(comment: Comment, *, replies: bool, everything: bool) -> list[Subscription]:
    """Record what the reader asked for with their comment (in the transaction that stores it). Nothing
    is mailed yet: see `ask_to_confirm`."""
    email = comment.author_email.strip().lower()
    if not email:
        return []
    wanted = ([(Kind.REPLIES, comment)] if replies else []) + ([(Kind.ALL, None)] if everything else [])
    subscriptions = []
    for kind, parent in wanted:
        subscription, created = Subscription.objects.select_related("comment").get_or_create(
            email=email, review=comment.review, kind=kind, parent=parent, defaults={"comment": comment}
        )
        asker = subscription.comment
        if not created and subscription.confirmed_at is None and (asker is None or asker.status == Comment.Status.SPAM):
            # A spam comment typed this address first: the reader's own comment asks now.
            subscription.comment = comment
            subscription.save(update_fields=["comment"])
        subscriptions.append(subscription)
    return subscriptions


def ask_to_confirm(comment: Comment) -> None:
    """Queue the confirmation email of what the reader asked for with this comment, now that it is not
    spam: screened and held for a moderator or published, or approved by a moderator. An address typed
    into a comment filed as spam (by a rule, a bot sign or Akismet) is mailed nothing unless a moderator
    rescues the comment."""
    waiting = Subscription.objects.filter(comment=comment, confirmed_at=None, confirmation_sent_at=None)
    if ids := list(waiting.values_list("pk", flat=True)):
        enqueue_after_commit(confirm_subscriptions, ids)


def confirm_link(subscriptions) -> str:
    signed = signing.dumps([s.token for s in subscriptions], salt=CONFIRM_SALT, compress=True)
    return absolute_url(reverse("comments:follow_confirm", args=[signed]))


def unsubscribe_link(subscription: Subscription) -> str:
    signed = signing.dumps(subscription.token, salt=UNSUBSCRIBE_SALT)
    return absolute_url(reverse("comments:unsubscribe", args=[signed]))


def send_confirmation(subscription_ids: list[int]) -> bool:
    """The double opt-in email: one link confirms everything the reader ticked with one comment. Not
    sent while an earlier one for the same address and review waits to be used (its link confirms these
    too), nor past the address's daily cap. True when it was recorded in the outbox."""
    with transaction.atomic():
        return _record_confirmation(subscription_ids)


@task()
def confirm_subscriptions(subscription_ids: list[int]) -> bool:
    """The double opt-in email of a reader's follow-ups."""
    return send_confirmation(subscription_ids)


def _record_confirmation(subscription_ids: list[int]) -> bool:
    subscriptions = _unsent(subscription_ids)
    if not subscriptions or _awaiting_confirmation(subscriptions[0]).exclude(pk__in=subscription_ids).exists():
        return False
    subscriptions = [s for s in subscriptions if _claim_confirmation(s)]
    if not subscriptions:
        return False
    review = subscriptions[0].review
    asked = "\n".join(f"- {s.get_kind_display().lower()}" for s in subscriptions)
    body = (
        f"Hello,\n\nsomeone (we hope you) asked {settings.SITE_NAME} to email this address about "
        f"the comments on “{review.title}”:\n{asked}\n\n"
        f"To start, open this link within {CONFIRM_DAYS} days and press the button there:\n"
        f"{confirm_link(subscriptions)}\n\n"
        f"If it was not you, ignore this email: without the button nothing is ever sent.\n\n— {settings.SITE_NAME}\n"
    )
    subject = f"Confirm: emails about comments on “{review.title}”"
    key = "follow-confirm:" + ",".join(str(s.pk) for s in subscriptions)
    if not send_capped(key=key, to=subscriptions[0].email, subject=subject, body=body):
        # Over the cap: a later request may ask again.
        Subscription.objects.filter(pk__in=[s.pk for s in subscriptions]).update(confirmation_sent_at=None)
        return False
    return True


def _awaiting_confirmation(subscription: Subscription):
    """This address's requests on this review whose confirmation email went out and may still be used."""
    since = timezone.now() - timedelta(days=CONFIRM_DAYS)
    return Subscription.objects.filter(
        email=subscription.email, review=subscription.review_id, confirmed_at=None, confirmation_sent_at__gt=since
    )


def _unsent(subscription_ids: list[int]) -> list[Subscription]:
    """Of these, the ones still waiting for their confirmation email, unless the comment that asked for
    them has been filed as spam since it was queued."""
    waiting = Subscription.objects.filter(pk__in=subscription_ids, confirmed_at=None, confirmation_sent_at=None)
    return list(waiting.exclude(comment__status=Comment.Status.SPAM).select_related("review"))


def _claim_confirmation(subscription: Subscription) -> bool:
    """Mark one subscription's confirmation as sent, unless another task did first (never two emails)."""
    subscription.confirmation_sent_at = timezone.now()
    unclaimed = Subscription.objects.filter(pk=subscription.pk, confirmation_sent_at=None)
    return bool(unclaimed.update(confirmation_sent_at=subscription.confirmation_sent_at))


def _confirming(signed: str):
    """What a confirmation link confirms: the subscriptions it names, and what the same address asked for
    on the same review while it waited (no second email was sent for those), unless asked by spam.
    None when the link is not ours or too old."""
    try:
        tokens = signing.loads(signed, salt=CONFIRM_SALT, max_age=CONFIRM_DAYS * 86400)
    except signing.BadSignature:
        return None
    named = list(Subscription.objects.filter(token__in=tokens).values_list("pk", "email", "review"))
    if not named:  # unsubscribed since
        return Subscription.objects.none()
    same_request = Q()
    for _, email, review in named:
        same_request |= Q(email=email, review=review)
    asked_since = same_request & Q(confirmed_at=None) & ~Q(comment__status=Comment.Status.SPAM)
    return Subscription.objects.filter(Q(pk__in=[pk for pk, *_ in named]) | asked_since)


def to_confirm(signed: str) -> list[Subscription] | None:
    """What a confirmation link would confirm, changing nothing (the page the link opens)."""
    subscriptions = _confirming(signed)
    return None if subscriptions is None else list(subscriptions.select_related("review"))


def confirm(signed: str) -> list[Subscription] | None:
    """Confirm the subscriptions of a link (the button on its page); None when the link is not ours or too old."""
    subscriptions = _confirming(signed)
    if subscriptions is None:
        return None
    subscriptions.filter(confirmed_at=None).update(confirmed_at=timezone.now())
    return list(subscriptions.select_related("review"))


def unsubscribe(signed: str) -> tuple[bool, Subscription | None]:
    """(link valid?, the subscription if it still exists); see `end`."""
    try:
        token = signing.loads(signed, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return False, None
    return True, Subscription.objects.select_related("review").filter(token=token).first()


def end(subscription: Subscription) -> None:
    subscription.delete()


# --- Telling followers ---


def announce(comment: Comment) -> None:
    """Queue the followers' emails about a comment that was just published (after commit; once)."""
    if comment.kind == Comment.Kind.COMMENT and comment.followers_notified_at is None:
        enqueue_after_commit(tell_followers, comment.pk)


def notify_followers(comment_id: int) -> int:
    """Email every confirmed follower a published comment is news to, once: the emails are recorded in
    the transaction that marks the comment announced. Returns how many were recorded."""
    with transaction.atomic():
        taken = Comment.objects.filter(
            pk=comment_id, status=Comment.Status.APPROVED, kind=Comment.Kind.COMMENT, followers_notified_at=None
        ).update(followers_notified_at=timezone.now())
        if not taken:  # unpublished again meanwhile, or already announced
            return 0
        comment = Comment.objects.select_related("review", "parent").get(pk=comment_id)
        chosen: dict[str, Subscription] = {}
        # One email per address: "a reply to your comment" says more than "a new comment".
        for subscription in sorted(Subscription.objects.for_comment(comment), key=lambda s: s.kind != Kind.REPLIES):
            chosen.setdefault(subscription.email.lower(), subscription)
        return sum(send_capped(**notification(comment, subscription)) for subscription in chosen.values())


@task()
def tell_followers(comment_id: int) -> int:
    return notify_followers(comment_id)


def send_capped(*, to: str, **email) -> bool:
    """Record an email to a reader's address in the outbox (`outbox.send_later`'s arguments) if the
    address's daily cap still allows it (FOLLOWUP_EMAILS_PER_ADDRESS_PER_DAY, counted in SentEmail when
    recorded); False when the cap is met. An event already recorded for the address counts as recorded,
    once. Every email to a reader goes through here, so the cap holds whatever comments and subscriptions
    name the address."""
    if (counted := SentEmail.objects.reserve(to)) is None:
        logger.warning(
            "An address had its %s emails today; not sending it more", settings.FOLLOWUP_EMAILS_PER_ADDRESS_PER_DAY
        )
        return False
    if outbox.send_later(to=to, **email) is None:
        counted.delete()  # the same email as before: counted then
    return True


def notification(comment: Comment, subscription: Subscription) -> dict:
    """The email telling one follower about a published comment, as `send_capped` takes it."""
    review, leave = comment.review, unsubscribe_link(subscription)
    if subscription.kind == Kind.REPLIES:
        subject = f"{comment.author_name} replied to your comment on “{review.title}”"
        opening = f"{comment.author_name} replied to your comment on “{review.title}”:"
    else:
        subject = f"New comment on “{review.title}”"
        opening = f"{comment.author_name} commented on “{review.title}”:"
    body = (
        f"{opening}\n\n{Truncator(comment.body).chars(1000)}\n\n"
        f"Read it and answer: {absolute_url(comment.get_absolute_url())}\n\n"
        f"You asked for these emails ({subscription.get_kind_display().lower()}). "
        f"Stop them with one click: {leave}\n\n— {settings.SITE_NAME}\n"
    )
    headers = {"List-Unsubscribe": f"<{leave}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return {
        "key": f"comment-followers:{comment.pk}",
        "to": subscription.email,
        "subject": subject,
        "body": body,
        "headers": headers,
        "about": comment,
    }


# --- The moderators' digest ---


def moderator_emails(*, digest: bool = False) -> list[str]:
    """Moderators (and superusers) with an email: those who want one email per waiting comment, or
    (`digest`) those who chose one daily digest instead."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.filter(Q(groups__name="Moderators") | Q(is_superuser=True))
    chose_digest = ModeratorPreference.objects.filter(daily_digest=True).values("user")
    users = users.filter(pk__in=chose_digest) if digest else users.exclude(pk__in=chose_digest)
    return sorted(set(users.values_list("email", flat=True)))


DIGEST_LIMIT = 50


def send_digest() -> int:
    """Once a day (the worker's chores): what waits for a moderator, to those who chose a digest.
    Nothing is sent when nothing waits. Returns how many moderators were emailed."""
    recipients = moderator_emails(digest=True)
    waiting = Comment.objects.pending().filter(kind=Comment.Kind.COMMENT).select_related("review")
    count = waiting.count() if recipients else 0
    if not count:
        return 0
    lines = []
    for comment in waiting.order_by("created_at", "id")[:DIGEST_LIMIT]:
        why = "; ".join(comment.why_held()) or "every comment waits for a moderator"
        change_url = absolute_url(reverse("admin:comments_comment_change", args=[comment.pk]))
        when = timezone.localtime(comment.created_at)
        lines.append(
            f"- {comment.author_name} on “{comment.review.title}”, {when:%-d %b %H:%M} ({why})"
            f"\n  {Truncator(comment.body).chars(200)}\n  {change_url}"
        )
    more = f"\n… and {count - DIGEST_LIMIT} more.\n" if count > DIGEST_LIMIT else ""
    body = (
        f"{count} comment{'s' if count != 1 else ''} waiting for a moderator:\n\n"
        + "\n\n".join(lines)
        + f"\n{more}\nThe desk: {absolute_url(reverse('admin:comments_comment_desk'))}\n\n"
        "You get this digest once a day instead of an email per comment; change that on the desk.\n"
    )
    subject = f"[{settings.SITE_NAME}] {count} comment{'s' if count != 1 else ''} awaiting moderation"
    key = f"digest:{timezone.localdate()}"  # one a day, however often it is asked for
    with transaction.atomic():
        recorded = [outbox.send_later(key=key, to=to, subject=subject, body=body) for to in recipients]
    return sum(email is not None for email in recorded)


@task()
def mail_digest() -> int:
    return send_digest()


def digest_if_due() -> bool:
    """Queue the moderators' digest if nobody has today: once a day, recorded in the database, however
    many workers run and however often they restart."""
    return jobs.enqueue_once_a_day("comments-digest", mail_digest)


def notify_moderators(comment: Comment) -> None:
    """Email the moderators about a comment that waits for them, with a link straight to it (those who
    chose a daily digest hear about it there: `followups.send_digest`)."""
    recipients = moderator_emails()
    if not recipients:
        return
    review = comment.review
    why = "; ".join(comment.why_held()) or "every comment waits for a moderator"
    change_url = absolute_url(reverse("admin:comments_comment_change", args=[comment.pk]))
    body = (
        f"{comment.author_name} <{comment.author_email}> commented on “{review.title}”.\n\n"
        f"{Truncator(comment.body).chars(600)}\n\n"
        f"Held because: {why}\n\n"
        f"Approve, mark as spam or trash it: {change_url}\n"
        f"All comments waiting: {absolute_url(reverse('admin:comments_comment_desk'))}\n"
    )
    subject = f"[{settings.SITE_NAME}] Comment awaiting moderation: “{review.title}”"
    with transaction.atomic():
        for to in recipients:
            outbox.send_later(key=f"comment-held:{comment.pk}", to=to, subject=subject, body=body, about=comment)


def notify_author(comment: Comment) -> None:
    """Tell the reader, once, that their comment is on the site (they opted in on the form)."""
    if comment.notified_at or not comment.notify_on_approval or comment.status != Comment.Status.APPROVED:
        return
    if not comment.author_email:
        return
    link = absolute_url(comment.get_absolute_url())
    body = (
        f"Hello {comment.author_name},\n\nyour comment on “{comment.review.title}” is now published:\n{link}\n\n"
        f"You asked to be told once; you will get no other email about it.\n\n— {settings.SITE_NAME}\n"
    )
    subject = f"Your comment on “{comment.review.title}” is published"
    now = timezone.now()
    with transaction.atomic():
        # Taken in the transaction that records the email, so its task and the chores' catch-up never both do.
        if not Comment.objects.filter(pk=comment.pk, notified_at=None).update(notified_at=now):
            return
        key = f"comment-published:{comment.pk}"
        if not send_capped(key=key, to=comment.author_email, subject=subject, body=body, about=comment):
            # Given back: the chores try again while it is recent (send_overdue), within the cap.
            Comment.objects.filter(pk=comment.pk).update(notified_at=None)
            return
        comment.notified_at = now
        comment.log(CommentEvent.Kind.NOTIFIED)


@task()
def tell_author(comment_id: int) -> None:
    comment = Comment.objects.select_related("review").filter(pk=comment_id).first()
    if comment is not None:
        notify_author(comment)


OVERDUE_WINDOW = timedelta(days=1)


def send_overdue() -> int:
    """The chores' share: emails about comments published a grace period to a day ago whose task never
    ran (the queue failed after the commit). Returns how many comments it took up. Only publications
    in the history count, so imported or long-published comments are never news."""
    now = timezone.now()
    published = CommentEvent.objects.filter(
        comment=OuterRef("pk"),
        kind__in=[CommentEvent.Kind.APPROVED, CommentEvent.Kind.STAFF_REPLY],
        created_at__range=(now - OVERDUE_WINDOW, now - timedelta(seconds=settings.COMMENT_CHECK_GRACE_SECONDS)),
    )
    waiting = Q(followers_notified_at=None) | Q(notify_on_approval=True, notified_at=None)
    overdue = list(Comment.objects.public().filter(waiting, Exists(published)).select_related("review")[:100])
    for comment in overdue:
        notify_followers(comment.pk)  # each takes its comment first: never sent twice
        notify_author(comment)
    return len(overdue)
