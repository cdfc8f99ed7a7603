"""The comment count on review cards (Review.comment_count, kept by the comments app): approved reader
comments only, right after every decision, and no extra query on the pages that list cards."""

import pytest
from django.urls import reverse

from comments import moderation, privacy
from comments.models import Comment, touch_review
from reviews.models import Review
from tests.factories import CommentFactory, GenreFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


def count_of(review) -> int:
    return Review.objects.values_list("comment_count", flat=True).get(pk=review.pk)


def test_the_count_follows_every_decision(review, moderator):
    first = CommentFactory(review=review, status=Comment.Status.PENDING)
    second = CommentFactory(review=review, status=Comment.Status.PENDING)
    CommentFactory(review=review, kind=Comment.Kind.PINGBACK)  # approved, but not a reader's comment
    touch_review(review)
    assert count_of(review) == 0
    moderation.approve(first, by=moderator)
    moderation.approve(second, by=moderator)
    assert count_of(review) == 2
    moderation.mark_spam(first, by=moderator)
    assert count_of(review) == 1
    moderation.approve(first, by=moderator)
    moderation.trash(second, by=moderator)
    assert count_of(review) == 1
    moderation.unapprove(first, by=moderator)
    assert count_of(review) == 0
    moderation.approve(first, by=moderator)
    reply = moderation.reply_as_staff(first, "Thank you.", by=moderator)
    assert count_of(review) == 2
    first.delete()  # its reply goes with it
    assert count_of(review) == 0
    assert not Comment.objects.filter(pk=reply.pk).exists()


def test_erasing_a_readers_comments_recounts(review):
    CommentFactory(review=review, author_email="ana@example.com")
    CommentFactory(review=review)
    touch_review(review)
    assert count_of(review) == 2
    privacy.erase("ana@example.com", delete=True)
    assert count_of(review) == 1


def test_a_review_saved_from_an_old_copy_keeps_the_count(review, moderator):
    stale = Review.objects.get(pk=review.pk)
    moderation.approve(CommentFactory(review=review, status=Comment.Status.PENDING), by=moderator)
    stale.title = "A new title"
    stale.save()
    assert count_of(review) == 1


def test_the_admins_delete_selected_recounts(review, client):
    comments = CommentFactory.create_batch(3, review=review)
    touch_review(review)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    data = {"action": "delete_selected", "_selected_action": [comments[0].pk, comments[1].pk], "post": "yes"}
    assert client.post(reverse("admin:comments_comment_changelist"), data).status_code == 302
    assert count_of(review) == 1


def test_cards_show_the_count_with_no_extra_query(client, moderator, settings, django_assert_max_num_queries):
    genre = GenreFactory(name="Action")
    author = UserFactory(first_name="Busy", last_name="Writer", group="Authors")
    reviews = ReviewFactory.create_batch(30, author=author)
    for review in reviews:
        review.film.genres.add(genre)
        CommentFactory.create_batch(3, review=review)
        CommentFactory(review=review, status=Comment.Status.PENDING)
        touch_review(review)
    moderation.approve(Comment.objects.pending().filter(review=reviews[-1]).get(), by=moderator)
    # The budgets the pages had before cards showed a count (tests/reviews/test_views.py, test_publishing.py),
    # with the page cache's stamp on the genre's and the author's.
    with django_assert_max_num_queries(3):
        home = client.get(reverse("reviews:home")).content.decode()
    with django_assert_max_num_queries(5):
        by_genre = client.get(genre.get_absolute_url()).content.decode()
    with django_assert_max_num_queries(4):
        by_author = client.get("/authors/busy-writer/").content.decode()
    for html in (home, by_genre, by_author):
        assert "3 comments</a>" in html
        assert f'href="{reviews[-1].get_absolute_url()}#comments">4 comments</a>' in html  # the newest first
    # A decision changes the card at once, cached fragments and page cache notwithstanding.
    moderation.mark_spam(Comment.objects.filter(review=reviews[-1]).first(), by=moderator)
    home = client.get(reverse("reviews:home")).content.decode()
    assert f'href="{reviews[-1].get_absolute_url()}#comments">3 comments</a>' in home
