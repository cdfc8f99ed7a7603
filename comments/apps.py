from django.apps import AppConfig
from django.db.models.signals import post_migrate

RULES = ["view_commentrule", "add_commentrule", "change_commentrule", "delete_commentrule"]
# Who works the comment queue (and keeps its rules). Moderators see comments only and decide (trash is their delete: it
# keeps the history and is emptied after COMMENT_SPAM_DAYS); Editors may also delete for good.
QUEUE_PERMISSIONS = {
    "Moderators": ["view_comment", "change_comment", "view_commentevent", *RULES],
    "Editors": ["view_comment", "change_comment", "delete_comment", "view_commentevent", *RULES],
}


def give_the_queue_to_moderators(using="default", **kwargs):
    from reviews.groups import grant

    for name, codenames in QUEUE_PERMISSIONS.items():
        grant(name, "comments", codenames, using)


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Reader comments"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)

        post_migrate.connect(give_the_queue_to_moderators, sender=self, dispatch_uid="comments.queue_permissions")
