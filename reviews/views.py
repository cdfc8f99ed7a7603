"""Public pages. Each one runs a fixed number of queries, whatever the number of rows it shows."""

import calendar
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Avg, Count, F
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from .models import (
    AuthorProfile,
    Credit,
    Film,
    Franchise,
    Genre,
    Person,
    Review,
    group_credits,
    lists_page_state,
    public_page_state,
    row_page_state,
)
from .pagination import page_or_404
from .public_pages import public_page


def _page(request, queryset):
    return page_or_404(Paginator(queryset, settings.REVIEWS_PER_PAGE), request.GET.get("page"))


# Every page is served from the page cache on its stamp (touch_pages moves it with anything it shows),
# under the same key at the edge: lists of all reviews share one, each subject's page has its row's.
lists_page = public_page(lists_page_state, edge_key="lists", query_keys={"page"})


def row_page(model, **options):
    return public_page(partial(row_page_state, model), edge_key=f"{model._meta.model_name}-{{}}", **options)


@lists_page
def home(request):
    page = _page(request, Review.objects.published().for_list())
    reviews = list(page)
    # The front page leads with the newest review and its film ("now reviewing"); later pages are plain lists.
    lead = reviews.pop(0) if reviews and page.number == 1 else None
    return render(request, "reviews/home.html", {"page": page, "lead": lead, "reviews": reviews})


# The comment page and the comment being answered make copies of their own. The page may carry a reader's
# CSRF token: only their browser may keep it, and it asks every time.
@public_page(
    public_page_state,
    edge_key="review-{}",
    query_keys={"cpage", "replytocom"},
    cache_control={"private": True, "no_cache": True},
)
def review_detail(request, slug):
    review = get_object_or_404(Review.objects.visible_to(request.user).for_detail(), slug=slug)
    return render_review_page(request, review)


def render_review_page(request, review, extra_context=None, status=200, template="reviews/review_detail.html"):
    """The review page; the comments app renders it too, to show a comment form with its errors, and the
    editor's preview of unsaved changes (reviews/admin_editing.py) with a template of its own."""
    film = review.film  # None for a piece about no single film (a list, an essay)
    context = {
        "review": review,
        "film": film,
        "directors": film.directors() if film else [],
        "cast": film.main_cast() if film else [],
        "more_from_franchise": film.more_from_franchise() if film else [],
    }
    return render(request, template, context | (extra_context or {}), status=status)


@row_page(Film)
def film_detail(request, slug):
    film = get_object_or_404(Film.objects.for_detail(), slug=slug)
    reviews = list(film.reviews.published().for_list())
    ratings = [r.rating for r in reviews if r.rating is not None]
    average = sum(ratings) / len(ratings) if ratings else None
    return render(
        request,
        "reviews/film_detail.html",
        {
            "film": film,
            "credit_groups": film.credits_by_job(),
            "directors": film.directors(),
            "reviews": reviews,
            "average_rating": average,
            "rating_count": len(ratings),
            "mentioned_in": film.mentioned_in.published().exclude(film=film).select_related("film"),
            "more_from_franchise": film.more_from_franchise(),
        },
    )


@row_page(Person)
def person_detail(request, slug):
    # The person comes with their credits, in one query (alone when they have none).
    credits = list(
        Credit.objects.filter(person__slug=slug)
        .select_related("film", "person")
        .order_by(F("film__release_year").desc(nulls_last=True), "billing")
    )
    person = credits[0].person if credits else get_object_or_404(Person, slug=slug)
    mentioned_in = person.mentioned_in.published().select_related("film")
    context = {
        "person": person,
        "credit_groups": group_credits(credits),
        "known_for": known_for(credits),
        "mentioned_in": mentioned_in,
    }
    return render(request, "reviews/person_detail.html", context)


def known_for(credits, limit=4):
    """A person's films where they were billed highest (then the newest), one credit per film."""
    best = {}
    for credit in sorted(credits, key=lambda c: (c.billing, -(c.film.release_year or 0))):
        best.setdefault(credit.film_id, credit)
    return list(best.values())[:limit]


@row_page(AuthorProfile, query_keys={"page"})
def author_detail(request, slug):
    profile = get_object_or_404(AuthorProfile.objects.select_related("user"), slug=slug)
    page = _page(request, Review.objects.published().for_list().filter(author_id=profile.user_id))
    if not page.paginator.count and not request.user.is_staff:
        raise Http404("This author has no published reviews.")
    return render(request, "reviews/author_detail.html", {"profile": profile, "page": page})


@row_page(Genre, query_keys={"page"})
def genre_detail(request, slug):
    genre = get_object_or_404(Genre, slug=slug)
    page = _page(request, Review.objects.published().for_list().filter(film__genres=genre))
    films = genre.films.all()
    return render(request, "reviews/genre_detail.html", {"genre": genre, "films": films, "page": page})


@row_page(Franchise, query_keys={"page"})
def franchise_detail(request, slug):
    franchise = get_object_or_404(Franchise, slug=slug)
    films = franchise.films.order_by("release_year", "title")
    page = _page(request, Review.objects.published().for_list().filter(film__franchise=franchise))
    return render(request, "reviews/franchise_detail.html", {"franchise": franchise, "films": films, "page": page})


@lists_page
def archive_index(request):
    months = (
        Review.objects.published()
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(count=Count("id"), average=Avg("rating"))
        .order_by("-month")
    )
    years: dict[int, dict] = {}
    for row in months:
        year = years.setdefault(row["month"].year, {"months": [], "count": 0})
        year["months"].append(row)
        year["count"] += row["count"]
    busiest = max((row["count"] for year in years.values() for row in year["months"]), default=1)
    for year in years.values():
        for row in year["months"]:
            row["share"] = f"{row['count'] / busiest:.1f}"  # the length of the month's bar
    return render(request, "reviews/archive.html", {"years": years})


@lists_page
def archive_period(request, year, month=None):
    if not 1900 <= year <= 2999 or (month is not None and not 1 <= month <= 12):
        raise Http404("No reviews from then.")
    tz = timezone.get_current_timezone()
    if month:
        start = datetime(year, month, 1, tzinfo=tz)
        end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
        label = f"{calendar.month_name[month]} {year}"
    else:
        start, end, label = datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz), str(year)
    reviews = Review.objects.published().for_list().filter(published_at__gte=start, published_at__lt=end)
    return render(request, "reviews/archive_period.html", {"page": _page(request, reviews), "label": label})
