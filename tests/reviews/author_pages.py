"""Author pages (`reviews:author_detail`) come from another part of issue 4. Where they have not
landed yet, the `author_pages` fixture mounts a stand-in at the same name, so the feeds, sitemap and
JSON-LD can be tested linking to them either way; where they exist, the real pages are used."""

import pytest
from django.http import HttpResponse
from django.urls import NoReverseMatch, include, path, reverse

from reviews import urls as reviews_urls


def stand_in(request, slug):
    return HttpResponse(f"Author {slug}")


def urlpatterns_with_author_pages():
    from reviewblog.urls import urlpatterns as site

    reviews = ([*reviews_urls.urlpatterns, path("authors/<slug:slug>/", stand_in, name="author_detail")], "reviews")
    return [pattern for pattern in site if getattr(pattern, "app_name", None) != "reviews"] + [
        path("", include(reviews))
    ]


urlpatterns = urlpatterns_with_author_pages()


@pytest.fixture
def author_pages(settings):
    try:
        reverse("reviews:author_detail", args=["someone"])
    except NoReverseMatch:
        settings.ROOT_URLCONF = __name__
