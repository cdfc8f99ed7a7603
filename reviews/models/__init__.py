"""Films, the people who make them, and the reviews written about them.

models/base.py holds what both share, models/catalogue.py the films and people, models/review.py the
reviews and their authors, models/stamps.py the one place that moves the stamps each public page stands
for and models/page_states.py the reading of them, models/editing.py what keeps a review safe while it is
being edited, models/jobs.py and models/outbox.py what the background jobs and the emails waiting to be
sent keep.
"""

from .base import HALF_STEPS, SCORE_CHOICES, SluggedModel, reading_minutes, unique_slug
from .catalogue import Credit, Film, FilmQuerySet, Franchise, Genre, Person, group_credits
from .editing import Autosave, EditLock
from .jobs import DailyChore
from .outbox import OutgoingEmail, OutgoingEmailQuerySet
from .page_states import (
    aware,
    film_page_state,
    lists_page_state,
    person_page_state,
    public_page_state,
    row_page_state,
    state_times,
)
from .review import AuthorProfile, Review, ReviewAspect, ReviewQuerySet, display_name
from .stamps import PageStamp, every_page_touched_after, touch_pages

__all__ = [
    "aware",
    "HALF_STEPS",
    "SCORE_CHOICES",
    "AuthorProfile",
    "Autosave",
    "Credit",
    "DailyChore",
    "EditLock",
    "PageStamp",
    "Film",
    "FilmQuerySet",
    "Franchise",
    "Genre",
    "OutgoingEmail",
    "OutgoingEmailQuerySet",
    "Person",
    "Review",
    "ReviewAspect",
    "ReviewQuerySet",
    "SluggedModel",
    "display_name",
    "every_page_touched_after",
    "group_credits",
    "reading_minutes",
    "film_page_state",
    "lists_page_state",
    "row_page_state",
    "state_times",
    "person_page_state",
    "public_page_state",
    "touch_pages",
    "unique_slug",
]
