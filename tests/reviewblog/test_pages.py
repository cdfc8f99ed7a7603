"""Simple pages (flatpages) under /pages/: in the site's design, described to search engines, not yet
public while they need a login, and the one Site row named after SITE_URL."""

import pytest
from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.core.management import call_command

from tests.reviews.test_seo import Head

pytestmark = pytest.mark.django_db

SITE = "https://films.example"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def simple_page(url="/about/", title="About", content="<p>Who writes here, and why.</p>", **fields):
    page = FlatPage.objects.create(url=url, title=title, content=content, **fields)
    page.sites.add(settings.SITE_ID)
    return page


def test_a_simple_page_is_served_under_pages_in_the_sites_design(client):
    page = simple_page()
    assert page.get_absolute_url() == "/pages/about/"
    response = client.get("/pages/about/")
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "flatpages/default.html"
    html = response.content.decode()
    assert '<header class="masthead">' in html and '<footer class="site-footer">' in html  # base.html
    assert "<h1>About</h1>" in html and "<p>Who writes here, and why.</p>" in html
    assert 'href="/static/css/public.css"' in html  # light and dark themes come from the stylesheet


def test_a_child_page_keeps_its_place_below_its_parent(client):
    simple_page()
    simple_page(url="/about/team/", title="The team")
    assert client.get("/pages/about/team/").status_code == 200
    assert client.get("/pages/about/team").status_code == 301  # APPEND_SLASH, as everywhere else


def test_a_simple_page_describes_itself_to_search_engines(client):
    simple_page(title="Review <policy>", content="<p>How we score: honestly &amp; in half steps.</p>")
    response = client.get("/pages/about/")
    html = response.content.decode()
    page = Head(html)
    assert page.title == "Review <policy> · Reel Verdicts"
    assert "<h1>Review &lt;policy&gt;</h1>" in html  # a title is text, whatever flatpages marks it
    assert page.canonical == [f"{SITE}/pages/about/"]
    assert page["og:title"] == "Review <policy>"
    assert page["og:url"] == f"{SITE}/pages/about/"
    assert page["description"] == page["og:description"] == "How we score: honestly & in half steps."
    assert "robots" not in page.meta


def test_a_page_needing_a_login_is_not_public(client, admin_client):
    simple_page(registration_required=True)
    response = client.get("/pages/about/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/pages/about/"
    staff = admin_client.get("/pages/about/")
    assert staff.status_code == 200
    assert Head(staff.content.decode())["robots"] == "noindex"


def test_a_missing_page_is_a_404(client):
    assert client.get("/pages/never-was/").status_code == 404


def test_a_simple_page_costs_one_query_once_the_site_row_is_known(client, django_assert_max_num_queries):
    simple_page()
    client.get("/pages/about/")  # the Site row is read once per process, then kept
    with django_assert_max_num_queries(1):
        assert client.get("/pages/about/").status_code == 200


def test_the_site_row_is_named_after_site_url_after_every_migrate(settings):
    settings.SITE_URL = "https://reel.example"
    call_command("migrate", verbosity=0)
    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("reel.example", settings.SITE_NAME)


def test_editors_keep_the_simple_pages_and_authors_do_not(client, editor, author):
    page = FlatPage.objects.create(url="/contact/", title="Contact", content="<p>Write to us.</p>")
    url = f"/admin/flatpages/flatpage/{page.pk}/change/"
    client.force_login(editor)
    assert client.get(url).status_code == 200
    assert "/admin/flatpages/flatpage/add/" in client.get("/admin/").content.decode()
    client.force_login(author)
    assert client.get(url).status_code == 403
