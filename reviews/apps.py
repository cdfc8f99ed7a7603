from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Films and reviews"

    def ready(self):
        from . import renditions
        from .groups import sync_groups

        post_migrate.connect(sync_groups, sender=self, dispatch_uid="reviews.sync_groups")
        # Responsive copies of hero images, posters and photos follow their rows: made on save, deleted with them.
        renditions.connect()
