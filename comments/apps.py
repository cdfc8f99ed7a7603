from django.apps import AppConfig
from django.db.models.signals import post_migrate

# Who works the comment queue. Moderators see comments only; Editors moderate too, as in WordPress.
QUEUE_PERMISSIONS = ["view_comment", "change_comment", "delete_comment", "view_commentevent"]


def give_the_queue_to_moderators(using="default", **kwargs):
    from django.contrib.auth.models import Group, Permission

    permissions = Permission.objects.using(using).filter(
        content_type__app_label="comments", codename__in=QUEUE_PERMISSIONS
    )
    for name in ("Moderators", "Editors"):
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(*permissions)


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Reader comments"

    def ready(self):
        post_migrate.connect(give_the_queue_to_moderators, sender=self, dispatch_uid="comments.queue_permissions")
