"""Films, the people who make them, and the reviews written about them."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Prefetch, Q, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from markdownx.models import MarkdownxField
from simple_history.models import HistoricalRecords

from .images import uploaded_image_size
from .markdown import IMAGE_PLACEHOLDER_ALT, images_missing_alt, render_markdown
from .mentions import resolve as resolve_mentions

# Ratings and aspect scores: 0.5 to 5 in half steps.
HALF_STEPS = [Decimal(n) / 2 for n in range(1, 11)]
SCORE_CHOICES = [(step, f"{step.normalize():f}") for step in HALF_STEPS]


def score_field(**kwargs):
    return models.DecimalField(max_digits=2, decimal_places=1, choices=SCORE_CHOICES, **kwargs)


def half_step_constraint(field: str, name: str, *, nullable: bool) -> models.CheckConstraint:
    condition = Q(**{f"{field}__in": HALF_STEPS})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(
        condition=condition, name=name, violation_error_message="Scores go from 0.5 to 5 in half steps."
    )


def alt_text_required(image: str, alt: str, name: str, what: str) -> models.CheckConstraint:
    """The database refuses a stored image without alt text; `require_alt_text` says so by the field."""
    return models.CheckConstraint(
        condition=Q(**{image: ""}) | ~Q(**{alt: ""}),
        name=name,
        violation_error_message=f"Describe the {what} for readers who cannot see it.",
    )


def require_alt_text(instance: models.Model, image: str, alt: str, what: str) -> None:
    if getattr(instance, image) and not getattr(instance, alt).strip():
        raise ValidationError({alt: f"Describe the {what} for readers who cannot see it."})


def portrait_fields(upload_to: str):
    """photo, photo_width, photo_height, photo_alt: the portrait of a person or an author."""
    return (
        models.ImageField(upload_to=upload_to, blank=True, width_field="photo_width", height_field="photo_height"),
        models.PositiveIntegerField(null=True, editable=False),
        models.PositiveIntegerField(null=True, editable=False),
        models.CharField("photo alt text", max_length=300, blank=True),
    )


WORDS_PER_MINUTE = 230


def reading_minutes(html: str) -> int:
    """Minutes an average reader needs for a text, at least one."""
    return max(1, round(len(strip_tags(html).split()) / WORDS_PER_MINUTE))


def unique_slug(instance: models.Model, value: str, field: str = "slug") -> str:
    """A slug for `value` that no other row of the model uses yet."""
    base = slugify(value)[:70] or "item"
    slug, n = base, 2
    others = type(instance)._default_manager.exclude(pk=instance.pk)
    while others.filter(**{field: slug}).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


class SluggedModel(models.Model):
    """A model whose slug is filled from its name when left blank."""

    slug_source = "name"
    slug = models.SlugField(max_length=80, unique=True, blank=True, help_text="Left blank, it is made from the name.")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, str(getattr(self, self.slug_source)))
        super().save(*args, **kwargs)


class Genre(SluggedModel):
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        touch_review_pages(Q(film__genres=self))

    def get_absolute_url(self):
        return reverse("reviews:genre_detail", args=[self.slug])


class Franchise(SluggedModel):
    name = models.CharField(max_length=120, unique=True, help_text='Shown as "From the World of …".')
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        touch_review_pages(Q(film__franchise=self))

    def get_absolute_url(self):
        return reverse("reviews:franchise_detail", args=[self.slug])


class FilmQuerySet(models.QuerySet):
    def for_detail(self):
        """Everything the film page shows, in a fixed number of queries."""
        return self.select_related("franchise").prefetch_related(
            "genres", Prefetch("credits", queryset=Credit.objects.select_related("person"))
        )


class Film(SluggedModel):
    title = models.CharField(max_length=200)
    release_year = models.PositiveSmallIntegerField()
    release_date = models.DateField(null=True, blank=True, help_text="First release, where known.")
    runtime = models.PositiveSmallIntegerField(null=True, blank=True, help_text="In minutes.")
    synopsis = models.TextField(blank=True)
    poster = models.ImageField(
        upload_to="posters/", blank=True, width_field="poster_width", height_field="poster_height"
    )
    poster_width = models.PositiveIntegerField(null=True, editable=False)
    poster_height = models.PositiveIntegerField(null=True, editable=False)
    poster_alt = models.CharField("poster alt text", max_length=300, blank=True)
    genres = models.ManyToManyField(Genre, related_name="films", blank=True)
    franchise = models.ForeignKey(Franchise, null=True, blank=True, on_delete=models.SET_NULL, related_name="films")

    objects = FilmQuerySet.as_manager()

    class Meta:
        ordering = ["-release_year", "title"]
        constraints = [
            alt_text_required("poster", "poster_alt", "film_poster_has_alt", "poster"),
        ]

    def __str__(self):
        return f"{self.title} ({self.release_year})"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, f"{self.title} {self.release_year}")
        before = Film.objects.filter(pk=self.pk).values_list("title", "release_year", "slug").first()
        super().save(*args, **kwargs)
        # Its title shows on its reviews, on reviews that mention it and on its franchise's other reviews.
        shown_on = Q(film=self) | Q(pk__in=Review.mentioned_films.through.objects.filter(film=self).values("review"))
        if self.franchise_id:
            shown_on |= Q(film__franchise_id=self.franchise_id)
        touch_review_pages(shown_on)
        if before != (self.title, self.release_year, self.slug):  # new, renamed or moved: mentions may change
            Review.refresh_mentions_of(self.title, film=self)

    def get_absolute_url(self):
        return reverse("reviews:film_detail", args=[self.slug])

    def clean(self):
        require_alt_text(self, "poster", "poster_alt", "poster")
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
        published = Q(reviews__status=Review.Status.PUBLISHED, reviews__published_at__lte=timezone.now())
        return (
            Film.objects.filter(franchise_id=self.franchise_id)
            .exclude(pk=self.pk)
            .annotate(review_count=Count("reviews", filter=published))
            .order_by("release_year", "title")
        )

    def main_cast(self, limit: int = 5):
        return [c for c in self.credits.all() if c.job == Credit.Job.CAST][:limit]


class Person(SluggedModel):
    name = models.CharField(max_length=200)
    bio = models.TextField("short bio", blank=True)
    photo, photo_width, photo_height, photo_alt = portrait_fields("people/")

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
        mentioned = Review.mentioned_people.through.objects.filter(person=self).values("review")
        touch_review_pages(Q(film__in=self.credits.values("film")) | Q(pk__in=mentioned))
        if before != (self.name, self.slug):  # new, renamed or moved: mentions may change
            Review.refresh_mentions_of(self.name, person=self)

    def get_absolute_url(self):
        return reverse("reviews:person_detail", args=[self.slug])

    def clean(self):
        require_alt_text(self, "photo", "photo_alt", "photo")


class Credit(models.Model):
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

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        touch_review_pages(Q(film_id=self.film_id))

    def delete(self, *args, **kwargs):
        touch_review_pages(Q(film_id=self.film_id))
        return super().delete(*args, **kwargs)

    def clean(self):
        if self.character and self.job != self.Job.CAST:
            raise ValidationError({"character": "Only cast credits have a character."})


def touch_review_pages(condition: Q) -> None:
    """Review pages (and feeds) show their film's title, facts, genres and credits, the author's name and
    their franchise's other films: a change there changes the page too (its ETag and Last-Modified), though
    the review itself was not edited."""
    Review.objects.filter(condition).update(page_changed_at=timezone.now())


def group_credits(credits):
    """[(job label, [credits])] in the order the jobs are declared, skipping empty jobs."""
    groups: dict[str, list] = {job: [] for job in Credit.Job.values}
    for credit in credits:
        groups[credit.job].append(credit)
    return [(Credit.Job(job).label, items) for job, items in groups.items() if items]


class ReviewQuerySet(models.QuerySet):
    def published(self):
        """What the public may read: published, and not dated in the future."""
        return self.filter(status=Review.Status.PUBLISHED, published_at__lte=timezone.now())

    def for_list(self):
        """The shape of a review card: film and author (with their page) in the same query."""
        return (
            self.select_related("film", "author__author_profile")
            .defer("body", "body_html")
            .order_by("-published_at", "-id")
        )

    def for_detail(self):
        return self.select_related("film__franchise", "author__author_profile").prefetch_related(
            "aspects",
            "mentioned_films",
            "film__genres",
            Prefetch("film__credits", queryset=Credit.objects.select_related("person")),
        )

    def for_feed(self):
        """The shape of a feed item: the whole review, its film with genres, its author."""
        return (
            self.select_related("film", "author__author_profile")
            .prefetch_related("film__genres")
            .order_by("-published_at", "-id")
        )

    def move_to(self, status: str, *, by=None) -> int:
        """Set the status of these reviews, keeping a revision of each (saved `by` a user); returns how many changed.

        Publishing dates a draft now, as WordPress does, unless it is scheduled for later.
        """
        now = timezone.now()
        changes = {"status": status, "updated_at": now}
        if status == Review.Status.PUBLISHED:
            changes["published_at"] = Greatest("published_at", Value(now))
        with transaction.atomic():
            moving = list(self.exclude(status=status).values_list("pk", flat=True))
            count = Review.objects.filter(pk__in=moving).update(**changes)
            # update() skips save() and its signals, so keep the revisions a save would have kept.
            moved = Review.objects.filter(pk__in=moving).defer("body_html", "page_changed_at")
            Review.history.bulk_history_create(moved, update=True, default_user=by, default_date=now)
            # Their franchises' other reviews count published reviews under "More from the World of …".
            touch_review_pages(Q(film__franchise__in=Film.objects.filter(reviews__pk__in=moving).values("franchise")))
        return count

    def visible_to(self, user):
        """Published reviews, plus the drafts a staff user may preview."""
        if user.is_authenticated and user.is_staff:
            if user.has_perm("reviews.edit_any_review"):
                return self.all()
            if user.has_perm("reviews.change_review"):
                return self.filter(Q(pk__in=self.published().values("pk")) | Q(author=user))
        return self.published()


class Review(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    film = models.ForeignKey(Film, on_delete=models.PROTECT, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True, blank=True, help_text="Left blank, it is made from the title.")
    standfirst = models.CharField(max_length=300, help_text="One line under the title, shown on cards.")
    body = MarkdownxField(help_text="Markdown: ## headings, tables, footnotes[^1]; drop images into the editor.")
    body_html = models.TextField(editable=False, default="")
    hero_image = models.ImageField(
        upload_to="heroes/", blank=True, width_field="hero_width", height_field="hero_height"
    )
    hero_width = models.PositiveIntegerField(null=True, editable=False)
    hero_height = models.PositiveIntegerField(null=True, editable=False)
    hero_alt = models.CharField(
        "hero image alt text", max_length=500, blank=True, help_text="What the image shows, for screen readers."
    )
    hero_caption = models.CharField(max_length=300, blank=True)
    rating = score_field(null=True, blank=True, help_text="0.5 to 5 in half steps; leave empty for no rating.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "publish date", default=timezone.now, help_text="A future date keeps the review hidden until then."
    )
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)
    comments_open = models.BooleanField(default=True)
    reading_minutes = models.PositiveSmallIntegerField(default=1, editable=False)
    contains_spoilers = models.BooleanField(
        default=False, help_text="Flagged on cards. Hide single passages with ||double bars|| in the text."
    )
    # Films and people the body mentions with [[Title]] or [[Name]], kept in step on every save.
    mentioned_films = models.ManyToManyField(Film, blank=True, editable=False, related_name="mentioned_in")
    mentioned_people = models.ManyToManyField(Person, blank=True, editable=False, related_name="mentioned_in")
    # Bumped by anything else the page shows (an approved comment, say), so caches and feeds can tell.
    page_changed_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ReviewQuerySet.as_manager()
    # Every save keeps a revision (who, when, what); the admin lists, compares and restores them.
    history = HistoricalRecords(excluded_fields=["body_html", "page_changed_at", "reading_minutes"])

    class Meta:
        ordering = ["-published_at", "-id"]
        get_latest_by = "published_at"
        indexes = [models.Index(fields=["status", "-published_at"], name="review_published_idx")]
        permissions = [("edit_any_review", "Can edit and publish any author's review")]
        constraints = [
            half_step_constraint("rating", "review_rating_half_steps", nullable=True),
            models.CheckConstraint(condition=Q(status__in=["draft", "published"]), name="review_status_valid"),
            alt_text_required("hero_image", "hero_alt", "review_hero_has_alt", "hero image"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.title)
        update_fields = kwargs.get("update_fields")
        full_save = update_fields is None
        if full_save or "body" in update_fields:
            # Rendered once here, so pages never render Markdown per request.
            mentions = resolve_mentions(self.body)
            self.body_html = render_markdown(self.body, mentions=mentions.urls, image_size=uploaded_image_size)
            self.reading_minutes = reading_minutes(self.body_html)
            if not full_save:
                kwargs["update_fields"] = {*update_fields, "body_html", "reading_minutes"}
        listed = ("status", "published_at", "film_id", "author_id")
        before = Review.objects.filter(pk=self.pk).values_list(*listed).first() if full_save else None
        super().save(*args, **kwargs)
        if full_save or "body" in update_fields:
            self.mentioned_films.set(mentions.films)
            self.mentioned_people.set(mentions.people)
        if full_save and before != tuple(getattr(self, name) for name in listed):
            AuthorProfile.objects.get_or_create(user_id=self.author_id)
            # Sibling reviews list this film's review count under "More from the World of …".
            films = [self.film_id, *([before[2]] if before else [])]
            touch_review_pages(Q(film__franchise__in=Film.objects.filter(pk__in=films).values("franchise")))

    def get_absolute_url(self):
        return reverse("reviews:review_detail", args=[self.slug])

    def touch(self) -> None:
        """Note that something on this review's page changed without the review itself changing."""
        self.page_changed_at = timezone.now()
        Review.objects.filter(pk=self.pk).update(page_changed_at=self.page_changed_at)

    def refresh_mentions(self) -> None:
        """Re-link the [[mentions]] after a film or person changed, without a new revision."""
        mentions = resolve_mentions(self.body)
        self.body_html = render_markdown(self.body, mentions=mentions.urls, image_size=uploaded_image_size)
        self.page_changed_at = timezone.now()
        Review.objects.filter(pk=self.pk).update(body_html=self.body_html, page_changed_at=self.page_changed_at)
        self.mentioned_films.set(mentions.films)
        self.mentioned_people.set(mentions.people)

    @classmethod
    def refresh_mentions_of(cls, label: str, *, film=None, person=None) -> None:
        """Reviews that mention a film or person by this name, or mentioned it before it was renamed."""
        condition = Q(body__icontains=f"[[{label}")
        if film is not None:
            condition |= Q(mentioned_films=film)
        if person is not None:
            condition |= Q(mentioned_people=person)
        for review in cls.objects.filter(pk__in=cls.objects.filter(condition).values("pk")):
            review.refresh_mentions()

    def clean(self):
        require_alt_text(self, "hero_image", "hero_alt", "hero image")
        if missing := images_missing_alt(render_markdown(self.body)):
            names = ", ".join(f"“{src.rsplit('/', 1)[-1]}”" for src in missing)
            raise ValidationError(
                {
                    "body": f"Describe every image for readers who cannot see it: {names} "
                    f"{'has' if len(missing) == 1 else 'have'} no alt text yet (replace “{IMAGE_PLACEHOLDER_ALT}” "
                    "between the square brackets: ![What the image shows](…))."
                }
            )

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def rating_text(self) -> str:
        return f"Rating: {self.rating.normalize():f} out of 5." if self.rating is not None else ""


class ReviewAspect(models.Model):
    """One line of a review's scorecard: Direction 4.5, Acting 4 …"""

    class Name(models.TextChoices):
        DIRECTION = "Direction"
        ACTING = "Acting"
        WRITING = "Writing"
        CINEMATOGRAPHY = "Cinematography"
        SPECIAL_EFFECTS = "Special effects"
        MUSIC = "Music and sound"
        EDITING = "Editing"
        ACTION = "Action"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="aspects")
    name = models.CharField(max_length=40, choices=Name.choices)
    score = score_field()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            half_step_constraint("score", "aspect_score_half_steps", nullable=False),
            models.UniqueConstraint(fields=["review", "name"], name="aspect_once_per_review"),
        ]

    def __str__(self):
        return f"{self.name}: {self.score}"


class AuthorProfile(models.Model):
    """What readers see about a reviewer on their author page."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="author_profile")
    slug = models.SlugField(max_length=80, unique=True, blank=True, help_text="Left blank, it is made from the name.")
    bio = models.TextField("short bio", blank=True)
    photo, photo_width, photo_height, photo_alt = portrait_fields("authors/")

    class Meta:
        ordering = ["user__first_name", "user__last_name"]
        constraints = [
            alt_text_required("photo", "photo_alt", "author_photo_has_alt", "photo"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.name)
        super().save(*args, **kwargs)
        touch_review_pages(Q(author_id=self.user_id))

    def get_absolute_url(self):
        return reverse("reviews:author_detail", args=[self.slug])

    def clean(self):
        require_alt_text(self, "photo", "photo_alt", "photo")

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()
