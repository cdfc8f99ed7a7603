from django.apps import AppConfig


class ReviewblogConfig(AppConfig):
    """The project itself, as an app: what knows both reviews and comments (imports from other blogs, old links)."""

    name = "reviewblog"
    verbose_name = "Site"
