"""On the public side: comment feeds, readers' pictures made here, and badges."""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from comments.avatars import avatar_url
from comments.models import Comment
from tests.factories import CommentFactory, ReviewFactory

pytestmark = pytest.mark.django_db
Status = Comment.Status


def test_a_reviews_comment_feed_holds_its_approved_comments_only(client, review):
    CommentFactory(review=review, author_name="Zoë", body="Approved & <b>escaped</b>")
    CommentFactory(review=review, status=Status.PENDING, body="Still waiting")
    CommentFactory(review=review, status=Status.SPAM, body="Cheap watches")
    CommentFactory(body="On another review")
    for name in ("comments:review_feed", "comments:review_feed_atom"):
        xml = client.get(reverse(name, args=[review.slug])).content.decode()
        assert "Zoë on “Ballerina dances with knives”" in xml
        assert "&amp;lt;b&amp;gt;escaped" in xml  # a reader's markup stays text, escaped again for XML
        assert "Still waiting" not in xml and "Cheap watches" not in xml and "On another review" not in xml


def test_the_sites_comment_feed_leaves_out_drafts(client, review):
    CommentFactory(review=review, body="On a published review")
    CommentFactory(review=ReviewFactory(status="draft"), body="On a draft")
    xml = client.get(reverse("comments:feed")).content.decode()
    assert "On a published review" in xml and "On a draft" not in xml
    assert client.get(reverse("comments:review_feed", args=["no-such-review"])).status_code == 404


def test_comment_feeds_run_a_fixed_number_of_queries(client, review, django_assert_max_num_queries):
    CommentFactory.create_batch(60, review=review)
    with django_assert_max_num_queries(2):
        assert client.get(reverse("comments:feed_atom")).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(reverse("comments:review_feed", args=[review.slug])).status_code == 200


class HeadFeeds(HTMLParser):
    """The feeds a feed reader or browser finds in a page's <head>: (type, title, address)."""

    def __init__(self, html):
        super().__init__()
        self.feeds, self._in_head = [], False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._in_head = self._in_head or tag == "head"
        if self._in_head and tag == "link" and attrs.get("rel") == "alternate":
            self.feeds.append((attrs["type"], attrs["title"], attrs["href"]))

    def handle_endtag(self, tag):
        self._in_head = self._in_head and tag != "head"


def test_the_review_page_lists_its_comment_feeds_in_its_head(client, review, settings):
    settings.SITE_URL = "https://films.example"
    feeds = HeadFeeds(client.get(review.get_absolute_url()).content.decode()).feeds
    rss, atom = (reverse(name, args=[review.slug]) for name in ("comments:review_feed", "comments:review_feed_atom"))
    assert ("application/rss+xml", "Comments on “Ballerina dances with knives”", f"https://films.example{rss}") in feeds
    assert (
        "application/atom+xml",
        "Comments on “Ballerina dances with knives” (Atom)",
        f"https://films.example{atom}",
    ) in feeds
    for kind, url in (("application/rss+xml", rss), ("application/atom+xml", atom)):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith(kind)


def test_a_draft_preview_lists_no_comment_feed(admin_client):
    draft = ReviewFactory(status="draft")
    feeds = HeadFeeds(admin_client.get(draft.get_absolute_url()).content.decode()).feeds
    assert not [url for _, _, url in feeds if "/comments/" in url]  # its feed would be "not found"


def test_pictures_are_made_here_from_a_keyed_hash(settings):
    picture = avatar_url("Ana@Example.com ")
    assert picture.startswith("data:image/svg+xml;base64,")
    assert picture == avatar_url("ana@example.com") != avatar_url("ben@example.com")
    settings.SECRET_KEY = "another key"
    assert avatar_url("ana@example.com") != picture  # nobody can match it to an address
    settings.COMMENT_GRAVATAR = True
    assert avatar_url("ana@example.com").startswith("https://www.gravatar.com/avatar/")


def test_the_review_page_asks_no_third_party_for_pictures(review):
    CommentFactory(review=review, author_email="ana@example.com")
    html = Client().get(review.get_absolute_url()).content.decode()
    assert 'class="comment-avatar" src="data:image/svg+xml;base64,' in html
    assert "gravatar" not in html and "ana@example.com" not in html


def test_the_review_authors_own_comment_carries_an_author_badge(review):
    CommentFactory(review=review, user=review.author, author_name="The critic", body="Thanks for reading!")
    html = Client().get(review.get_absolute_url()).content.decode()
    assert '<span class="comment-badge comment-badge-author">Author</span>' in html
    assert "comment-badge-staff" not in html
