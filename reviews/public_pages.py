"""What a public page depends on, declared on its view; the site's page cache and edge read the declaration
(reviewblog/page_cache.py) and do the caching, so this app only says what each page shows."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PublicPage:
    # state(**url kwargs): the page's stamps, read in one small query (models/page_states.py), or None
    # when the page is not public.
    state: Callable
    # Names the page at the edge ("film-{}" is formatted with the pk): the key touch_pages gives out when
    # the stamp moves.
    edge_key: str
    # The query parameters the page reads; any other query is rendered without the cache.
    query_keys: frozenset
    # What browsers and feed readers are told (patch_cache_control's arguments).
    cache_control: dict


def public_page(state, *, edge_key: str, query_keys=(), cache_control=None):
    """Record on the view what its page depends on; the view itself is left as it is."""

    def declare(view):
        view.public_page = PublicPage(state, edge_key, frozenset(query_keys), cache_control or {})
        return view

    return declare
