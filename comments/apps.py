from django.apps import AppConfig

RULES = ["view_commentrule", "add_commentrule", "change_commentrule", "delete_commentrule"]
# Who works the comment queue (and keeps its rules). Moderators see comments only and decide (trash is their delete: it
# keeps the history and is emptied after COMMENT_SPAM_DAYS); Editors may also delete for good.
QUEUE_PERMISSIONS = {
    "Moderators": {"comments": ["view_comment", "change_comment", "view_commentevent", *RULES]},
    "Editors": {"comments": ["view_comment", "change_comment", "delete_comment", "view_commentevent", *RULES]},
}


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Reader comments"

    def ready(self):
        from reviews.groups import keep_granted

        from . import checks  # noqa: F401  (registers the system checks)

        keep_granted(self, QUEUE_PERMISSIONS)
