from django.apps import AppConfig


class CommentsConfig(AppConfig):
    """Reader comments, moderation and Akismet screening (the comments issue fills this app)."""

    name = "comments"
