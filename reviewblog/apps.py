from django.apps import AppConfig
from django.db.models.signals import post_migrate

# Editors may import a WordPress export from the admin and read the reports; others get a 403.
IMPORT_PERMISSIONS = {"Editors": ["add_importrun", "view_importrun"]}


def give_imports_to_editors(using="default", **kwargs):
    from reviews.groups import grant

    for name, codenames in IMPORT_PERMISSIONS.items():
        grant(name, "reviewblog", codenames, using)


class ReviewblogConfig(AppConfig):
    """The project itself, as an app: what knows both reviews and comments (imports from other blogs, old links)."""

    name = "reviewblog"
    verbose_name = "Site"

    def ready(self):
        post_migrate.connect(give_imports_to_editors, sender=self, dispatch_uid="reviewblog.import_permissions")
