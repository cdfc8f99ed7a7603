from urllib.parse import urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_delete, post_migrate

# Editors may import a WordPress export from the admin and read the reports (others get a 403), and keep
# the simple pages (About, Contact) an import brings or they write.
EDITOR_PERMISSIONS = {
    "Editors": {
        "reviewblog": ["add_importrun", "view_importrun"],
        "flatpages": ["add_flatpage", "change_flatpage", "delete_flatpage", "view_flatpage"],
    }
}


def name_the_site(using="default", **kwargs):
    """The Site row (flatpages', and what Django's password reset emails name) says SITE_URL's host and
    SITE_NAME, not the "example.com" django.contrib.sites starts with."""
    from django.contrib.sites.models import Site

    domain = urlsplit(settings.SITE_URL).netloc[:100]
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.SITE_NAME[:50]}
    )
    Site.objects.clear_cache()


class ReviewblogConfig(AppConfig):
    """The project itself, as an app: what knows both reviews and comments (imports from other blogs, old links)."""

    name = "reviewblog"
    verbose_name = "Site"

    def ready(self):
        from django_tasks.signals import task_finished, task_started

        from reviews.groups import keep_granted
        from reviews.models.stamps import stamps_moved

        from . import edge, page_cache
        from .imports import delete_upload
        from .request_log import forget_running_task, name_running_task

        task_started.connect(name_running_task, dispatch_uid="reviewblog.name_running_task")
        task_finished.connect(forget_running_task, dispatch_uid="reviewblog.forget_running_task")

        # Copies of pages whose stamps moved are found stale: the page cache's shared generation, then
        # the edge's keys (in this order, so after a commit the generation moves before the purge is queued).
        stamps_moved.connect(page_cache.stamps_moved, dispatch_uid="reviewblog.page_cache.stamps_moved")
        stamps_moved.connect(edge.stamps_moved, dispatch_uid="reviewblog.edge.stamps_moved")

        keep_granted(self, EDITOR_PERMISSIONS)
        # The upload holds readers' emails and IPs: it goes with its run, however the run is deleted.
        post_delete.connect(
            lambda instance, **kwargs: delete_upload(instance),
            sender=self.get_model("ImportRun"),
            weak=False,
            dispatch_uid="reviewblog.delete_import_upload",
        )
        post_migrate.connect(name_the_site, sender=self, dispatch_uid="reviewblog.name_the_site")
