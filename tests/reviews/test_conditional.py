"""Conditional GET: 304 Not Modified for a copy that is still current, and a full page whenever the
reader would otherwise miss something (a new comment, their own pending comment, a staff view)."""

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from comments.models import Comment, touch_review
from reviews import cache_keys
from reviews.models import PageStamp, Review
from tests.factories import CommentFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def review():
    """A review last changed an hour ago: Last-Modified counts whole seconds."""
    review = ReviewFactory(title="Grief with a gun", body="Eve learns to fight.")
    an_hour_ago = timezone.now() - timezone.timedelta(hours=1)
    Review.objects.filter(pk=review.pk).update(updated_at=an_hour_ago, page_changed_at=an_hour_ago)
    PageStamp.objects.update(changed_at=an_hour_ago)  # the feed's: every list of all reviews
    review.refresh_from_db()
    return review


def visit(client, review):
    """A reader's visit: the page as every anonymous reader gets it (the second time from the page cache)."""
    client.get(review.get_absolute_url())
    response = client.get(review.get_absolute_url())
    assert response.status_code == 200
    return response


def revisit(client, review, copy):
    return client.get(review.get_absolute_url(), headers={"if-none-match": copy["ETag"]})


# --- Review page ---


def test_a_reader_whose_copy_is_current_gets_304_for_one_query(client, review, django_assert_num_queries):
    copy = visit(client, review)
    with django_assert_num_queries(1):
        response = revisit(client, review, copy)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == copy["ETag"]


def test_if_modified_since_alone_gets_304_until_the_review_changes(review):
    crawler = Client()  # keeps no cookies between visits
    copy = crawler.get(review.get_absolute_url())
    since = {"if-modified-since": copy["Last-Modified"]}
    assert crawler.get(review.get_absolute_url(), headers=since).status_code == 304
    touch_review(review)
    review.refresh_from_db()
    later = {"if-modified-since": http_date(review.page_changed_at.timestamp() + 1)}
    assert crawler.get(review.get_absolute_url(), headers=since).status_code == 200
    assert crawler.get(review.get_absolute_url(), headers=later).status_code == 304


def test_a_crawler_without_cookies_gets_304(review):
    crawler = Client()
    copy = crawler.get(review.get_absolute_url())
    crawler.cookies.clear()
    assert revisit(crawler, review, copy).status_code == 304


def test_an_edit_of_the_review_sends_the_new_page(client, review):
    copy = visit(client, review)
    review.body = "Eve learns to fight, and to grieve."
    review.save()
    response = revisit(client, review, copy)
    assert response.status_code == 200
    assert "and to grieve" in response.content.decode()


def test_a_newly_approved_comment_sends_the_new_page(client, review):
    copy = visit(client, review)
    CommentFactory(review=review, body="The staircase fight!")
    touch_review(review)  # what the comments app does when a comment is approved
    response = revisit(client, review, copy)
    assert response.status_code == 200
    assert "The staircase fight!" in response.content.decode()
    assert revisit(client, review, response).status_code == 304


def drop_expired_cookies(client):
    """What a browser does with a cookie deleted by the server (the test client keeps it, empty)."""
    for name, morsel in list(client.cookies.items()):
        if morsel["max-age"] == 0:
            del client.cookies[name]


def post_comment(client, review, body):
    data = {"author_name": "Ana", "author_email": "ana@example.com", "body": body}
    # A browser always sends a User-Agent; a post without one is a script's (comments/screening.py).
    response = client.post(
        reverse("comments:post", args=[review.slug]), data, follow=True, HTTP_USER_AGENT="Mozilla/5.0 Test"
    )
    drop_expired_cookies(client)  # the message was shown; its cookie is gone
    return response


def test_a_reader_who_just_posted_sees_their_pending_comment_not_a_304(client, review):
    copy = visit(client, review)
    response = post_comment(client, review, "Waiting for a moderator.")
    assert Comment.objects.get().status == Comment.Status.PENDING
    assert response.status_code == 200  # the GET after the redirect
    assert "Your comment is awaiting moderation" in response.content.decode()
    for etag in [copy["ETag"], "*"]:
        again = client.get(review.get_absolute_url(), headers={"if-none-match": etag})
        assert again.status_code == 200
        assert "Waiting for a moderator." in again.content.decode()


def test_a_reader_with_a_session_is_never_answered_304(client, review):
    """Their pending comments live in the session, which changes under the same cookie."""
    visit(client, review)
    post_comment(client, review, "First thought.")
    copy = client.get(review.get_absolute_url())
    post_comment(client, review, "Second thought.")
    assert not copy.has_header("ETag")  # nothing to come back with
    again = client.get(review.get_absolute_url(), headers={"if-none-match": "*"})
    assert again.status_code == 200
    assert "First thought." in again.content.decode() and "Second thought." in again.content.decode()


def test_a_message_waiting_for_the_reader_is_shown_not_a_304(client, review):
    copy = visit(client, review)
    storage = CookieStorage(HttpRequest())
    storage.add(messages.SUCCESS, "Thank you for subscribing.")
    sent = HttpResponse()
    storage.update(sent)
    client.cookies[storage.cookie_name] = sent.cookies[storage.cookie_name].value
    response = client.get(review.get_absolute_url(), headers={"if-modified-since": copy["Last-Modified"]})
    assert response.status_code == 200
    assert "Thank you for subscribing." in response.content.decode()


def test_a_shared_copy_holds_no_token_so_a_browser_whose_cookies_were_cleared_may_keep_it(client, review):
    copy = visit(client, review)
    client.cookies.clear()
    response = revisit(client, review, copy)
    assert response.status_code == 304
    assert 'name="csrfmiddlewaretoken" value=""' in copy.content.decode()
    token_url = reverse("comments:form_token")
    assert f'data-token-url="{token_url}"' in copy.content.decode()
    assert "csrftoken" in client.get(token_url).cookies  # what the form's script asks for


def test_staff_are_never_answered_from_a_readers_etag(client, review):
    copy = visit(client, review)
    client.force_login(UserFactory(username="edith", group="Editors"))
    response = revisit(client, review, copy)
    assert response.status_code == 200
    assert not response.has_header("ETag")
    assert '<a href="/admin/">Write</a>' in response.content.decode()


def test_a_draft_preview_is_never_a_304(client, review):
    draft = ReviewFactory(status=Review.Status.DRAFT, title="Work in progress")
    assert client.get(draft.get_absolute_url(), headers={"if-none-match": "*"}).status_code == 404
    client.force_login(UserFactory(username="edith", group="Editors"))
    response = client.get(draft.get_absolute_url(), headers={"if-none-match": "*"})
    assert response.status_code == 200
    assert "Draft preview" in response.content.decode()


def test_review_pages_are_kept_by_the_readers_browser_only_and_always_rechecked(client, review):
    response = visit(client, review)
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-cache"}
    assert "Cookie" in response["Vary"]
    assert response["ETag"].startswith('W/"')  # each copy masks its CSRF token afresh: equivalent, not identical


def test_a_new_release_of_the_templates_changes_every_etag(settings, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "extra.html").write_text("<p>One design</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], templates]}]
    cache_keys.cached_digest.cache_clear()
    before = cache_keys.etag(cache_keys.key("page", "/reviews/a/", [], (1,)))
    (templates / "extra.html").write_text("<p>Another design</p>")
    cache_keys.cached_digest.cache_clear()  # a new release starts new processes
    try:
        assert cache_keys.etag(cache_keys.key("page", "/reviews/a/", [], (1,))) != before
    finally:
        cache_keys.cached_digest.cache_clear()


def test_while_developing_an_edited_template_shows_without_a_restart(settings, tmp_path):
    settings.DEBUG = True
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "extra.html").write_text("<p>One design</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], templates]}]
    before = cache_keys.code_version()
    (templates / "extra.html").write_text("<p>Another design</p>")
    assert cache_keys.code_version() != before


# --- Feeds ---


def feed(client, headers=None):
    return client.get(reverse("reviews:feed"), headers=headers or {})


def test_a_feed_reader_whose_copy_is_current_gets_304_for_one_query(client, review, django_assert_num_queries):
    copy = feed(client)
    assert copy["Cache-Control"] == "no-cache"
    with django_assert_num_queries(1):
        assert feed(client, {"if-none-match": copy["ETag"]}).status_code == 304
    assert feed(client, {"if-modified-since": copy["Last-Modified"]}).status_code == 304


def test_a_new_review_changes_the_feed(client, review):
    copy = feed(client)
    ReviewFactory(title="Brand new")
    response = feed(client, {"if-none-match": copy["ETag"]})
    assert response.status_code == 200 and b"Brand new" in response.content


def test_an_unpublished_review_leaves_the_feed(client, review):
    copy = feed(client)
    Review.objects.filter(pk=review.pk).move_to(Review.Status.DRAFT)
    for headers in [{"if-none-match": copy["ETag"]}, {"if-modified-since": copy["Last-Modified"]}]:
        response = feed(client, headers)
        assert response.status_code == 200 and b"Grief with a gun" not in response.content


def test_a_scheduled_review_reaching_its_time_changes_the_feed(client, review):
    scheduled = ReviewFactory(title="Tomorrow's review", published_at=timezone.now() + timezone.timedelta(days=1))
    copy = feed(client)
    assert b"Tomorrow's review" not in copy.content
    # Time passes: nothing is saved, the publish date is simply behind us now.
    Review.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timezone.timedelta(seconds=1))
    response = feed(client, {"if-none-match": copy["ETag"]})
    assert response.status_code == 200 and b"Tomorrow's review" in response.content


def test_a_deleted_review_changes_the_feed(client, review):
    ReviewFactory(title="Keeps the feed busy")
    copy = feed(client)
    review.delete()
    response = feed(client, {"if-none-match": copy["ETag"]})
    assert response.status_code == 200 and b"Grief with a gun" not in response.content


def test_a_film_feed_does_not_change_with_another_films_review(client, review):
    other = ReviewFactory(title="About another film")
    url = reverse("reviews:film_feed_atom", args=[review.film.slug])
    copy = client.get(url)
    other.title = "About another film, edited"
    other.save()
    assert client.get(url, headers={"if-none-match": copy["ETag"]}).status_code == 304


@pytest.mark.parametrize("change", ["film", "person", "credit added", "credit removed"])
def test_editing_the_film_or_its_people_refreshes_the_review_page(client, review, change):
    from tests.factories import CreditFactory

    credit = CreditFactory(film=review.film)
    Review.objects.filter(pk=review.pk).update(page_changed_at=review.page_changed_at)  # as before the credit
    copy = visit(client, review)
    assert revisit(client, review, copy).status_code == 304
    if change == "film":
        review.film.title = "A better title"
        review.film.save()
    elif change == "person":
        credit.person.name = "Renamed Person"
        credit.person.save()
    elif change == "credit added":
        CreditFactory(film=review.film)
    else:
        credit.delete()
    assert revisit(client, review, copy).status_code == 200


@pytest.mark.parametrize(
    "change", ["genre renamed", "franchise renamed", "mentioned film renamed", "author renamed", "sibling published"]
)
def test_whatever_the_review_page_shows_refreshes_it_when_changed(client, review, change):
    from tests.factories import FilmFactory, FranchiseFactory, GenreFactory

    genre, saga, other = GenreFactory(), FranchiseFactory(), FilmFactory(title="Atomic Blonde")
    review.film.genres.add(genre)
    review.film.franchise = saga
    review.film.save()
    other.franchise = saga
    other.save()
    review.body = "Like [[Atomic Blonde]]."
    review.save()
    an_hour_ago = timezone.now() - timezone.timedelta(hours=1)
    Review.objects.filter(pk=review.pk).update(updated_at=an_hour_ago, page_changed_at=an_hour_ago)
    copy = visit(client, review)
    assert revisit(client, review, copy).status_code == 304
    if change == "genre renamed":
        genre.name = "Neo-noir"
        genre.save()
    elif change == "franchise renamed":
        saga.name = "The Continental"
        saga.save()
    elif change == "mentioned film renamed":
        other.title = "Atomic Blonde: Director's Cut"
        other.save()
    elif change == "author renamed":
        review.author.first_name = "Renamed"
        review.author.save()
    else:
        ReviewFactory(film=other)  # "More from …" now counts a review of the other film
    assert revisit(client, review, copy).status_code == 200


def test_a_feed_changes_when_the_film_it_names_is_renamed(client, review):
    feed = reverse("reviews:feed")
    first = client.get(feed)
    assert client.get(feed, headers={"if-none-match": first["ETag"]}).status_code == 304
    review.film.title = "Ballerina: Director's Cut"
    review.film.save()
    assert client.get(feed, headers={"if-none-match": first["ETag"]}).status_code == 200


def test_an_author_logging_in_does_not_refresh_their_pages(client, review):
    copy = visit(client, review)
    Client().force_login(review.author)  # saves last_login only
    assert revisit(client, review, copy).status_code == 304


def test_saving_a_film_unchanged_does_not_rewrite_the_reviews_that_mention_it(review):
    from tests.factories import FilmFactory

    film = FilmFactory(title="Atomic Blonde")
    mentioning = ReviewFactory(body="Like [[Atomic Blonde]].")
    Review.objects.filter(pk=mentioning.pk).update(body_html="<p>as stored</p>")
    film.synopsis = "A spy in Berlin."
    film.save()
    mentioning.refresh_from_db()
    assert mentioning.body_html == "<p>as stored</p>"  # no re-render when the name did not change


def test_a_reader_with_remembered_details_gets_their_own_page_and_304_while_it_is_current(client, review):
    from comments.views import REMEMBER_COOKIE, REMEMBER_SALT

    saved = HttpResponse()
    saved.set_signed_cookie(REMEMBER_COOKIE, '{"author_name": "Ana Remembered"}', salt=REMEMBER_SALT)
    client.cookies[REMEMBER_COOKIE] = saved.cookies[REMEMBER_COOKIE].value
    copy = visit(client, review)  # the first visit also sets their CSRF cookie, which the ETag covers
    assert 'value="Ana Remembered"' in copy.content.decode()  # their own page, not the shared copy
    assert revisit(client, review, copy).status_code == 304
    for url in [reverse("reviews:home"), review.film.get_absolute_url()]:  # every page the stamp answers for
        client.get(url)
        page = client.get(url)
        assert client.get(url, headers={"if-none-match": page["ETag"]}).status_code == 304, url
    CommentFactory(review=review, body="The staircase fight!")
    touch_review(review)
    response = revisit(client, review, copy)
    assert response.status_code == 200 and "The staircase fight!" in response.content.decode()
