"""The catalogue: films, the people who make them, their credits, genres and franchises."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Prefetch, Q
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone

from .base import (
    SluggedModel,
    TextField,
    alt_text_required,
    image_fields,
    require_alt_text,
    unique_slug,
)
from .stamps import touch_pages

# Sent when a film or person is new, renamed or moved to another slug, with the `label` reviews mention it
# by: the reviews, which sit above the catalogue, link their [[mentions]] anew (models/review.py).
name_changed = Signal()
# Sent when films' title, year or poster change (`films`: their pks): their reviews' share cards show these.
card_changed = Signal()


def touch_pages_showing(model, pks) -> None:
    """Move the stamps of every page that shows these rows (see stamps.touch_pages)."""
    if pks:
        touch_pages(**model.pages_showing(list(pks)))


class ShownQuerySet(models.QuerySet):
    """update(), delete() and bulk_create() skip save() and delete(): they move the stamps of the pages
    that show the rows too, so no caller has to remember to."""

    def update(self, **kwargs):
        with transaction.atomic():
            pks = list(self.values_list("pk", flat=True))
            touch_pages_showing(self.model, pks)  # where they showed before…
            count = super().update(**kwargs)
            touch_pages_showing(self.model, pks)  # …and where they show now
        return count

    update.alters_data = True

    def delete(self):
        with transaction.atomic():
            touch_pages_showing(self.model, self.values_list("pk", flat=True))
            return super().delete()

    delete.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic():
            created = super().bulk_create(objs, *args, **kwargs)
            touch_pages_showing(self.model, [obj.pk for obj in created if obj.pk is not None])
        return created


class ShownOnPages(models.Model):
    """A row shown on public pages: saving or deleting it moves the stamps of the pages that show it,
    where it showed before the change and where it shows after, in the same transaction.
    `pages_showing(pks)` names them as touch_pages arguments."""

    objects = ShownQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic():
            if self.pk is not None:
                touch_pages_showing(type(self), [self.pk])
            super().save(*args, **kwargs)
            touch_pages_showing(type(self), [self.pk])

    def delete(self, *args, **kwargs):
        with transaction.atomic():  # touched while the links still exist, gone together
            touch_pages_showing(type(self), [self.pk])
            return super().delete(*args, **kwargs)

    @classmethod
    def pages_showing(cls, pks: list) -> dict:
        raise NotImplementedError


class FilmGroup(ShownOnPages, SluggedModel):
    """A genre or a franchise: a named group of films with a page listing their reviews. `films_field` is
    Film's field that points at it, `url_name` its page, `pages` its own pages' name in touch_pages."""

    films_field = url_name = pages = ""
    page_changed_at = models.DateTimeField(default=timezone.now, editable=False)  # see touch_pages

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(self.url_name, args=[self.slug])

    @classmethod
    def pages_showing(cls, pks):
        return {
            "reviews": Q(**{f"film__{cls.films_field}__in": pks}),
            "films": Q(**{f"{cls.films_field}__in": pks}),
            cls.pages: Q(pk__in=pks),
        }


class Genre(FilmGroup):
    films_field, url_name, pages = "genres", "reviews:genre_detail", "genres"
    name = models.CharField(max_length=60, unique=True)


class Franchise(FilmGroup):
    films_field, url_name, pages = "franchise", "reviews:franchise_detail", "franchises"
    name = models.CharField(max_length=120, unique=True, help_text='Shown as "From the World of …".')
    description = TextField(blank=True)


# What a film shows on its reviews' share cards (Review.share_card_shows).
CARD_FIELDS = {"title", "release_year", "poster"}


class FilmQuerySet(ShownQuerySet):
    def update(self, **kwargs):
        """Also: a new title, year or poster makes these films' reviews' share cards due."""
        with transaction.atomic():
            # Read first: the update may change what this queryset filters on.
            films = list(self.values_list("pk", flat=True)) if CARD_FIELDS.intersection(kwargs) else []
            count = super().update(**kwargs)
            if films:
                card_changed.send(self.model, films=films)
        return count

    update.alters_data = True

    def for_detail(self):
        """Everything the film page shows, in a fixed number of queries."""
        return self.select_related("franchise").prefetch_related(
            "genres", Prefetch("credits", queryset=Credit.objects.select_related("person"))
        )


class Film(ShownOnPages, SluggedModel):
    title = models.CharField(max_length=200)
    # Empty when nobody knows yet (a film an import made from a post that never said): pages say so.
    release_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Leave empty if unknown; the film's pages then say “year unknown”."
    )
    release_date = models.DateField(null=True, blank=True, help_text="First release, where known.")
    runtime = models.PositiveSmallIntegerField(null=True, blank=True, help_text="In minutes.")
    synopsis = TextField(blank=True)
    poster, poster_width, poster_height, poster_renditions, poster_renditions_due, poster_alt = image_fields(
        "poster", "posters/", "poster"
    )
    genres = models.ManyToManyField(Genre, related_name="films", blank=True)
    franchise = models.ForeignKey(Franchise, null=True, blank=True, on_delete=models.SET_NULL, related_name="films")
    # Moved by anything its page shows, its reviews included (see touch_pages).
    page_changed_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = FilmQuerySet.as_manager()

    class Meta:
        # Newest first; a film whose year is unknown last, on PostgreSQL as on SQLite.
        ordering = [models.F("release_year").desc(nulls_last=True), "title"]
        constraints = [
            alt_text_required("poster", "poster_alt", "film_poster_has_alt", "poster"),
        ]

    def __str__(self):
        return f"{self.title} ({self.year_label})"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, f"{self.title} {self.release_year or ''}")
        before = Film.objects.filter(pk=self.pk).values_list("title", "release_year", "slug", "poster").first()
        super().save(*args, **kwargs)
        if before is None or before[:3] != (self.title, self.release_year, self.slug):
            # New, renamed or moved: mentions may change. A new film has no links yet: only bodies naming it
            # can change (no join to look for links).
            name_changed.send(Film, label=self.title, film=self if before else None)
        if before and (before[0], before[1], before[3]) != (self.title, self.release_year, self.poster.name or ""):
            card_changed.send(Film, films=[self.pk])

    def get_absolute_url(self):
        return reverse("reviews:film_detail", args=[self.slug])

    @property
    def year_label(self) -> str:
        return str(self.release_year) if self.release_year else "year unknown"

    @classmethod
    def pages_showing(cls, pks):
        """Its title shows on its page, its reviews, reviews that mention it, its franchise's other films
        and their reviews, the pages of the people it credits, and its genres' and franchise's pages."""
        mentions = cls.mentioned_in.through.objects.filter(film__in=pks).values("review")
        return {
            "reviews": Q(film__in=pks) | Q(pk__in=mentions) | Q(film__franchise__films__in=pks),
            "films": Q(pk__in=pks) | Q(franchise__films__in=pks),
            "people": Q(credits__film__in=pks),
            "genres": Q(films__in=pks),
            "franchises": Q(films__in=pks),
        }

    def clean(self):
        require_alt_text(self, "poster", "poster_alt", "poster")
        if self.release_date and not self.release_year:
            self.release_year = self.release_date.year
        if self.release_date and self.release_date.year != self.release_year:
            raise ValidationError({"release_date": "The release date must fall in the release year."})

    def credits_by_job(self):
        """[(job label, [credits])] in the order of Credit.Job, from the prefetched credits."""
        return group_credits(self.credits.all())

    def directors(self):
        return [c.person for c in self.credits.all() if c.job == Credit.Job.DIRECTOR]

    def more_from_franchise(self):
        """The other films of this film's franchise, in release order, with how many reviews each has."""
        if not self.franchise_id:
            return Film.objects.none()
        published = self.reviews.model.published_q(via="reviews__")  # Review's rule
        return (
            Film.objects.filter(franchise_id=self.franchise_id)
            .exclude(pk=self.pk)
            .annotate(review_count=Count("reviews", filter=published))
            .order_by("release_year", "title")
        )

    def main_cast(self, limit: int = 5):
        return [c for c in self.credits.all() if c.job == Credit.Job.CAST][:limit]


class Person(ShownOnPages, SluggedModel):
    name = models.CharField(max_length=200)
    bio = TextField("short bio", blank=True)
    photo, photo_width, photo_height, photo_renditions, photo_renditions_due, photo_alt = image_fields(
        "photo", "people/", "photo"
    )
    page_changed_at = models.DateTimeField(default=timezone.now, editable=False)  # see touch_pages

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            alt_text_required("photo", "photo_alt", "person_photo_has_alt", "photo"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        before = Person.objects.filter(pk=self.pk).values_list("name", "slug").first()
        super().save(*args, **kwargs)
        if before != (self.name, self.slug):  # new, renamed or moved: mentions may change
            name_changed.send(Person, label=self.name, person=self)

    def get_absolute_url(self):
        return reverse("reviews:person_detail", args=[self.slug])

    @classmethod
    def pages_showing(cls, pks):
        """Their name shows on their page, the pages of the films they are credited on and those films'
        reviews, and reviews that mention them (deleted, their credits go too)."""
        mentions = cls.mentioned_in.through.objects.filter(person__in=pks).values("review")
        return {
            "reviews": Q(film__credits__person__in=pks) | Q(pk__in=mentions),
            "films": Q(credits__person__in=pks),
            "people": Q(pk__in=pks),
        }

    def clean(self):
        require_alt_text(self, "photo", "photo_alt", "photo")


class Credit(ShownOnPages):
    class Job(models.TextChoices):
        DIRECTOR = "director", "Director"
        WRITER = "writer", "Writer"
        CAST = "cast", "Cast"
        CINEMATOGRAPHER = "cinematographer", "Cinematographer"
        COMPOSER = "composer", "Composer"
        EDITOR = "editor", "Editor"
        PRODUCER = "producer", "Producer"
        PRODUCTION_DESIGNER = "production_designer", "Production designer"
        STUNT_COORDINATOR = "stunt_coordinator", "Stunt coordinator"

    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="credits")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="credits")
    job = models.CharField(max_length=30, choices=Job.choices, default=Job.CAST)
    character = models.CharField(max_length=200, blank=True, help_text="For cast: the role played.")
    billing = models.PositiveSmallIntegerField("billing order", default=100, help_text="Lower comes first.")

    class Meta:
        ordering = ["billing", "id"]
        constraints = [
            models.UniqueConstraint(fields=["film", "person", "job", "character"], name="credit_unique_role"),
        ]

    def __str__(self):
        role = f" as {self.character}" if self.character else ""
        return f"{self.person} — {self.get_job_display()}{role} ({self.film.title})"

    @classmethod
    def pages_showing(cls, pks):
        return {"reviews": Q(film__credits__in=pks), "films": Q(credits__in=pks), "people": Q(credits__in=pks)}

    def clean(self):
        if self.character and self.job != self.Job.CAST:
            raise ValidationError({"character": "Only cast credits have a character."})


def group_credits(credits):
    """[(job label, [credits])] in the order the jobs are declared, skipping empty jobs."""
    groups: dict[str, list] = {job: [] for job in Credit.Job.values}
    for credit in credits:
        groups[credit.job].append(credit)
    return [(Credit.Job(job).label, items) for job, items in groups.items() if items]
