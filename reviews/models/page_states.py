"""What each public page stands for: its stamps read in one small query, with the published rule's dates.

The site's page cache, its 304s and the edge read these (reviewblog/page_cache.py); models/stamps.py moves the stamps.
"""

import functools
from datetime import datetime

from django.db import connection
from django.db.models import Func, Subquery, Value
from django.utils import timezone

from ..timestamps import aware, state_times  # noqa: F401  (state_times: read with the states)
from .catalogue import Film, Person
from .review import Review
from .stamps import PageStamp


# A scheduled review going live joins lists and counts without anything being saved, so every page's state
# holds the newest live review's date; the next one to go live tells the edge how long it may keep a copy.
def _live_dates() -> dict:
    """newest_live and next_live as subqueries of ReviewQuerySet.published() and scheduled() themselves."""
    reviews = Review.objects.order_by()
    newest = reviews.published().annotate(d=Func("published_at", function="MAX")).values("d")
    following = reviews.scheduled().annotate(d=Func("published_at", function="MIN")).values("d")
    return {"newest_live": Subquery(newest), "next_live": Subquery(following)}


def _review_state_query():
    return (
        Review.objects.published()
        .order_by()
        .filter(slug=_SLUG)
        .annotate(**_live_dates())
        .values_list("id", "updated_at", "page_changed_at", "newest_live", "next_live")
    )


def _row_state_query(model):
    rows = model._base_manager.order_by().filter(slug=_SLUG).annotate(**_live_dates())
    return rows.values_list("id", "page_changed_at", "newest_live", "next_live")


def _lists_state_query():
    stamps = PageStamp.objects.order_by().filter(name=PageStamp.LISTS).annotate(**_live_dates())
    return stamps.values_list(Value(0), "changed_at", "newest_live", "next_live")


_SLUG = "\x00slug"  # stands for the slug asked for, in the compiled statement's parameters
_NOW = object()


@functools.cache
def _statement(build, *args, vendor: str) -> tuple[str, list]:
    """The SQL of a state query, compiled once per process from the ORM (so "published" is the QuerySet's
    rule, not a copy of it), and its parameters, with the slug and the clock as placeholders to fill."""
    before = timezone.now()
    sql, params = build(*args).query.sql_with_params()
    after = timezone.now()

    def placeholder(value):
        if value == _SLUG:
            return _SLUG
        when = aware(value) if isinstance(value, (str, datetime)) else None
        return _NOW if when and before <= when <= after else value  # the time published() was asked at

    return sql, [placeholder(value) for value in params]


def _state(build, *args, slug: str = "") -> tuple | None:
    """(pk, stamps…, newest_live, next_live) in one query, or None when there is no such page. The page
    cache asks this on every request it cannot answer from the shared cache (page_cache.current_state), so
    the statement is compiled once and its dates stay as the database gives them (SQLite: text) until one
    is needed (state_times)."""
    sql, params = _statement(build, *args, vendor=connection.vendor)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [now if p is _NOW else slug if p is _SLUG else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def public_page_state(slug: str) -> tuple | None:
    """What the public page of review `slug` stands for, or None when it is not public:
    (pk, updated_at, page_changed_at, newest_live, next_live)."""
    return _state(_review_state_query, slug=slug)


def row_page_state(model, slug: str) -> tuple | None:
    """What the page of a film, person, author, genre or franchise stands for: (pk, page_changed_at,
    newest_live, next_live), or None when there is no such row."""
    return _state(_row_state_query, model, slug=slug)


def film_page_state(slug: str) -> tuple | None:
    return row_page_state(Film, slug)


def person_page_state(slug: str) -> tuple | None:
    return row_page_state(Person, slug)


def lists_page_state(*args, **kwargs) -> tuple:
    """What every list of all reviews stands for (home, archive, feeds, search): (0, lists stamp,
    newest_live, next_live)."""
    state = _state(_lists_state_query)
    if state is None:  # a new database: the lists stamp is made on the first change, or here
        PageStamp.objects.get_or_create(name=PageStamp.LISTS)
        state = _state(_lists_state_query)
    return state
