"""Page stamps, and the one place that moves them.

Every public page reads one stamp: its row's `page_changed_at` (a review, film, person, author, genre or
franchise) or the `lists` stamp (PageStamp) for the pages listing all reviews. The page cache, the
304s, the kept fragments and the edge's keys all read these (models/page_states.py reads them for the
site's page cache and edge); `touch_pages` moves them, and every model's save, delete and QuerySet
writes call it. Each move is announced (stamps_moved) for those who keep copies of the pages.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

# Sent inside the change's transaction with the edge keys of the pages whose stamps moved (`keys`, listed
# only with an edge to purge: EDGE_PURGE_URL); the site's page cache and edge listen (reviewblog/apps.py).
stamps_moved = Signal()


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


# touch_pages argument → the model whose rows carry those pages' stamps. Named, not imported: every one
# of them saves through touch_pages, so they all import this module.
PAGE_MODELS = {
    "reviews": "Review",
    "films": "Film",
    "people": "Person",
    "authors": "AuthorProfile",
    "genres": "Genre",
    "franchises": "Franchise",
}


def page_models() -> dict:
    """touch_pages argument → the model whose rows carry those pages' stamps; its edge key is `<name>-<pk>`."""
    return {name: apps.get_model("reviews", model) for name, model in PAGE_MODELS.items()}


def touch_pages(*, lists: bool = False, **conditions: Q) -> None:
    """The one place page stamps move; the move is announced with the edge keys of the same pages.

    Every public page reads one stamp (models/page_states.py): its row's `page_changed_at` (a review, film,
    person, author, genre or franchise), or the `lists` stamp for the pages that list all reviews.
    `conditions` pick the pages that changed (reviews=Q(…), films=…, people=…, authors=…, genres=…,
    franchises=…); touching reviews also touches every page that lists them (pages_listing), so no
    caller has to know where a review is shown. Each model's save, delete, QuerySet.update, delete
    and bulk_create call this in the change's transaction (models/catalogue.py ShownQuerySet)."""
    if _touch_all_at_end.get():
        return  # every page is touched when the bulk change ends (every_page_touched_after)
    if (condition := conditions.get("reviews")) is not None:
        review_pks = list(page_models()["reviews"].objects.filter(condition).values_list("pk", flat=True))
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
    """Move the stamps of the rows each condition picks (and the lists stamp), then announce their edge keys."""
    now = timezone.now()
    keys = ["lists"] if lists else []
    for name, model in page_models().items():
        if (condition := conditions.get(name)) is None:
            continue
        # The plain QuerySet.update: the models' own update() calls this function.
        rows = model.objects.filter(condition)
        if not settings.EDGE_PURGE_URL:  # no edge, no keys to purge: one UPDATE, no list of rows
            models.QuerySet.update(rows, page_changed_at=now)
            continue
        pks = set(rows.values_list("pk", flat=True))
        if pks:
            # The rows whose keys are purged; all of them (Q()) without a list too long for one statement.
            models.QuerySet.update(model.objects.filter(pk__in=pks) if condition else rows, page_changed_at=now)
            keys += [f"{model._meta.model_name}-{pk}" for pk in pks]
    if lists:
        PageStamp.objects.update_or_create(name=PageStamp.LISTS, defaults={"changed_at": now})
    stamps_moved.send(PageStamp, keys=keys)


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
