"""Commenting on a page served from the shared page cache (reviewblog/page_cache.py): the copy holds no
CSRF token, the form fetches the reader's own, and without JavaScript nothing typed is lost."""

import re

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from comments import moderation
from comments.models import Comment
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def read(url, client=None) -> str:
    response = (client or Client()).get(url)  # by default a new reader each time: no cookies
    assert response.status_code == 200
    return response.content.decode()


def test_staff_and_readers_with_a_pending_comment_get_their_own_page(client, review, post_comment):
    read(review.get_absolute_url())  # the shared copy is cached
    post_comment(review, body="Waiting for the moderator, and I can see it.")
    own = read(review.get_absolute_url(), client)
    assert "Waiting for the moderator, and I can see it." in own
    assert "awaiting moderation" in own
    assert "Waiting for the moderator" not in read(review.get_absolute_url())  # everyone else

    staff = Client()
    staff.force_login(UserFactory(group="Editors", is_staff=True))
    assert ">Write</a>" in read(review.get_absolute_url(), staff)
    assert ">Write</a>" not in read(review.get_absolute_url())


def comment_fields(**overrides):
    return {
        "author_name": "Ana Reader",
        "author_email": "ana@example.com",
        "author_url": "",
        "body": "Posted from a cached page.",
        "homepage": "",
        **overrides,
    }


def test_a_comment_posted_from_a_cached_page_is_accepted(review):
    reader = Client(enforce_csrf_checks=True, HTTP_USER_AGENT="Mozilla/5.0 Test")
    read(review.get_absolute_url())  # someone else filled the cache
    page = read(review.get_absolute_url(), reader)
    assert 'name="csrfmiddlewaretoken" value=""' in page
    token = reader.get(reverse("comments:form_token")).json()["token"]  # what the form's script does
    response = reader.post(reverse("comments:post", args=[review.slug]), comment_fields(csrfmiddlewaretoken=token))
    assert response.status_code == 302
    assert Comment.objects.get().body == "Posted from a cached page."
    assert "Posted from a cached page." in read(review.get_absolute_url(), reader)  # theirs, pending


def test_without_javascript_a_tokenless_comment_comes_back_with_its_text(review):
    reader = Client(enforce_csrf_checks=True, HTTP_USER_AGENT="Mozilla/5.0 Test")
    read(review.get_absolute_url())
    read(review.get_absolute_url(), reader)
    url = reverse("comments:post", args=[review.slug])
    response = reader.post(url, comment_fields(body="Nothing I typed is lost."))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Nothing I typed is lost." in page
    assert "press Post comment again" in page
    assert not Comment.objects.exists()

    # The page that came back carries a token (and set its cookie): sending again works.
    [token] = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    again = reader.post(url, comment_fields(body="Nothing I typed is lost.", csrfmiddlewaretoken=token))
    assert again.status_code == 302
    assert Comment.objects.get().body == "Nothing I typed is lost."


def test_other_csrf_failures_get_django_s_own_page():
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(UserFactory(is_staff=True))
    assert staff.post(reverse("admin:logout")).status_code == 403


# --- Fragments kept for pages rendered per reader ---


def test_a_reader_with_their_own_page_still_sees_a_newly_approved_comment(review):
    staff = Client()
    staff.force_login(UserFactory(group="Editors", is_staff=True))
    comment = CommentFactory(review=review, status=Comment.Status.PENDING, body="Second thoughts on the finale.")
    assert "Second thoughts on the finale." not in read(review.get_absolute_url(), staff)  # listing kept
    moderation.approve(comment)
    assert "Second thoughts on the finale." in read(review.get_absolute_url(), staff)


def test_a_kept_blank_form_carries_each_reader_s_own_token(review):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for reader in (first, second):
        reader.force_login(UserFactory(is_staff=True))  # their pages are rendered for them, not shared
    tokens = []
    for reader in (first, second):
        page = read(review.get_absolute_url(), reader)
        [token] = re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', page)
        tokens.append(token)
    assert all(tokens) and tokens[0] != tokens[1]
    response = second.post(reverse("comments:post", args=[review.slug]), comment_fields(csrfmiddlewaretoken=tokens[1]))
    assert response.status_code == 302


# --- Deleted comments leave the page (a moderator's decisions: tests/reviewblog/test_page_cache.py) ---


def test_comments_deleted_in_the_admin_leave_the_page_at_once(review, moderator_client):
    one = CommentFactory(review=review, body="Deleted on its own page.")
    two = CommentFactory(review=review, body="Deleted from the list.")
    assert "Deleted on its own page." in read(review.get_absolute_url())
    moderator_client.force_login(UserFactory(is_superuser=True, is_staff=True))
    moderator_client.post(reverse("admin:comments_comment_delete", args=[one.pk]), {"post": "yes"})
    assert "Deleted on its own page." not in read(review.get_absolute_url())
    assert "Deleted from the list." in read(review.get_absolute_url())
    moderator_client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "delete_selected", "_selected_action": [two.pk], "post": "yes"},
    )
    assert not Comment.objects.exists()
    assert "Deleted from the list." not in read(review.get_absolute_url())


def test_a_new_slug_gives_the_kept_form_its_new_address(review):
    read(review.get_absolute_url())
    review.slug = "grief-with-a-gun-revisited"
    review.save()
    page = read(review.get_absolute_url())
    assert 'action="/reviews/grief-with-a-gun-revisited/comments/"' in page


# --- What the cache refuses ---


def test_a_post_from_another_site_is_refused_not_handed_back(review):
    forger = Client(enforce_csrf_checks=True)
    response = forger.post(
        reverse("comments:post", args=[review.slug]),
        comment_fields(body="Click here for a prize"),
        headers={"origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert "Click here for a prize" not in response.content.decode()
    assert "csrftoken" not in response.cookies
    assert not Comment.objects.exists()


def test_numbers_written_oddly_are_served_but_not_kept(review, django_assert_max_num_queries):
    read(review.get_absolute_url())
    for query in ("?cpage=01", "?cpage=²", "?cpage=2&cpage=1"):
        for _ in range(2):  # rendered both times: never kept under a key of its own
            with django_assert_max_num_queries(7) as queries:
                Client().get(review.get_absolute_url() + query)
            assert len(queries) > 1


def test_a_cached_page_still_refuses_hosts_not_allowed(review):
    read(review.get_absolute_url())
    assert Client().get(review.get_absolute_url(), headers={"host": "evil.example"}).status_code == 400


def test_filling_the_page_cache_never_drops_a_rate_limit_count(review, post_comment, settings):
    settings.COMMENT_RATE_LIMIT = "1/m"
    assert post_comment(review, body="one").status_code == 302
    caches["pages"].set_many({f"page:made-up-{n}": "x" for n in range(10_000)})  # twice what it may hold
    assert post_comment(review, body="two").status_code == 429  # the count of one is still there
