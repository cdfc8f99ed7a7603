"""sitemap.xml: every public page worth finding, with the date it last changed.

Reviews carry their own dates. Films, people, genres, franchises and authors have none, and their
pages are worth listing only once they hold a published review, so each is listed with the newest
change among its published reviews. Simple pages (flatpages: About, Contact) are listed while public,
with no date (they keep none). One query per section, whatever the number of pages.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Greatest
from django.urls import reverse

from .models import AuthorProfile, Film, Franchise, Genre, Person, Review


def last_changed():
    """When a review last changed for its readers: saved, or published at its scheduled time."""
    return Greatest("updated_at", "published_at")


def newest_review(**lookups) -> Subquery:
    """When the newest published review matching `lookups` (with OuterRef) last changed."""
    reviews = Review.objects.published().filter(**lookups).annotate(changed=last_changed())
    return Subquery(reviews.order_by("-changed").values("changed")[:1])


class SiteSitemap(Sitemap):
    """Addresses on SITE_URL, whatever host name the request came in on."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def lastmod(self, item):
        return item.lastmod


class ReviewSitemap(SiteSitemap):
    def items(self):
        return list(Review.objects.published().annotate(lastmod=last_changed()).only("slug").order_by("-published_at"))


class ReviewedSitemap(SiteSitemap):
    """Pages of a model listed once they hold a published review: `lookup` leads from a review to them."""

    model = None
    lookup = ""

    def items(self):
        rows = self.model.objects.annotate(lastmod=newest_review(**{self.lookup: OuterRef("pk")}))
        return list(rows.filter(lastmod__isnull=False).only("slug"))


class FilmSitemap(ReviewedSitemap):
    model, lookup = Film, "film"


class PersonSitemap(ReviewedSitemap):
    model, lookup = Person, "film__credits__person"


class GenreSitemap(ReviewedSitemap):
    model, lookup = Genre, "film__genres"


class FranchiseSitemap(ReviewedSitemap):
    model, lookup = Franchise, "film__franchise"


class AuthorSitemap(ReviewedSitemap):
    """Author pages (reviews:author_detail) of everyone with a published review."""

    model = AuthorProfile

    def items(self):
        rows = AuthorProfile.objects.annotate(lastmod=newest_review(author=OuterRef("user_id")))
        return list(rows.filter(lastmod__isnull=False).only("slug"))


class PageSitemap(SiteSitemap):
    """The home page and the archive, which change with every review."""

    def items(self):
        newest = Review.objects.published().aggregate(changed=Max(last_changed()))["changed"]
        return [("reviews:home", newest), ("reviews:archive", newest)] if newest else [("reviews:home", None)]

    def location(self, item):
        return reverse(item[0])

    def lastmod(self, item):
        return item[1]


class FlatPageSitemap(SiteSitemap):
    """Simple pages of this site that anyone may read (a page needing a login is not yet public)."""

    def items(self):
        return list(FlatPage.objects.filter(sites=settings.SITE_ID, registration_required=False).order_by("url"))

    def lastmod(self, item):
        return None


SITEMAPS = {
    "pages": PageSitemap,
    "reviews": ReviewSitemap,
    "films": FilmSitemap,
    "people": PersonSitemap,
    "genres": GenreSitemap,
    "franchises": FranchiseSitemap,
    "authors": AuthorSitemap,
    "flatpages": FlatPageSitemap,
}
