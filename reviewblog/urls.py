from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static as static_url
from django.urls import include, path

from reviews import editor, seo
from reviews.sitemaps import SITEMAPS

admin.site.site_header = f"{settings.SITE_NAME} — editorial desk"
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = "Write, edit and moderate"


def icon(name):
    """Browsers and feed readers ask for /favicon.ico and /apple-touch-icon.png whatever the page says."""
    return lambda request: HttpResponsePermanentRedirect(static_url(f"img/{name}"))


urlpatterns = [
    path("favicon.ico", icon("favicon.ico")),
    path("apple-touch-icon.png", icon("apple-touch-icon.png")),
    path("admin/", admin.site.urls),
    # The markdownx widget posts to these absolute paths; staff-only replacements of its views.
    path("markdownx/", include(editor.urlpatterns)),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", seo.robots_txt, name="robots_txt"),
    # Simple pages (About, Contact) by flatpages' own view, under a prefix of their own so they never
    # shadow the site's addresses (the fallback middleware would also answer 404s before the old links).
    path("pages/", include("django.contrib.flatpages.urls")),
    path("", include("comments.urls")),
    path("", include("reviewblog.newsletter.urls")),
    path("", include("reviews.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
