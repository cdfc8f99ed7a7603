"""Page states' dates as the database gives them, made comparable (reviews/models/page_states.py reads them,
the page cache and the edge compare them)."""

from datetime import UTC, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime


def aware(value) -> datetime | None:
    """A timestamp as the ORM would give it (SQLite hands back naive UTC text or datetimes)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.make_aware(value, UTC) if value and timezone.is_naive(value) else value


def state_times(state: tuple) -> tuple:
    """A page state's dates as aware datetimes: (stamps…, newest_live, next_live)."""
    return tuple(map(aware, state[1:]))
