"""Background work of the comments app, as django-tasks tasks (arguments are primary keys).

`manage.py run_worker` runs them (the database backend, the default), off every web request, and
every COMMENT_CHORES_SECONDS it also runs `run_chores`: re-checks that fell due, first checks that never
finished, reports to Akismet, emails about a published comment whose task was lost, the daily purge,
the moderators' daily digest, and the outbox's emails that fell due (retries after a failed try).
With the immediate backend (the tests) a task runs inline, after the request's transaction commits.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

from reviews import outbox

from .models import Comment


@task()
def check_comment(comment_id: int, due_at: str | None = None) -> str | None:
    """The first Akismet check of a new comment (`due_at`: see `moderation.first_check`)."""
    from . import moderation

    return moderation.first_check(comment_id, datetime.fromisoformat(due_at) if due_at else None)


@task()
def screen_neighbours(comment_id: int) -> int:
    """The waiting comments a burst or copy in a new comment tells on, screened again."""
    from . import moderation

    return moderation.screen_neighbours(comment_id)


@task()
def recheck_comment(comment_id: int) -> str | None:
    """A re-check at its backoff time (database backend); does nothing if it is not due any more."""
    from . import moderation

    return moderation.recheck(comment_id)


@task()
def report_to_akismet(comment_id: int) -> bool | None:
    from . import akismet_reports

    return akismet_reports.report(comment_id)


@task()
def notify_author(comment_id: int) -> None:
    from . import followups

    comment = Comment.objects.select_related("review").filter(pk=comment_id).first()
    if comment is not None:
        followups.notify_author(comment)


@task()
def confirm_subscriptions(subscription_ids: list[int]) -> bool:
    """The double opt-in email of a reader's follow-ups (comments/followups.py)."""
    from . import followups

    return followups.send_confirmation(subscription_ids)


@task()
def notify_followers(comment_id: int) -> int:
    from . import followups

    return followups.notify_followers(comment_id)


@task()
def send_digest() -> int:
    from . import followups

    return followups.send_digest()


def digest_if_due() -> None:
    """The moderators' digest, at most once a day (as the purge)."""
    from django.core.cache import cache

    if cache.add("comments:digest-today", True, timeout=24 * 3600):
        send_digest.enqueue()


@task()
def purge() -> dict[str, int]:
    from . import privacy

    return privacy.purge()


def purge_if_due() -> None:
    """Run the daily purge at most once a day, without needing cron (the cache remembers the last run)."""
    from django.core.cache import cache

    if cache.add("comments:purged-today", True, timeout=24 * 3600):
        purge.enqueue()


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 … minutes after each failed try, never more than an hour."""
    return timedelta(minutes=min(2**attempts, 60))


def claim_until():
    """When a worker's claim on a comment (a check or a report in flight) runs out, so a killed worker
    never leaves it stuck: after that the chores take it again."""
    return timezone.now() + timedelta(seconds=settings.COMMENT_CHECK_GRACE_SECONDS)


def run_chores() -> int:
    """The task worker's periodic round; returns how many comments it checked."""
    from . import followups, moderation

    checked = moderation.run_due_checks()
    followups.send_overdue()  # emails whose task was lost
    purge_if_due()
    digest_if_due()
    outbox.deliver_due()  # retries, and emails left to the chores while the mail server fails
    return checked


def _defer(task_, run_after, *args) -> None:
    if default_task_backend.supports_defer:
        task_.using(run_after=run_after).enqueue(*args)


def schedule_recheck(comment: Comment) -> None:
    _defer(recheck_comment, comment.next_check_at, comment.pk)


def schedule_report(comment: Comment) -> None:
    _defer(report_to_akismet, comment.next_report_at, comment.pk)
