"""Old links keep working: an address of the old blog answers 301 to where its content lives now.

Normal pages pay nothing: the table is read only for a request that would otherwise get a 404, and for
the home page when it carries one of WordPress's query links (/?p=12, /?page_id=3, /?cat=4 …).
"""

from urllib.parse import quote

from django.http import HttpResponsePermanentRedirect

from .models import OldLink

# WordPress's "plain" links: /?p=ID for a post, /?page_id=ID, /?cat=ID, /?tag=slug, /?attachment_id=ID.
SAFE = "/:?=&%#~+"  # characters of a URL that stay as they are; anything else (a non-ASCII slug) is escaped
QUERY_KEYS = ("p", "page_id", "cat", "tag", "attachment_id", "feed")


def query_link(params) -> str | None:
    """The stored form of a WordPress query link, e.g. "/?p=12"; only the first key that is present counts."""
    for key in QUERY_KEYS:
        if params.get(key):
            return f"/?{key}={params[key]}"
    return None


def destination(paths: list[str]) -> str | None:
    links = {link.path: link for link in OldLink.objects.filter(path__in=paths).select_related("content_type")}
    for path in paths:
        if path in links and (url := links[path].destination()):
            return url
    return None


def candidates(path: str) -> list[str]:
    """The stored forms a path may take: as asked, and with or without its trailing slash."""
    other = path[:-1] if path.endswith("/") else path + "/"
    return [path, other] if other else [path]


class OldLinkMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        link = query_link(request.GET) if request.path == "/" and request.GET else None
        if link and (url := destination([link])):
            return HttpResponsePermanentRedirect(quote(url, safe=SAFE))
        response = self.get_response(request)
        if response.status_code == 404 and request.method in ("GET", "HEAD"):
            url = destination(candidates(request.path))
            return HttpResponsePermanentRedirect(quote(url, safe=SAFE)) if url else response
        return response
