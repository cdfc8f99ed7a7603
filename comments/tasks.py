"""The emails of the comments app, as django-tasks tasks (arguments are primary keys).

`manage.py run_worker` runs them (the database backend, the default), off every web request; with the
immediate backend (the tests) a task runs inline, after the request's transaction commits. Each email is
recorded in the outbox (reviews/outbox.py) by the task, which then delivers it. The other tasks of this
app sit beside the functions they run: the Akismet checks in moderation.py, reports in
akismet_reports.py, the daily purge in privacy.py; the worker's round of chores is chores.py.
"""

from django_tasks import task

from reviews import jobs

from .models import Comment


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


def digest_if_due() -> bool:
    """Queue the moderators' digest if nobody has today: once a day, recorded in the database, however
    many workers run and however often they restart."""
    return jobs.enqueue_once_a_day("comments-digest", send_digest)
