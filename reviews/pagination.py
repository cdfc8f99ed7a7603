"""One page of a list, or a 404: a made-up page number is never shown as the last page.

Django's `Paginator.get_page` answers `?page=4000` with the last page, so every made-up number would
make a page of its own for the page cache and its fragments to keep (3,000 such requests would leave
6,006 keys in Redis). Past either end is "not found", which nothing caches.
"""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404


def page_or_404(paginator: Paginator, number):
    """The page numbered `number`; the first page when there is no number, 404 past either end."""
    try:
        return paginator.page(paginator.validate_number(number))
    except PageNotAnInteger:
        return paginator.page(1)  # no number, or words: the first page (never cached: not a plain number)
    except EmptyPage as error:
        raise Http404("There is no such page.") from error
