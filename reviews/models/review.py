"""Reviews, their scorecards and their authors' pages."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Prefetch, Q, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ..images import uploaded_image_size
from ..markdown import IMAGE_PLACEHOLDER_ALT, body_too_long, images_missing_alt, render_markdown
from .base import (
    MarkdownField,
    SluggedModel,
    TextField,
    alt_text_required,
    half_step_constraint,
    image_fields,
    reading_minutes,
    require_alt_text,
    score_field,
    unique_slug,
)
from .catalogue import Credit, Film, Person, ShownOnPages
from .mentions import resolve as resolve_mentions
from .stamps import touch_pages

# What decides where a review is listed and counted (its film's franchise counts published reviews).
LISTED_FIELDS = {"status", "published_at", "film", "film_id", "author", "author_id"}
# What a review's share card shows of the review itself (Review.share_card_shows).
CARD_FIELDS = {"title", "film", "film_id", "rating", "author", "author_id", "status"}


class ReviewQuerySet(models.QuerySet):
    def published(self):
        """What the public may read (Review.published_q)."""
        return self.filter(Review.published_q())

    def scheduled(self):
        """Published but not public yet (dated in the future): each goes live by itself when its time comes."""
        return self.filter(status=Review.Status.PUBLISHED).exclude(Review.published_q())

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
            # To the second, as the admin shows and sends the publish date: a later save leaves it as it is.
            changes["published_at"] = Greatest("published_at", Value(now.replace(microsecond=0)))
        with transaction.atomic():
            moving = list(self.exclude(status=status).values_list("pk", flat=True))
            count = Review.objects.filter(pk__in=moving).update(**changes)
            # update() skips save() and its signals, so keep the revisions a save would have kept.
            moved = Review.objects.filter(pk__in=moving).defer("body_html", "page_changed_at")
            Review.history.bulk_history_create(moved, update=True, default_user=by, default_date=now)
        return count

    def update(self, **kwargs):
        """update() skips save(): it moves these reviews' page stamps too (unless it sets them itself) and
        those of the pages listing them, before (where they were listed) and after (where they are); when it
        (un)publishes or moves them, also the pages of their franchises, which count published reviews; when
        it changes what their share cards show, those cards fall due for the worker's chores."""
        kwargs.setdefault("page_changed_at", timezone.now())
        listed = LISTED_FIELDS.intersection(kwargs)
        with transaction.atomic():
            pks = list(self.values_list("pk", flat=True))
            if not pks:
                return 0
            touch_pages(reviews=Q(pk__in=pks))
            if listed:
                touch_franchise_pages(pks)
            count = super().update(**kwargs)
            if listed:
                touch_pages(reviews=Q(pk__in=pks))
                touch_franchise_pages(pks)
            if CARD_FIELDS.intersection(kwargs):
                Review.objects.filter(pk__in=pks).share_cards_due()
        return count

    update.alters_data = True

    def delete(self):
        with transaction.atomic():  # touched while the links (film, mentions, author) still exist
            pks = list(self.values_list("pk", flat=True))
            touch_pages(reviews=Q(pk__in=pks))
            touch_franchise_pages(pks)
            return super().delete()

    delete.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        objs, now = list(objs), timezone.now()
        for review in objs:  # no save() queues their share cards: the worker's chores draw them
            if review.status == Review.Status.PUBLISHED and review.share_card_due is None:
                review.share_card_due = now
        with transaction.atomic():
            created = super().bulk_create(objs, *args, **kwargs)
            pks = [obj.pk for obj in created if obj.pk is not None]
            touch_pages(reviews=Q(pk__in=pks))
            touch_franchise_pages(pks)
        return created

    def share_cards_due(self) -> int:
        """The share cards of these reviews (the published ones) fall due now, their tries counted afresh:
        what they show changed where no save of theirs could see it (their film renamed or given a new
        poster, their author renamed, an update()). The worker's chores draw them (reviews/share_cards.py).
        Through the plain manager: a card falling due changes no page."""
        published = self.filter(status=Review.Status.PUBLISHED).values("pk")
        due = {"share_card_due": timezone.now(), "share_card_attempts": 0}
        return Review._base_manager.filter(pk__in=published).update(**due)

    share_cards_due.alters_data = True

    def visible_to(self, user):
        """Published reviews, plus the drafts a staff user may preview."""
        if user.is_authenticated and user.is_staff:
            if user.has_perm("reviews.edit_any_review"):
                return self.all()
            if user.has_perm("reviews.change_review"):
                return self.filter(Review.published_q() | Q(author=user))
        return self.published()


class Review(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    film = models.ForeignKey(
        Film,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        help_text="Leave empty for a piece about no single film: a list, an essay, a festival diary.",
    )
    # Set where the film was only guessed (an imported WordPress post): the admin lists these to check.
    film_to_check = models.BooleanField(
        "film to check", default=False, help_text="The film was guessed by an import: check it, then untick this."
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True, blank=True, help_text="Left blank, it is made from the title.")
    standfirst = models.CharField(max_length=300, help_text="One line under the title, shown on cards.")
    body = MarkdownField(help_text="Markdown: ## headings, tables, footnotes[^1]; drop images into the editor.")
    body_html = models.TextField(editable=False, default="")
    hero_image, hero_width, hero_height, hero_renditions, hero_renditions_due, hero_alt = image_fields(
        "hero", "heroes/", "hero image", alt_max_length=500, alt_help_text="What the image shows, for screen readers."
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
    # Approved reader comments, shown on cards. Kept by the comments app, counted afresh in the same UPDATE
    # that bumps page_changed_at whenever a comment appears on or leaves the page.
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    # The stored share card's name, written by the task that draws it (reviews/share_cards.py); when a
    # card is next due (its task's claim, a retry's backoff; empty: none needed) and its failed tries.
    share_card = models.CharField(max_length=200, blank=True, default="", editable=False)
    share_card_due = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    share_card_attempts = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = ReviewQuerySet.as_manager()
    # Every save keeps a revision (who, when, what); the admin lists, compares and restores them.
    # Not the renditions' record: a restored image is queued for renditions again, as a new upload.
    history = HistoricalRecords(
        excluded_fields=[
            "body_html",
            "page_changed_at",
            "reading_minutes",
            "comment_count",
            "hero_renditions",
            "hero_renditions_due",
            "share_card",
            "share_card_due",
            "share_card_attempts",
        ]
    )

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
        workers = ("comment_count", "share_card", "share_card_due", "share_card_attempts")
        before = Review.objects.filter(pk=self.pk).values_list(*listed, *workers).first() if full_save else None
        if before:
            # Not ours to write: a review loaded earlier, or restored from a revision, keeps the count the
            # comments app keeps (and any comment change counts afresh anyway) and the card the worker stored.
            for name, value in zip(workers, before[len(listed) :], strict=True):
                setattr(self, name, value)
            before = tuple(before[: len(listed)])
            if (
                self.status == self.Status.PUBLISHED
                and before[0] != self.Status.PUBLISHED
                and self.published_at.replace(microsecond=0) == before[1].replace(microsecond=0)  # as the form sends it
            ):
                # Published now (the form's status, as the list's action does): dated now, as WordPress does,
                # unless the date was set in this save or lies ahead (scheduled). Readers and the newsletter
                # see it as new, not as old as the draft.
                self.published_at = max(self.published_at, timezone.now().replace(microsecond=0))
        adding = self._state.adding
        # A revision means a change: a save that changes nothing a revision keeps (an unchanged admin form
        # only moves updated_at) records none.
        quiet = full_save and not adding and self.same_as_latest_revision()
        with transaction.atomic():
            if self.pk is not None:
                touch_pages(reviews=Q(pk=self.pk))  # where it showed before (its old film, what it mentioned)
            if quiet:
                self.skip_history_when_saving = True
            try:
                super().save(*args, **kwargs)
            finally:
                if quiet:
                    del self.skip_history_when_saving
            # A new review that mentions nothing has no links to set or clear.
            if (full_save or "body" in update_fields) and (not adding or mentions.films or mentions.people):
                self.mentioned_films.set(mentions.films)
                self.mentioned_people.set(mentions.people)
            if full_save and before != tuple(getattr(self, name) for name in listed):
                AuthorProfile.objects.get_or_create(user_id=self.author_id)
                # Sibling films list this film's review count under "More from the World of …".
                films = [self.film_id, *([before[2]] if before else [])]
                franchises = Film.objects.filter(pk__in=films, franchise__isnull=False).values("franchise")
                touch_pages(reviews=Q(film__franchise__in=franchises), films=Q(franchise__in=franchises))
            touch_pages(reviews=Q(pk=self.pk))  # where it shows now

    def get_absolute_url(self):
        return reverse("reviews:review_detail", args=[self.slug])

    def delete(self, *args, **kwargs):
        with transaction.atomic():  # its franchise's other reviews list it under "More from …"
            touch_pages(reviews=Q(pk=self.pk))
            if self.film is not None and (franchise := self.film.franchise_id):
                touch_pages(reviews=Q(film__franchise_id=franchise) & ~Q(pk=self.pk), films=Q(franchise_id=franchise))
            return super().delete(*args, **kwargs)

    def share_card_shows(self) -> dict:
        """What the review's share card shows: its words, its stars and the film's poster it is drawn with."""
        film = self.film
        return {
            "kicker": "Review" if film else "Article",
            "title": self.title,
            "subtitle": f"{film.title} ({film.year_label})" if film else settings.SITE_NAME,
            "rating": f"{Decimal(self.rating).normalize():f}" if self.rating is not None else None,
            "byline": f"By {display_name(self.author)}",
            "poster": film.poster.name if film and film.poster else "",
        }

    def same_as_latest_revision(self) -> bool:
        """True when every field a revision keeps, but the time of the save, is as its latest revision has it."""
        latest = self.history.order_by("-history_date", "-history_id").first()
        if latest is None:
            return False
        kept = [field for field in latest.tracked_fields if field.name != "updated_at"]
        return all(field.value_from_object(self) == field.value_from_object(latest) for field in kept)

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
        # The plain "[[" first: it rules out most bodies before the case-folding match reads them.
        condition = Q(body__contains="[[") & Q(body__icontains=f"[[{label}")
        if film is not None:
            condition |= Q(mentioned_films=film)
        if person is not None:
            condition |= Q(mentioned_people=person)
        for review in cls.objects.filter(pk__in=cls.objects.filter(condition).values("pk")):
            review.refresh_mentions()

    def clean(self):
        require_alt_text(self, "hero_image", "hero_alt", "hero image")
        if problem := body_too_long(self.body):
            raise ValidationError({"body": problem})
        if missing := images_missing_alt(render_markdown(self.body)):
            names = ", ".join(f"“{src.rsplit('/', 1)[-1]}”" for src in missing)
            raise ValidationError(
                {
                    "body": f"Describe every image for readers who cannot see it: {names} "
                    f"{'has' if len(missing) == 1 else 'have'} no alt text yet (replace “{IMAGE_PLACEHOLDER_ALT}” "
                    "between the square brackets: ![What the image shows](…))."
                }
            )

    # What the public may read: published, and not dated in the future. The one rule, as a filter (for
    # querysets, annotations, and SQL written from the queryset's) and on an instance without a query;
    # tests/reviews/test_models.py pins the two to the same answer for every status and date.

    @classmethod
    def published_q(cls, now=None, *, via: str = "") -> Q:
        """The rule as a filter on reviews at `now` (by default, the present); `via` is the path to the
        reviews from another model, e.g. "reviews__" to count a film's published reviews."""
        return Q(**{f"{via}status": cls.Status.PUBLISHED, f"{via}published_at__lte": now or timezone.now()})

    @property
    def is_public(self) -> bool:
        """The rule on this review, as it is now: `Review.published_q()` without a query."""
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


def touch_franchise_pages(review_pks) -> None:
    """Films of a franchise list its other films with their counts of published reviews
    ("More from the World of …"), on the films' pages and on their reviews' pages."""
    franchises = Film.objects.filter(reviews__in=review_pks, franchise__isnull=False).values("franchise")
    touch_pages(reviews=Q(film__franchise__in=franchises), films=Q(franchise__in=franchises))


def relink_mentions(sender, *, label: str, film=None, person=None, **kwargs) -> None:
    """A film or person is new or renamed (catalogue.name_changed, connected in ReviewsConfig.ready)."""
    Review.refresh_mentions_of(label, film=film, person=person)


def film_cards_due(sender, *, films, **kwargs) -> None:
    """Films' title, year or poster changed (catalogue.card_changed, connected in ReviewsConfig.ready)."""
    Review.objects.filter(film__in=films).share_cards_due()


def display_name(user) -> str:
    """How the site names someone with a login (bylines, feeds, the admin, the export): their full name,
    or their login when they gave none."""
    return user.get_full_name() or user.get_username()


class AuthorProfile(ShownOnPages, SluggedModel):
    """What readers see about a reviewer on their author page."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="author_profile")
    bio = TextField("short bio", blank=True)
    photo, photo_width, photo_height, photo_renditions, photo_renditions_due, photo_alt = image_fields(
        "photo", "authors/", "photo"
    )
    page_changed_at = models.DateTimeField(default=timezone.now, editable=False)  # see touch_pages

    class Meta:
        ordering = ["user__first_name", "user__last_name"]
        constraints = [
            alt_text_required("photo", "photo_alt", "author_photo_has_alt", "photo"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reviews:author_detail", args=[self.slug])

    @classmethod
    def pages_showing(cls, pks):
        """Their page, and their reviews' bylines (which link to it)."""
        return {"authors": Q(pk__in=pks), "reviews": Q(author__author_profile__in=pks)}

    def clean(self):
        require_alt_text(self, "photo", "photo_alt", "photo")

    @property
    def name(self) -> str:
        return display_name(self.user)
