"""The old blog's addresses answer 301 to the new ones, in one step, and cost normal pages nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from reviewblog.models import ImportedItem, OldLink

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


@pytest.fixture
def blog(films, uploads):
    call_command("import_wordpress", str(FIXTURES / "blog.xml"), "--media", str(uploads), stdout=StringIO())
    return {
        "ballerina": ImportedItem.objects.get(kind="post", source_id="10").target,
        "atomic": ImportedItem.objects.get(kind="post", source_id="20").target,
        "mood": ImportedItem.objects.get(kind="post", source_id="25").target,
    }


def moved(client, path, **query):
    response = client.get(path, query)
    assert response.status_code == 301, (path, response.status_code)
    return response["Location"]


@pytest.mark.parametrize(
    "path",
    [
        "/2025/06/04/ballerina-2025/",  # /%year%/%monthnum%/%day%/%postname%/ (the export's own)
        "/2025/06/04/ballerina-2025",  # without its slash
        "/2025/06/ballerina-2025/",  # /%year%/%monthnum%/%postname%/
        "/ballerina-2025/",  # /%postname%/
        "/archives/10/",  # /archives/%post_id%
        "/index.php/2025/06/04/ballerina-2025/",  # "almost pretty" links
        "/2025/06/04/ballerina-2025/feed/",  # the post's comment feed
    ],
)
def test_post_permalinks_lead_to_the_review(blog, client, path):
    assert moved(client, path) == blog["ballerina"].get_absolute_url()


def test_query_links_lead_to_the_review(blog, client):
    assert moved(client, "/", p="10") == blog["ballerina"].get_absolute_url()
    assert moved(client, "/", p="20") == blog["atomic"].get_absolute_url()


def test_non_ascii_permalinks_lead_to_the_review(blog, client):
    assert moved(client, "/2020/11/12/%E8%8A%B1%E6%A8%A3%E5%B9%B4%E8%8F%AF/") == blog["mood"].get_absolute_url()


def test_category_and_tag_archives_and_their_feeds_lead_to_the_genre(blog, client):
    action = ImportedItem.objects.get(kind="category", source_id="action").target
    spy = ImportedItem.objects.get(kind="category", source_id="spy-thrillers").target
    noir = ImportedItem.objects.get(kind="tag", source_id="neo-noir").target
    assert moved(client, "/category/action/") == action.get_absolute_url()
    assert moved(client, "/category/action/spy-thrillers/") == spy.get_absolute_url()  # a child category
    assert moved(client, "/category/action/feed/") == action.get_absolute_url() + "feed/"
    assert moved(client, "/", cat="3") == action.get_absolute_url()
    assert moved(client, "/tag/neo-noir/") == noir.get_absolute_url()
    assert moved(client, "/", tag="neo-noir") == noir.get_absolute_url()


def test_feeds_lead_to_the_feed(blog, client):
    assert client.get("/feed/").status_code == 200  # the same address here
    assert moved(client, "/comments/feed/") == "/feed/"
    assert moved(client, "/", feed="rss2") == "/feed/"


def test_uploads_lead_to_the_stored_images(blog, client):
    stored = ImportedItem.objects.get(kind="attachment", source_id="11").file
    assert moved(client, "/wp-content/uploads/2025/06/ballerina-poster.jpg") == f"/media/{stored}"
    assert moved(client, "/wp-content/uploads/2025/06/ballerina-poster-300x200.jpg") == f"/media/{stored}"
    assert moved(client, "/", attachment_id="11") == f"/media/{stored}"


def test_no_chains_after_a_slug_changes(blog, client):
    review = blog["ballerina"]
    review.slug = "ballerina-review"
    review.save()
    location = moved(client, "/2025/06/04/ballerina-2025/")
    assert location == "/reviews/ballerina-review/"
    assert client.get(location).status_code == 200


def test_unknown_addresses_are_still_404(blog, client):
    assert client.get("/2025/06/04/never-was/").status_code == 404
    assert client.get("/", {"p": "99999"}).status_code == 200  # the home page, as before


def test_normal_pages_read_no_old_links(blog, client, django_assert_num_queries):
    OldLink.objects.create(path="/reviews/ballerina-2025/", url="/elsewhere/")  # would shadow, if it were read
    response = client.get(blog["ballerina"].get_absolute_url())
    assert response.status_code == 200


def test_a_missing_page_costs_one_query(blog, client, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get("/no/such/page/")
