"""What the catalogue and the reviews share: half-step scores, plain text, slugs, images that need alt text."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.fields.files import FieldFile, ImageFileDescriptor
from django.utils.html import strip_tags
from django.utils.text import slugify
from markdownx.fields import MarkdownxFormField
from markdownx.models import MarkdownxField

# Ratings and aspect scores: 0.5 to 5 in half steps, written with one decimal as the database returns them
# ("4.0", not "4"), so a form shows the stored score as selected and sends back what it showed.
ONE_PLACE = Decimal("0.1")
HALF_STEPS = [(Decimal(n) / 2).quantize(ONE_PLACE) for n in range(1, 11)]
SCORE_CHOICES = [(step, f"{step.normalize():f}") for step in HALF_STEPS]


def as_score(value):
    """A score in the one form choices, forms and the database share: Decimal("4.0") for 4, "4" or "4.00"."""
    try:
        return Decimal(str(value)).quantize(ONE_PLACE) if value not in (None, "") else value
    except ArithmeticError:
        return value  # not a number: left for validation to refuse


class ScoreChoiceField(forms.TypedChoiceField):
    """The select of a score: shows Decimal("4") as the stored "4.0", and takes "4" as well as "4.0"."""

    def prepare_value(self, value):
        return as_score(value)

    def to_python(self, value):
        score = as_score(super().to_python(value))
        return str(score) if isinstance(score, Decimal) else score


class ScoreField(models.DecimalField):
    def to_python(self, value):
        return as_score(super().to_python(value))

    def formfield(self, **kwargs):
        return super().formfield(**{"choices_form_class": ScoreChoiceField, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs  # the same column: migrations need not know


def score_field(**kwargs):
    return ScoreField(max_digits=2, decimal_places=1, choices=SCORE_CHOICES, **kwargs)


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


class KeptSizeDescriptor(ImageFileDescriptor):
    """Measures an image when a new one is set, not when a form hands back the stored one unchanged.

    Django re-reads the file on every such assignment: a trip to storage on each admin save, and a
    500 when the file has gone missing from storage. The size stored with the row still holds.
    """

    def __set__(self, instance, value):
        previous, name = instance.__dict__.get(self.field.attname), stored_name(value)
        if previous is not None and name is not None and stored_name(previous) == name:
            instance.__dict__[self.field.attname] = value  # what FileDescriptor does, without the measuring
        else:
            super().__set__(instance, value)


def stored_name(value) -> str | None:
    """The name of a file already in storage, or None for a new upload."""
    if isinstance(value, str):
        return value
    if isinstance(value, FieldFile) and value._committed:
        return value.name or ""
    return None


class SizedImageField(models.ImageField):
    """An image whose width and height are kept in the row (see KeptSizeDescriptor), and the record of
    its responsive renditions in `renditions_field` (reviews/renditions.py), so pages need no storage;
    when the worker makes them is `<renditions_field>_due`."""

    descriptor_class = KeptSizeDescriptor

    def __init__(self, *args, renditions_field: str = "", **kwargs):
        self.renditions_field = renditions_field
        self.renditions_due_field = f"{renditions_field}_due" if renditions_field else ""
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ImageField", args, kwargs  # the same column: migrations need not know


def image_fields(prefix: str, upload_to: str, what: str, *, alt_max_length: int = 300, alt_help_text: str = ""):
    """An image that needs alt text, as six fields, to be named in this order:
    `image, <prefix>_width, <prefix>_height, <prefix>_renditions, <prefix>_renditions_due, <prefix>_alt`.

    The renditions record is what renditions.py made for the image ({"state": "made", "for": <name>,
    "width": …}); when they are due is the worker's business (its task's grace, a worker's claim in
    reviews/jobs.py, or empty: made, or never queued). Pages never read when. `what` names the image in
    the alt text's label and in the messages of `alt_text_required` and `require_alt_text`.
    """
    return (
        SizedImageField(
            upload_to=upload_to,
            blank=True,
            width_field=f"{prefix}_width",
            height_field=f"{prefix}_height",
            renditions_field=f"{prefix}_renditions",
        ),
        models.PositiveIntegerField(null=True, editable=False),
        models.PositiveIntegerField(null=True, editable=False),
        models.JSONField(default=dict, blank=True, editable=False),
        models.DateTimeField(null=True, blank=True, editable=False),
        models.CharField(f"{what} alt text", max_length=alt_max_length, blank=True, help_text=alt_help_text),
    )


def plain_text(value):
    """Text as a browser's form sends it back and Django's form field keeps it: LF line ends, no surrounding blanks."""
    return re.sub(r"\r\n?", "\n", value).strip() if isinstance(value, str) else value


class PlainTextFormMixin:
    def to_python(self, value):
        return plain_text(super().to_python(value))


class PlainTextFormField(PlainTextFormMixin, forms.CharField):
    pass


class MarkdownFormField(PlainTextFormMixin, MarkdownxFormField):
    pass


class PlainTextMixin:
    """A text field stored as a form sends it back, so a form saved unchanged changes nothing.

    Browsers send a textarea's line ends as CRLF and Django's form field strips surrounding blanks, while
    text from elsewhere (the demo, the shell, an import) may have LF and a last newline: either way the
    row keeps LF and no surrounding blanks, and the form sees no change.
    """

    form_class = PlainTextFormField

    def pre_save(self, model_instance, add):
        value = plain_text(super().pre_save(model_instance, add))
        setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": self.form_class, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, self.migrations_path, args, kwargs  # the same column: migrations need not know this class


class TextField(PlainTextMixin, models.TextField):
    migrations_path = "django.db.models.TextField"


class MarkdownField(PlainTextMixin, MarkdownxField):
    form_class = MarkdownFormField
    migrations_path = "markdownx.models.MarkdownxField"


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
