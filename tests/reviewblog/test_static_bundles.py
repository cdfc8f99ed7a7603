"""The public pages' one stylesheet, joined from site.css and article.css (reviewblog/static_bundles.py)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db

CSS = settings.BASE_DIR / "static" / "css"


def test_a_public_page_links_one_stylesheet_that_holds_the_site_and_the_article(client):
    review = ReviewFactory()
    html = client.get(review.get_absolute_url()).content.decode()
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) == ["/static/css/public.css"]
    joined = Path(finders.find("css/public.css")).read_text()
    site, article = (CSS / "site.css").read_text(), (CSS / "article.css").read_text()
    assert site in joined and article in joined and joined.index(site) < joined.index(article)


def test_the_joined_stylesheet_follows_an_edit_of_its_sources(settings, tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "site.css").write_text("body { color: red; }")
    (tmp_path / "css" / "article.css").write_text(".prose { color: blue; }")
    settings.STATICFILES_DIRS = [tmp_path]
    finders.get_finder.cache_clear()
    try:
        assert "color: red" in Path(finders.find("css/public.css")).read_text()
        (tmp_path / "css" / "site.css").write_text("body { color: green; }")
        joined = Path(finders.find("css/public.css")).read_text()
        assert "color: green" in joined and "color: red" not in joined and ".prose { color: blue; }" in joined
    finally:
        finders.get_finder.cache_clear()


def test_the_editors_preview_still_loads_the_article_alone(author_client):
    html = author_client.get(reverse("admin:reviews_review_add")).content.decode()
    assert "/static/css/article.css" in html and "/static/css/site.css" not in html
