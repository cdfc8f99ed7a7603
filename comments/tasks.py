"""Background work of the comments app, as django-tasks tasks (arguments are primary keys).

With the default immediate backend a task runs inline, after the request's transaction commits;
with the database backend (`TASKS_BACKEND=database`) `manage.py db_worker` runs them, and failed
checks are scheduled again for their backoff time. Either way `moderation.run_due_checks` also
picks up whatever is due when a comment arrives or a moderator opens the queue.
"""

from django_tasks import default_task_backend, task

from .models import Comment


@task()
def check_comment(comment_id: int) -> str | None:
    """The first Akismet check of a new comment."""
    from . import moderation

    comment = Comment.objects.select_related("review").filter(pk=comment_id, status=Comment.Status.PENDING).first()
    if comment is None or comment.verdict != Comment.Verdict.UNCHECKED:
        return None
    verdict = moderation.screen(comment)
    # With no worker (the immediate backend) this is a chance to catch up, but the reader is waiting:
    # one overdue item at most; the moderators' queue takes care of the rest.
    moderation.run_due_checks(limit=1)
    purge_if_due()
    return verdict


@task()
def recheck_comment(comment_id: int) -> str | None:
    """A re-check at its backoff time (database backend); does nothing if it is not due any more."""
    from . import moderation

    return moderation.recheck(comment_id)


@task()
def report_to_akismet(comment_id: int) -> bool | None:
    from . import moderation

    return moderation.report(comment_id)


@task()
def notify_author(comment_id: int) -> None:
    from . import moderation

    comment = Comment.objects.select_related("review").filter(pk=comment_id).first()
    if comment is not None:
        moderation.notify_author(comment)


@task()
def run_due_checks() -> int:
    from . import moderation

    return moderation.run_due_checks()


@task()
def purge() -> dict[str, int]:
    from . import privacy

    return privacy.purge()


def purge_if_due() -> None:
    """Run the daily purge at most once a day, without needing cron (the cache remembers the last run)."""
    from django.core.cache import cache

    if cache.add("comments:purged-today", True, timeout=24 * 3600):
        purge.enqueue()


def _defer(task_, run_after, *args) -> None:
    if default_task_backend.supports_defer:
        task_.using(run_after=run_after).enqueue(*args)


def schedule_recheck(comment: Comment) -> None:
    _defer(recheck_comment, comment.next_check_at, comment.pk)


def schedule_report(comment: Comment) -> None:
    _defer(report_to_akismet, comment.next_report_at, comment.pk)
