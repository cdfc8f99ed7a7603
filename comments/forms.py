"""The public comment form: fields, limits and the honeypot."""

import re
import unicodedata

from django import forms
from django.conf import settings
from django.core.validators import URLValidator

from .models import Comment

# Bots fill every field they find; people never see this one (hidden by CSS, skipped by keyboard and
# screen readers). Named like a real field so that bots take the bait.
HONEYPOT = "homepage"

# Bidi embeddings, overrides and isolates reverse how the text after them displays (U+202E turns
# "elpmaxe.com" into "moc.example" on screen).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Names and addresses also lose the directional marks: a name never needs one.
BIDI_CONTROLS_AND_MARKS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# Letters that draw nothing (Hangul and braille blanks, the combining grapheme joiner).
BLANK_LETTERS = set("\u115f\u1160\u3164\uffa0\u2800\u034f")


def looks_empty(text: str) -> bool:
    """True when nothing in the text would show: only spaces, zero-width and other format characters
    (U+200B, U+200D, U+2060, U+FEFF, soft hyphen…), and blank letters."""
    return all(char.isspace() or unicodedata.category(char) == "Cf" or char in BLANK_LETTERS for char in text)


class _URLField(forms.URLField):
    def to_python(self, value):
        return super().to_python(BIDI_CONTROLS_AND_MARKS.sub("", value or ""))


class CommentForm(forms.ModelForm):
    DUPLICATE = "You have already posted exactly this comment here."

    author_url = _URLField(
        label="Website",
        required=False,
        max_length=200,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        error_messages={"invalid": "Enter a web address starting with https://, or leave it empty."},
        widget=forms.URLInput(attrs={"autocomplete": "url", "placeholder": "https://"}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The signed "first used at" time static/js/comment-form.js puts in (comments/screening.py); empty without it.
    form_stamp = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    remember = forms.BooleanField(
        label="Save my name, email and website in this browser for the next time I comment.", required=False
    )
    # Follow-ups (comments/followups.py): nothing is sent before the reader confirms from an emailed link.
    follow_replies = forms.BooleanField(label="Email me replies to my comment.", required=False)
    follow_all = forms.BooleanField(label="Email me new comments on this review.", required=False)
    honeypot = forms.CharField(required=False, label="Leave this field empty")

    class Meta:
        model = Comment
        fields = ["body", "author_name", "author_email", "author_url", "notify_on_approval"]
        labels = {
            "body": "Comment",
            "author_name": "Name",
            "author_email": "Email",
            "notify_on_approval": "Email me once when my comment is published.",
        }
        help_texts = {"author_email": "Your email address will not be published."}
        widgets = {
            "body": forms.Textarea(attrs={"rows": 7}),
            "author_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "author_email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
        error_messages = {
            "body": {"required": "Write your comment before sending it."},
            "author_name": {"required": "Tell us your name (any name you like)."},
            "author_email": {
                "required": "Give your email address; it is never shown on the site.",
                "invalid": "That does not look like an email address, e.g. ana@example.com.",
            },
        }

    def __init__(self, *args, review, **kwargs):
        self.review = review
        super().__init__(*args, **kwargs)
        self.fields["author_email"].required = True
        self.fields["body"].max_length = settings.COMMENT_MAX_LENGTH
        self.fields["body"].widget.attrs["maxlength"] = settings.COMMENT_MAX_LENGTH
        self.fields["honeypot"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        # The form posts the honeypot under a name bots recognise.
        self.fields[HONEYPOT] = self.fields.pop("honeypot")

    def full_clean(self):
        super().full_clean()
        # Point the reader at what to fix: the first bad field takes the focus (and the page scrolls to it).
        invalid = [
            name for name in self.errors if name in self.fields and name not in (HONEYPOT, "parent", "form_stamp")
        ]
        for name in invalid:
            self.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"id_{name}-error"})
        if invalid:
            self.fields[invalid[0]].widget.attrs["autofocus"] = True

    def clean_body(self):
        body = BIDI_CONTROLS.sub("", self.cleaned_data["body"]).strip()
        if len(body) > settings.COMMENT_MAX_LENGTH:
            raise forms.ValidationError(
                f"Keep your comment under {settings.COMMENT_MAX_LENGTH:,} characters (it has {len(body):,}).",
                code="max_length",
            )
        if looks_empty(body):
            raise forms.ValidationError("Write your comment before sending it.")
        return body

    def clean_author_name(self):
        name = " ".join(BIDI_CONTROLS_AND_MARKS.sub("", self.cleaned_data["author_name"]).split())
        if looks_empty(name):
            raise forms.ValidationError(self.fields["author_name"].error_messages["required"])
        return name

    def clean_parent(self):
        """Replies go only to a published comment of the same review, and not deeper than the limit."""
        parent_id = self.cleaned_data.get("parent")
        if not parent_id:
            return None
        parent = Comment.objects.public().filter(review=self.review, pk=parent_id).first()
        if parent is None:
            self._forget_parent("The comment you replied to is not on this review any more.")
        if not parent.can_take_replies:
            self._forget_parent("This conversation is as deep as it goes.")
        return parent

    def _forget_parent(self, reason: str):
        # The form comes back as a new comment, so sending it again works instead of failing forever.
        self.data = self.data.copy()
        self.data["parent"] = ""
        raise forms.ValidationError(f"{reason} Send it again and it will be posted as a new comment.")

    def clean(self):
        data = super().clean()
        # A double click on "Post", or the same words sent twice: say so instead of a second copy.
        email, body = data.get("author_email"), data.get("body")
        copy = Comment(review=self.review, author_email=email, body=body)
        if email and body and Comment.objects.copies_of(copy).exists():
            raise forms.ValidationError(self.DUPLICATE)
        return data

    @property
    def too_long(self) -> bool:
        """Refused for its size (the spam-defence report counts these: no comment is stored)."""
        return self.has_error("body", "max_length")

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.cleaned_data.get(HONEYPOT))

    def save(self, commit=True):
        comment = super().save(commit=False)
        comment.review = self.review
        comment.parent = self.cleaned_data.get("parent")
        if commit:
            comment.save()
        return comment
