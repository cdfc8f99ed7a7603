from django.apps import AppConfig
from django.conf import settings
from django.db.models import Q
from django.db.models.signals import post_migrate, post_save

NAME_FIELDS = {"first_name", "last_name", "username"}


def author_renamed(sender, instance, created, update_fields=None, **kwargs):
    """Bylines show the author's name: their review pages and feeds change with it (not with a login)."""
    from .models import touch_review_pages

    if not created and (update_fields is None or NAME_FIELDS & set(update_fields)):
        touch_review_pages(Q(author_id=instance.pk))


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Films and reviews"

    def ready(self):
        from . import renditions
        from .groups import sync_groups

        post_migrate.connect(sync_groups, sender=self, dispatch_uid="reviews.sync_groups")
        # Responsive copies of hero images, posters and photos follow their rows: made on save, deleted with them.
        renditions.connect()
        post_save.connect(author_renamed, sender=settings.AUTH_USER_MODEL, dispatch_uid="reviews.author_renamed")
