"""What changed between two revisions of a review, in words and as a readable diff of the body.

django-simple-history keeps the revisions (Review.history); this module only describes them, for
the admin's revision list and compare page. Nothing here touches the database except reading the
related film or author of a revision a compare page shows.
"""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.contrib.admin.utils import display_for_field
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.text import capfirst

from .models import Review

# The body gets its own diff; the table of other changes leaves it out.
BODY = "body"
# Unchanged lines shown around each change; longer unchanged runs fold into "… n unchanged lines".
CONTEXT_LINES = 2
# How alike two lines must be (0 to 1) to be shown as one edited line rather than one removed and one added.
SAME_LINE_RATIO = 0.4


def as_revision(review: Review):
    """The review as it is now, shaped like one of its revisions, so revisions can be compared with it."""
    model = Review.history.model
    return model(**{f.attname: getattr(review, f.attname) for f in model.tracked_fields})


def changed_fields(new, old) -> list[str]:
    """Names of the fields a user edits that differ between two revisions, in the order of the form.

    Text that differs only in line endings (a browser sends CRLF, a script LF) is the same text: the compare
    page's diff (body_diff, by lines) shows no difference there, so the summary must not claim one.
    """
    changed = set(new.diff_against(old).changed_fields)
    return [
        f.name
        for f in Review._meta.fields
        if f.name in changed and _comparable(getattr(new, f.attname)) != _comparable(getattr(old, f.attname))
    ]


def _comparable(value):
    if isinstance(value, str):
        return value.splitlines()  # as body_diff reads it
    return value


def summarise(record, previous) -> list[str]:
    """What one save did, in a few words: ["Published", "Changed the title and body"].

    `previous` is the revision before `record`, or None for the first one kept.
    """
    if record.history_type == "+":
        return ["Created and published" if record.status == Review.Status.PUBLISHED else "Created as a draft"]
    if record.history_type == "-":
        return ["Deleted"]
    if previous is None:
        return ["First revision kept"]
    names = changed_fields(record, previous)
    what = []
    if "status" in names:
        what.append("Published" if record.status == Review.Status.PUBLISHED else "Moved back to draft")
    others = [str(Review._meta.get_field(name).verbose_name) for name in names if name != "status"]
    if others:
        what.append(f"Changed the {english_list(others)}")
    return what or ["Saved with no changes"]


def english_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


def field_changes(new, old) -> list[FieldChange]:
    """The fields other than the body that differ, with their values as the admin shows them."""
    changes = []
    for name in changed_fields(new, old):
        if name == BODY:
            continue
        model_field = Review._meta.get_field(name)
        changes.append(
            FieldChange(capfirst(model_field.verbose_name), display(old, model_field), display(new, model_field))
        )
    return changes


def display(obj, model_field: models.Field) -> str:
    try:
        value = getattr(obj, model_field.name)
    except ObjectDoesNotExist:
        return "(deleted since)"  # a film or user a revision points to, deleted later
    if isinstance(model_field, models.FileField):
        value = str(value)  # a revision keeps only the file's name
    return display_for_field(value, model_field, "—", avoid_link=True)


@dataclass
class DiffLine:
    """One row of a body diff.

    kind: "same", "removed", "added", "edited" (a line with words removed and added) or "folded"
    (`folded` unchanged lines left out). parts: (kind, text) pieces, kind being "same", "removed" or "added".
    """

    kind: str
    old_number: int | None = None
    new_number: int | None = None
    parts: list[tuple[str, str]] = field(default_factory=list)
    folded: int = 0


def body_diff(old: str, new: str, context: int = CONTEXT_LINES) -> list[DiffLine]:
    """A line-by-line diff of two Markdown texts, edited lines diffed word by word; [] when they are the same.

    Text stays plain: the template escapes it, so Markdown or HTML in a body shows as written.
    """
    old_lines, new_lines = old.splitlines(), new.splitlines()
    opcodes = SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes()
    if all(tag == "equal" for tag, *_ in opcodes):
        return []
    rows: list[DiffLine] = []
    last = len(opcodes) - 1
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            rows.extend(_unchanged(old_lines, i1, i2, j1, first=index == 0, last=index == last, context=context))
            continue
        old_block, new_block = old_lines[i1:i2], new_lines[j1:j2]
        for k in range(max(len(old_block), len(new_block))):
            old_line = old_block[k] if k < len(old_block) else None
            new_line = new_block[k] if k < len(new_block) else None
            old_number = i1 + k + 1 if old_line is not None else None
            new_number = j1 + k + 1 if new_line is not None else None
            parts = word_diff(old_line, new_line) if old_line is not None and new_line is not None else None
            if parts is not None:
                rows.append(DiffLine("edited", old_number, new_number, parts))
                continue
            if old_line is not None:
                rows.append(DiffLine("removed", old_number, None, [("removed", old_line)]))
            if new_line is not None:
                rows.append(DiffLine("added", None, new_number, [("added", new_line)]))
    return rows


def _unchanged(lines, i1, i2, j1, *, first, last, context):
    """Unchanged lines around a change, folding the middle of a long run."""
    numbered = [DiffLine("same", i + 1, j1 + (i - i1) + 1, [("same", lines[i])]) for i in range(i1, i2)]
    keep_before = 0 if first else context  # lines after the change above
    keep_after = 0 if last else context  # lines before the change below
    if len(numbered) <= keep_before + keep_after + 1:
        return numbered
    folded = len(numbered) - keep_before - keep_after
    return [*numbered[:keep_before], DiffLine("folded", folded=folded), *numbered[len(numbered) - keep_after :]]


TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(old: str, new: str) -> list[tuple[str, str]] | None:
    """Two versions of a line as (kind, text) pieces, or None if they have too little in common to pair."""
    old_tokens, new_tokens = TOKENS.findall(old), TOKENS.findall(new)
    old_words = [t for t in old_tokens if not t.isspace()]
    new_words = [t for t in new_tokens if not t.isspace()]
    if old_words and new_words and SequenceMatcher(None, old_words, new_words).ratio() < SAME_LINE_RATIO:
        return None
    # (old text, new text) runs, equal where the texts are the same.
    runs = [
        ("".join(old_tokens[i1:i2]), "".join(new_tokens[j1:j2]))
        for _tag, i1, i2, j1, j2 in SequenceMatcher(None, old_tokens, new_tokens, autojunk=False).get_opcodes()
    ]
    # A lone space between two changes reads better as part of one change: "-a b- +x y+" not "-a- +x- -b- +y-".
    merged: list[tuple[str, str]] = []
    for index, (old_text, new_text) in enumerate(runs):
        between_changes = 0 < index < len(runs) - 1 and runs[index - 1][0] != runs[index - 1][1]
        if old_text == new_text and not (old_text.isspace() and between_changes):
            merged.append((old_text, new_text))
        elif merged and merged[-1][0] != merged[-1][1]:
            merged[-1] = (merged[-1][0] + old_text, merged[-1][1] + new_text)
        else:
            merged.append((old_text, new_text))
    parts = []
    for old_text, new_text in merged:
        if old_text == new_text:
            parts.append(("same", old_text))
            continue
        parts += [(kind, text) for kind, text in (("removed", old_text), ("added", new_text)) if text]
    return parts
