"""Page stamps: what each public page stands for, and the one place that moves it.

Every public page reads one stamp: its row's `page_changed_at` (a review, film, person, author, genre or
franchise) or the `lists` stamp (PageStamp) for the pages listing all reviews. The page cache, the
304s, the kept fragments and the edge's keys all read these (reviews/page_cache.py, reviews/edge.py);
`touch_pages` moves them, and every model's save, delete and QuerySet writes call it.
"""

import functools
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from django.db import connection, models
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .. import edge
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
# ReviewQuerySet.published() and scheduled(), written out (tests/reviews/test_every_page_fresh.py pins them).
LIVE_SQL = """(SELECT MAX(published_at) FROM {review} WHERE status = %s AND published_at <= %s),
    (SELECT MIN(published_at) FROM {review} WHERE status = %s AND published_at > %s)"""
REVIEW_STATE_SQL = """SELECT id, updated_at, page_changed_at, {live}
    FROM {review} WHERE slug = %s AND status = %s AND published_at <= %s"""
ROW_STATE_SQL = "SELECT id, page_changed_at, {live} FROM {table} WHERE slug = %s"
LISTS_STATE_SQL = """SELECT 0, s.changed_at, {live}
    FROM (SELECT MAX(changed_at) AS changed_at FROM {table} WHERE name = %s) s"""


def aware(value) -> datetime | None:
    """A timestamp as the ORM would give it (SQLite hands back naive UTC text or datetimes)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.make_aware(value, UTC) if value and timezone.is_naive(value) else value


def _state(sql: str, params: list) -> tuple | None:
    """(pk, stamps…, newest_live, next_live) in one query, or None when there is no such page. The page
    cache asks this on every request, so it is hand-written SQL (building it with the ORM took longer than
    serving the cached page), and its dates stay as the database gives them (SQLite: text) until one is
    needed (state_times). `now` in `params` stands for the time of the request."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    published = _reviews().Review.Status.PUBLISHED
    with connection.cursor() as cursor:
        cursor.execute(sql, [published, now, published, now, *(now if p is _NOW else p for p in params)])
        return cursor.fetchone()


def state_times(state: tuple) -> tuple:
    """A page state's dates as aware datetimes: (stamps…, newest_live, next_live)."""
    return tuple(map(aware, state[1:]))


_NOW = object()


def public_page_state(slug: str) -> tuple | None:
    """What the public page of review `slug` stands for, or None when it is not public:
    (pk, updated_at, page_changed_at, newest_live, next_live)."""
    review = _reviews().Review
    return _state(_sql(REVIEW_STATE_SQL, review), [slug, review.Status.PUBLISHED, _NOW])


def row_page_state(model, slug: str) -> tuple | None:
    """What the page of a film, person, author, genre or franchise stands for: (pk, page_changed_at,
    newest_live, next_live), or None when there is no such row."""
    return _state(_sql(ROW_STATE_SQL, model), [slug])


def film_page_state(slug: str) -> tuple | None:
    return row_page_state(Film, slug)


def person_page_state(slug: str) -> tuple | None:
    return row_page_state(Person, slug)


def lists_page_state(*args, **kwargs) -> tuple:
    """What every list of all reviews stands for (home, archive, feeds, search): (0, lists stamp,
    newest_live, next_live)."""
    return _state(_sql(LISTS_STATE_SQL, PageStamp), [PageStamp.LISTS])


@functools.cache
def _sql(template: str, model) -> str:
    review = _reviews().Review._meta.db_table
    return template.format(live=LIVE_SQL.format(review=review), review=review, table=model._meta.db_table)


def touch_franchise_pages(review_pks) -> None:
    """Films of a franchise list its other films with their counts of published reviews
    ("More from the World of …"), on the films' pages and on their reviews' pages."""
    franchises = Film.objects.filter(reviews__in=review_pks, franchise__isnull=False).values("franchise")
    touch_pages(reviews=Q(film__franchise__in=franchises), films=Q(franchise__in=franchises))
