"""Background work of the comments app, as django-tasks tasks (arguments are primary keys).

With the default immediate backend a task runs inline, after the request's transaction commits;
with the database backend (`TASKS_BACKEND=database`) `manage.py db_worker` runs them, and failed
checks are scheduled again for their backoff time. Either way `moderation.run_due_checks` also
picks up whatever is due when a comment arrives or a moderator opens the queue.
"""

from django_tasks import default_task_backend, task

from .models import Comment


@task()
def check_comment(comment_id: int, recheck: bool = False) -> str | None:
    from . import moderation

    comment = Comment.objects.select_related("review").filter(pk=comment_id).first()
    if comment is None or comment.status != Comment.Status.PENDING:
        return None
    verdict = moderation.screen(comment, recheck=recheck)
    if not recheck:
        moderation.run_due_checks()  # no worker with the immediate backend: catch up on older ones now
        purge_if_due()
    return verdict


@task()
def report_to_akismet(comment_id: int) -> bool:
    from . import moderation

    comment = Comment.objects.select_related("review").filter(pk=comment_id).first()
    return comment is None or moderation.report(comment)


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
    _defer(check_comment, comment.next_check_at, comment.pk, True)


def schedule_report(comment: Comment) -> None:
    _defer(report_to_akismet, comment.next_report_at, comment.pk)
