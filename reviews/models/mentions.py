"""[[Mentions]] in a review's Markdown: which film or person each one names.

`[[Atomic Blonde]]` names the film with that title, `[[Atomic Blonde (2017)]]` the one from that
year (for titles that repeat), `[[Ana de Armas]]` the person; films win over people of the same
name. A title shared by several films, without a year, names nothing: the preview flags it.
"""

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q

from ..markdown import mention_labels
from .catalogue import Film, Person

TITLE_WITH_YEAR = re.compile(r"^(?P<title>.*\S)\s*\((?P<year>\d{4})\)$")


@dataclass
class Mentions:
    urls: dict[str, str] = field(default_factory=dict)  # casefolded label → URL, for render_markdown
    films: list = field(default_factory=list)
    people: list = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def resolve(text: str) -> Mentions:
    """Resolve every mention in a text with at most two queries (films, then people)."""
    labels = sorted(mention_labels(text))
    found = Mentions()
    if not labels:
        return found
    wanted = {label: _title_and_year(label) for label in labels}
    films = list(Film.objects.filter(reduce(or_, (Q(title__iexact=title) for title, _ in wanted.values()))))
    people = list(Person.objects.filter(reduce(or_, (Q(name__iexact=label) for label in labels))))
    for label, (title, year) in wanted.items():
        candidates = [f for f in films if f.title.casefold() == title.casefold() and year in (None, f.release_year)]
        if year is None and not candidates:
            candidates = [f for f in films if f.title.casefold() == label.casefold()]
        named = [p for p in people if p.name.casefold() == label.casefold()]
        target = candidates[0] if len(candidates) == 1 else (named[0] if not candidates and len(named) == 1 else None)
        if target is None:
            found.missing.append(label)
            continue
        found.urls[label.casefold()] = target.get_absolute_url()
        (found.films if isinstance(target, Film) else found.people).append(target)
    return found


def _title_and_year(label: str) -> tuple[str, int | None]:
    match = TITLE_WITH_YEAR.match(label)
    return (match["title"], int(match["year"])) if match else (label, None)
