from django.apps import AppConfig
from django.conf import settings
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_save

NAME_FIELDS = {"first_name", "last_name", "username"}


def author_renamed(sender, instance, created, update_fields=None, **kwargs):
    """Bylines show the author's name: their review pages, feeds and share cards change with it (not with
    a login)."""
    from .models import Review, touch_pages

    if not created and (update_fields is None or NAME_FIELDS & set(update_fields)):
        touch_pages(reviews=Q(author_id=instance.pk))
        Review.objects.filter(author_id=instance.pk).share_cards_due()


def film_genres_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A film's genres show on its page, its reviews' pages and the genres' pages (which list the film and
    its reviews); the admin sets them after saving the film."""
    from .models import touch_pages

    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # genre.films.add(…)
        films, genres = pk_set or list(instance.films.values_list("pk", flat=True)), [instance.pk]
    else:
        films, genres = [instance.pk], pk_set or list(instance.genres.values_list("pk", flat=True))
    touch_pages(reviews=Q(film__in=films), films=Q(pk__in=films), genres=Q(pk__in=genres))


def mentions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A film's or person's page lists the reviews that mention them, however the link was made
    (a review's save, refresh_mentions, `review.mentioned_films.add()` in a shell)."""
    from .models import Review, touch_pages

    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    kind = "films" if sender is Review.mentioned_films.through else "people"
    if reverse:  # film.mentioned_in.add(review)
        touch_pages(**{kind: Q(pk=instance.pk)})
    else:
        touch_pages(**{kind: Q(pk__in=pk_set) if pk_set is not None else Q(mentioned_in=instance)})


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Films and reviews"

    def ready(self):
        from . import checks, renditions, share_cards  # noqa: F401  (checks registers the system checks)
        from .groups import PERMISSIONS, keep_granted
        from .models.catalogue import card_changed, name_changed
        from .models.review import film_cards_due, relink_mentions

        keep_granted(self, PERMISSIONS)
        # A film or person renamed: the reviews that mention it by name link it anew.
        name_changed.connect(relink_mentions, dispatch_uid="reviews.relink_mentions")
        # A film's new title, year or poster: its reviews' share cards are drawn again.
        card_changed.connect(film_cards_due, dispatch_uid="reviews.film_cards_due")
        # Responsive copies of hero images, posters and photos follow their rows: made on save, deleted with them.
        renditions.connect()
        share_cards.connect()  # a review's share card follows it: due when it changes, deleted with it
        post_save.connect(author_renamed, sender=settings.AUTH_USER_MODEL, dispatch_uid="reviews.author_renamed")
        genres = self.get_model("Film").genres.through
        m2m_changed.connect(film_genres_changed, sender=genres, dispatch_uid="reviews.film_genres_changed")
        review = self.get_model("Review")
        for through in (review.mentioned_films.through, review.mentioned_people.through):
            m2m_changed.connect(mentions_changed, sender=through, dispatch_uid=f"reviews.mentions_changed.{through}")
