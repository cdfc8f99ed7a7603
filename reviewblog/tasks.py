"""Background work of the site app, as django-tasks tasks (run by `manage.py run_worker`)."""

from django_tasks import task


@task()
def run_import(run_id: int) -> None:
    """A WordPress import started from the admin (`reviewblog.imports`)."""
    from . import imports

    imports.run(run_id)
