from django.apps import AppConfig
from django.conf import settings
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_migrate, post_save

NAME_FIELDS = {"first_name", "last_name", "username"}


def author_renamed(sender, instance, created, update_fields=None, **kwargs):
    """Bylines show the author's name: their review pages and feeds change with it (not with a login)."""
    from .models import touch_review_pages

    if not created and (update_fields is None or NAME_FIELDS & set(update_fields)):
        touch_review_pages(Q(author_id=instance.pk))


def film_genres_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A film's genres show on its page and its reviews' pages; the admin sets them after saving the film."""
    from .models import touch_pages

    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    films = (pk_set or list(instance.films.values_list("pk", flat=True))) if reverse else [instance.pk]
    touch_pages(reviews=Q(film__in=films), films=Q(pk__in=films))


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
        genres = self.get_model("Film").genres.through
        m2m_changed.connect(film_genres_changed, sender=genres, dispatch_uid="reviews.film_genres_changed")
