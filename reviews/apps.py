from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Films and reviews"

    def ready(self):
        from .groups import sync_groups

        post_migrate.connect(sync_groups, sender=self, dispatch_uid="reviews.sync_groups")
