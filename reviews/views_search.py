"""The search results page: reviews, films and people, in a fixed number of queries."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from . import search
from .models import lists_page_state
from .pagination import page_or_404
from .public_pages import public_page

KINDS = ("all", "reviews", "films", "people")
PREVIEW = 4  # films and people shown above the reviews on the first page of "all"


# Only the bare page (no query) is shared: any query parameter renders afresh (no query_keys).
@public_page(lists_page_state, edge_key="lists")
def search_page(request):
    query = search.parse(request.GET.get("q", ""))
    kind = request.GET.get("type", "all")
    kind = kind if kind in KINDS else "all"
    context = {"query": query, "kind": kind, "max_length": search.MAX_QUERY_LENGTH}
    if query.problem:
        return render(request, "reviews/search.html", context)

    found = {"reviews": search.reviews(query), "films": search.films(query), "people": search.people(query)}
    listed = "reviews" if kind == "all" else kind
    page = page_or_404(Paginator(found[listed], settings.REVIEWS_PER_PAGE), request.GET.get("page"))
    counts = {name: page.paginator.count if name == listed else results.count() for name, results in found.items()}
    context |= {"page": page, "results": search.highlight(page.object_list, query), "counts": counts}
    if kind == "all" and page.number == 1:
        for name in ("films", "people"):
            context[name] = search.highlight(found[name][:PREVIEW], query) if counts[name] else []
    context["total"] = sum(counts.values())
    return render(request, "reviews/search.html", context)
