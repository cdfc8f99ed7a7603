"""Page stamps: what each public page stands for, and the one place that moves it.

Every public page reads one stamp: its row's `page_changed_at` (a review, film, person, author, genre or
franchise) or the `lists` stamp (PageStamp) for the pages listing all reviews. The page cache, the
304s, the kept fragments and the edge's keys all read these (reviews/page_cache.py, reviews/edge.py);
`touch_pages` moves them, and every model's save, delete and QuerySet writes call it.
"""

import functools
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.db import connection, models, transaction
from django.db.models import Func, Q, Subquery, Value
from django.utils import timezone

from .. import edge, page_cache
from ..timestamps import aware, state_times  # noqa: F401  (state_times: read with the states)
from .catalogue import Film, Franchise, Genre, Person


def _reviews():
    """models/review.py imports this module, so its models are fetched when a function needs them."""
    from . import review

    return review


# The pages that list reviews, named as touch_pages arguments: a film's own reviews and those that mention
# it, the people a review mentions or whose films it reviews (their feed), its author, its film's genres
# and franchise, and every list of all reviews (home, archive, feeds, search).
def pages_listing(pks) -> dict:
    return {
        "films": Q(reviews__in=pks) | Q(mentioned_in__in=pks),
        "people": Q(mentioned_in__in=pks) | Q(credits__film__reviews__in=pks),
        "authors": Q(user__reviews__in=pks),
        "genres": Q(films__reviews__in=pks),
        "franchises": Q(films__reviews__in=pks),
        "lists": True,
    }


def page_models() -> dict:
    """touch_pages argument → the model whose rows carry those pages' stamps; its edge key is `<name>-<pk>`."""
    return {
        "reviews": _reviews().Review,
        "films": Film,
        "people": Person,
        "authors": _reviews().AuthorProfile,
        "genres": Genre,
        "franchises": Franchise,
    }


def touch_pages(*, lists: bool = False, **conditions: Q) -> None:
    """The one place page stamps move, and the edge keys of the same pages are purged (after commit).

    Every public page reads one stamp (see page_state): its row's `page_changed_at` (a review, film,
    person, author, genre or franchise), or the `lists` stamp for the pages that list all reviews.
    `conditions` pick the pages that changed (reviews=Q(…), films=…, people=…, authors=…, genres=…,
    franchises=…); touching reviews also touches every page that lists them (pages_listing), so no
    caller has to know where a review is shown. Each model's save, delete, QuerySet.update, delete
    and bulk_create call this in the change's transaction (models/catalogue.py ShownQuerySet)."""
    if _touch_all_at_end.get():
        return  # every page is touched when the bulk change ends (every_page_touched_after)
    if (condition := conditions.get("reviews")) is not None:
        review_pks = list(_reviews().Review.objects.filter(condition).values_list("pk", flat=True))
        conditions["reviews"] = Q(pk__in=review_pks)
        if review_pks:
            for name, listing in pages_listing(review_pks).items():
                if name == "lists":
                    lists = True
                else:
                    conditions[name] = conditions[name] | listing if name in conditions else listing
    if unknown := set(conditions) - set(page_models()):
        raise TypeError(f"touch_pages() names no pages called {', '.join(sorted(unknown))}")
    _move_stamps(lists, conditions)


def _move_stamps(lists: bool, conditions: dict) -> None:
    """Move the stamps of the rows each condition picks (and the lists stamp), then purge their edge keys."""
    now = timezone.now()
    keys = ["lists"] if lists else []
    for name, model in page_models().items():
        if (condition := conditions.get(name)) is None:
            continue
        # The plain QuerySet.update: the models' own update() calls this function.
        rows = model.objects.filter(condition)
        if not edge.enabled():  # no keys to purge: one UPDATE, no list of rows
            models.QuerySet.update(rows, page_changed_at=now)
            continue
        pks = set(rows.values_list("pk", flat=True))
        if pks:
            # The rows whose keys are purged; all of them (Q()) without a list too long for one statement.
            models.QuerySet.update(model.objects.filter(pk__in=pks) if condition else rows, page_changed_at=now)
            keys += [f"{model._meta.model_name}-{pk}" for pk in pks]
    if lists:
        PageStamp.objects.update_or_create(name=PageStamp.LISTS, defaults={"changed_at": now})
    # States other processes remember from the shared cache are read afresh: now, and once the change is
    # committed (a reader between the two may have read the stamps as they were; see page_cache.py).
    page_cache.stamps_moved()
    transaction.on_commit(page_cache.stamps_moved)
    edge.purge_after_commit(keys)


_touch_all_at_end = ContextVar("touch_all_at_end", default=False)


@contextmanager
def every_page_touched_after():
    """For a change too big to follow page by page (a WordPress import): inside, touch_pages moves
    nothing; at the end, even a failed one, every page's stamp moves at once (one UPDATE per model).
    Rows added inside carry a fresh stamp of their own; pages showing changed rows lag until the end."""
    if _touch_all_at_end.get():
        yield  # already inside one: the outer one touches
        return
    token = _touch_all_at_end.set(True)
    try:
        yield
    finally:
        _touch_all_at_end.reset(token)
        _move_stamps(True, dict.fromkeys(page_models(), Q()))


class PageStamp(models.Model):
    """The stamp of pages that are no one row's own: `lists`, every list of all reviews (home, archive,
    feeds, search), moved with every review (touch_pages). Other apps keep a named stamp here too
    (the comments app's rules, which each process compiles once per change)."""

    LISTS = "lists"

    name = models.CharField(max_length=40, primary_key=True)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.name}: {self.changed_at}"


# A scheduled review going live joins lists and counts without anything being saved, so every page's state
# holds the newest live review's date; the next one to go live tells the edge how long it may keep a copy.
def _live_dates() -> dict:
    """newest_live and next_live as subqueries of ReviewQuerySet.published() and scheduled() themselves."""
    reviews = _reviews().Review.objects.order_by()
    newest = reviews.published().annotate(d=Func("published_at", function="MAX")).values("d")
    following = reviews.scheduled().annotate(d=Func("published_at", function="MIN")).values("d")
    return {"newest_live": Subquery(newest), "next_live": Subquery(following)}


def _review_state_query():
    return (
        _reviews()
        .Review.objects.published()
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


def touch_franchise_pages(review_pks) -> None:
    """Films of a franchise list its other films with their counts of published reviews
    ("More from the World of …"), on the films' pages and on their reviews' pages."""
    franchises = Film.objects.filter(reviews__in=review_pks, franchise__isnull=False).values("franchise")
    touch_pages(reviews=Q(film__franchise__in=franchises), films=Q(franchise__in=franchises))
