"""The moderators' queue in the admin."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, CommentEvent
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db
Status, Verdict = Comment.Status, Comment.Verdict
QUEUE = reverse("admin:comments_comment_changelist")


def moderate_url(comment, verb):
    return reverse("admin:comments_comment_moderate", args=[comment.pk, verb])


def test_moderators_see_the_waiting_count_and_comments_only(moderator_client, review):
    CommentFactory.create_batch(3, review=review, status=Status.PENDING)
    CommentFactory(review=review, status=Status.APPROVED)
    html = moderator_client.get(reverse("admin:index")).content.decode()
    assert "3 comments are waiting for moderation" in html
    assert 'href="/admin/comments/comment/"' in html
    assert "/admin/reviews/" not in html
    assert moderator_client.get(reverse("admin:reviews_review_changelist")).status_code == 403


def test_the_admin_says_plainly_when_screening_is_off(moderator_client, settings):
    settings.AKISMET_API_KEY = ""
    assert "Spam screening is off" in moderator_client.get(reverse("admin:index")).content.decode()
    assert "Spam screening is off" in moderator_client.get(QUEUE).content.decode()


def test_screening_on_is_not_reported_as_off(moderator_client, akismet_server):
    assert "Spam screening is off" not in moderator_client.get(QUEUE).content.decode()


def test_authors_cannot_moderate(author_client, review):
    comment = CommentFactory(review=review, status=Status.PENDING)
    assert author_client.get(QUEUE).status_code == 403
    assert author_client.post(moderate_url(comment, "approve")).status_code == 403
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


def test_the_queue_lists_pending_first_and_says_why_each_is_held(moderator_client, review):
    old_pending = CommentFactory(
        review=review,
        status=Status.PENDING,
        verdict=Verdict.HAM,
        body="Old and waiting",
        hold_notes=["first comment from this address"],
        created_at=timezone.now() - timedelta(days=2, hours=3),
    )
    CommentFactory(review=review, status=Status.APPROVED, body="Recent and published")
    CommentFactory(
        review=review,
        status=Status.PENDING,
        verdict=Verdict.ERROR,
        check_attempts=3,
        next_check_at=timezone.now() + timedelta(minutes=8),
        body="Akismet was down",
    )
    CommentFactory(
        review=review, status=Status.PENDING, verdict=Verdict.HAM, body="Links galore", hold_notes=["5 links (limit 2)"]
    )
    html = moderator_client.get(QUEUE).content.decode()
    assert html.index("Old and waiting") < html.index("Recent and published")
    assert html.index("Akismet was down") < html.index("Recent and published")
    assert "first comment from this address" in html
    assert "5 links (limit 2)" in html
    assert "Akismet could not be reached (3 tries, next " in html  # "next at 14:08", or "next on 1 Dec at 00:04"
    assert "2\xa0days ago" in html and "2\xa0days, " not in html  # one unit is enough in a queue
    assert old_pending.review.title in html


def test_blatant_spam_is_out_of_the_default_queue(moderator_client, review):
    CommentFactory(review=review, status=Status.SPAM, verdict=Verdict.DISCARD, body="Blatant pills")
    CommentFactory(review=review, status=Status.SPAM, verdict=Verdict.SPAM, body="Ordinary spam")
    assert "Blatant pills" not in moderator_client.get(QUEUE).content.decode()
    assert "Ordinary spam" in moderator_client.get(QUEUE).content.decode()
    assert "Blatant pills" in moderator_client.get(QUEUE + "?verdict__exact=discard").content.decode()


@pytest.mark.parametrize("term", ["Wanda", "wanda@films.example", "192.0.2.55", "sequel"])
def test_search_by_author_email_ip_and_text(moderator_client, review, term):
    CommentFactory(
        review=review,
        author_name="Wanda",
        author_email="wanda@films.example",
        ip_address="192.0.2.55",
        body="Waiting for the sequel.",
    )
    CommentFactory(review=review, author_name="Other", body="Nothing to see.")
    html = moderator_client.get(QUEUE, {"q": term}).content.decode()
    assert "Waiting for the sequel." in html and "Nothing to see." not in html


def test_one_click_per_row_approves_and_returns_to_the_queue(moderator_client, review, moderator):
    comment = CommentFactory(review=review, status=Status.PENDING, author_name="Ana")
    html = moderator_client.get(QUEUE + "?status__exact=pending").content.decode()
    assert f'formaction="{moderate_url(comment, "approve")}"' in html
    assert f'formaction="{moderate_url(comment, "spam")}"' in html
    response = moderator_client.post(
        moderate_url(comment, "approve"), HTTP_REFERER="http://testserver" + QUEUE + "?status__exact=pending"
    )
    assert response["Location"] == "http://testserver" + QUEUE + "?status__exact=pending"
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    assert comment.events.get(kind=CommentEvent.Kind.APPROVED).actor == moderator
    assert "The comment by Ana was approved." in moderator_client.get(QUEUE).content.decode()


def test_one_click_needs_a_post(moderator_client, review):
    comment = CommentFactory(review=review, status=Status.PENDING)
    assert moderator_client.get(moderate_url(comment, "approve")).status_code == 405
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


@pytest.mark.parametrize(
    "verb, start, end",
    [
        ("spam", Status.PENDING, Status.SPAM),
        ("trash", Status.PENDING, Status.TRASH),
        ("not-spam", Status.SPAM, Status.APPROVED),
        ("unapprove", Status.APPROVED, Status.PENDING),
        ("restore", Status.TRASH, Status.PENDING),
    ],
)
def test_each_decision_is_one_click(moderator_client, review, verb, start, end):
    comment = CommentFactory(review=review, status=start)
    moderator_client.post(moderate_url(comment, verb))
    comment.refresh_from_db()
    assert comment.status == end


@pytest.mark.parametrize(
    "action, end",
    [
        ("approve_selected", Status.APPROVED),
        ("spam_selected", Status.SPAM),
        ("trash_selected", Status.TRASH),
    ],
)
def test_bulk_actions(moderator_client, review, action, end):
    comments = CommentFactory.create_batch(3, review=review, status=Status.PENDING)
    moderator_client.post(QUEUE, {"action": action, "_selected_action": [c.pk for c in comments]})
    assert set(Comment.objects.values_list("status", flat=True)) == {end}


def test_not_spam_in_bulk_only_touches_spam(moderator_client, review):
    spam = CommentFactory(review=review, status=Status.SPAM, verdict=Verdict.SPAM)
    trashed = CommentFactory(review=review, status=Status.TRASH)
    moderator_client.post(QUEUE, {"action": "not_spam_selected", "_selected_action": [spam.pk, trashed.pk]})
    spam.refresh_from_db(), trashed.refresh_from_db()
    assert (spam.status, trashed.status) == (Status.APPROVED, Status.TRASH)


def test_the_change_page_shows_the_history(moderator_client, review, moderator):
    comment = CommentFactory(review=review, status=Status.PENDING)
    comment.log(CommentEvent.Kind.SUBMITTED)
    comment.log(CommentEvent.Kind.CHECK_FAILED, note="try 1; next at 14:20")
    html = moderator_client.get(reverse("admin:comments_comment_change", args=[comment.pk])).content.decode()
    assert "Akismet check failed" in html and "try 1; next at 14:20" in html


def test_the_change_page_decides_in_forms_of_its_own_so_enter_only_saves(moderator_client, review):
    comment = CommentFactory(review=review, status=Comment.Status.SPAM, verdict=Verdict.SPAM, author_name="Typo Nmae")
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    html = moderator_client.get(url).content.decode()
    assert f'<form method="post" action="{moderate_url(comment, "not-spam")}" class="decision">' in html
    edit_form = html[html.index('id="comment_form"') :]
    edit_form = edit_form[: edit_form.index("</form>")]
    assert "moderate/" not in edit_form  # no decision can be triggered by submitting the edit form
    data = {
        "author_name": "Typo Name",
        "author_url": "",
        "body": comment.body,
        "events-TOTAL_FORMS": 0,
        "events-INITIAL_FORMS": 0,
        "_save": "Save",
    }
    moderator_client.post(url, data)
    comment.refresh_from_db()
    assert (comment.author_name, comment.status) == ("Typo Name", Comment.Status.SPAM)
    assert comment.events.get().kind == CommentEvent.Kind.EDITED


def test_moderators_cannot_delete_for_good(moderator_client, review):
    comment = CommentFactory(review=review, status=Status.SPAM)
    assert "delete_selected" not in moderator_client.get(QUEUE).content.decode()
    assert moderator_client.get(reverse("admin:comments_comment_delete", args=[comment.pk])).status_code == 403


def test_a_recheck_that_is_due_now_says_so(moderator_client, review):
    comment = CommentFactory(
        review=review,
        status=Status.PENDING,
        verdict=Verdict.ERROR,
        check_attempts=2,
        next_check_at=timezone.now() - timedelta(minutes=5),
    )
    html = moderator_client.get(reverse("admin:comments_comment_change", args=[comment.pk])).content.decode()
    assert "Akismet could not be reached (2 tries, re-check due now)" in html


def test_moderators_cannot_add_comments(moderator_client):
    assert moderator_client.get(reverse("admin:comments_comment_add")).status_code == 403
