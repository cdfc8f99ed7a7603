"""The moderation desk (comments/admin_desk.py): what it shows, each decision without JavaScript, undo,
reply and edit. The keys are tested in a real browser (test_browser_desk.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment, CommentEvent
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db
Status, Verdict, Kind = Comment.Status, Comment.Verdict, CommentEvent.Kind
DESK = reverse("admin:comments_comment_desk")


def decide(client, comment, verb, **data):
    url = reverse("admin:comments_comment_desk_decide", args=[comment.pk, verb])
    return client.post(url, {"status": "pending", "page": "1", **data})


def test_moderators_and_editors_work_the_desk_and_authors_do_not(moderator_client, editor, author):
    assert moderator_client.get(DESK).status_code == 200
    for user, status in [(editor, 200), (author, 403)]:
        client = Client()
        client.force_login(user)
        assert client.get(DESK).status_code == status


def test_the_desk_shows_each_comment_whole_with_its_context(moderator_client, review):
    parent = CommentFactory(review=review, author_name="Oskar", body="The flamethrower scene!")
    CommentFactory(review=review, author_email="zoe@example.org", status=Status.SPAM)
    long_body = "Every word of this stays readable. " * 120 + "THE END"
    CommentFactory(
        review=review,
        parent=parent,
        author_name="Zoë",
        author_email="zoe@example.org",
        author_url="https://zoe.example",
        ip_address="192.0.2.44",
        body=long_body,
        status=Status.PENDING,
        hold_notes=["rule “casino” (words or phrase): held for a moderator"],
    )
    html = moderator_client.get(DESK).content.decode()
    assert "THE END" in html  # the whole text, not an excerpt
    assert review.title in html
    assert "In reply to <strong>Oskar</strong>" in html and "The flamethrower scene!" in html
    assert "https://zoe.example" in html and "192.0.2.44" in html and "zoe@example.org" in html
    assert "0 approved, 1 spam" in html
    assert "rule “casino” (words or phrase): held for a moderator" in html
    assert 'aria-current="page">Pending <span class="desk-count">1</span>' in html
    assert 'Approved <span class="desk-count">1</span>' in html and 'Spam <span class="desk-count">1</span>' in html
    for key in ["j / k", "approve", "undo the last decision", "reply", "edit"]:
        assert key in html


def test_pending_first_oldest_first_and_other_tabs_newest_first(moderator_client, review):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    CommentFactory(review=review, status=Status.PENDING, body="older waiting", created_at=now - timedelta(hours=2))
    CommentFactory(review=review, status=Status.PENDING, body="newer waiting", created_at=now)
    html = moderator_client.get(DESK).content.decode()
    assert html.index("older waiting") < html.index("newer waiting")
    assert "older waiting" not in moderator_client.get(DESK + "?status=approved").content.decode()


def test_the_desk_runs_a_fixed_number_of_queries(moderator_client, review, django_assert_max_num_queries):
    for n in range(30):
        comment = CommentFactory(review=review, status=Status.PENDING, body=f"Comment {n}")
        comment.log(Kind.SUBMITTED)
        comment.log(Kind.HELD, note="a burst", layer="burst")
    with django_assert_max_num_queries(10):
        response = moderator_client.get(DESK)
    assert response.status_code == 200
    assert response.content.decode().count('class="desk-comment') == 20


def test_a_decision_without_javascript_moves_on_to_the_next_comment(moderator_client, review):
    first, second = CommentFactory.create_batch(2, review=review, status=Status.PENDING)
    response = decide(moderator_client, first, "approve", next=second.pk)
    assert response.status_code == 302
    assert response["Location"] == f"{DESK}?status=pending&page=1&current={second.pk}#desk-{second.pk}"
    first.refresh_from_db()
    assert first.status == Status.APPROVED
    assert first.events.get(kind=Kind.APPROVED).actor.username == "moderator"


def test_undo_puts_the_last_decision_back(moderator_client, review):
    comment = CommentFactory(review=review, status=Status.PENDING)
    decide(moderator_client, comment, "spam")
    html = moderator_client.get(DESK).content.decode()
    assert "Undo “Spam” on" in html
    response = moderator_client.post(reverse("admin:comments_comment_desk_undo"), {"status": "pending"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert comment.events.filter(kind=Kind.UNAPPROVED, note="undo").exists()
    assert "Undo “" not in moderator_client.get(DESK).content.decode()  # once


def test_undo_leaves_a_later_decision_of_another_moderator_standing(moderator_client, review):
    comment = CommentFactory(review=review, status=Status.PENDING)
    decide(moderator_client, comment, "spam")  # A files it as spam
    bea = Client()
    bea.force_login(UserFactory(username="bea", group="Moderators"))
    decide(bea, comment, "approve", status="spam")  # B, on the Spam tab, approves it
    response = moderator_client.post(reverse("admin:comments_comment_desk_undo"), {"status": "pending"}, follow=True)
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED  # B's approval stands
    assert not comment.events.filter(note="undo").exists()
    html = response.content.decode()
    assert "Not undone: bea changed this comment since your decision (approved, " in html


def test_undoing_not_spam_calls_off_the_report_to_akismet(moderator_client, review, settings):
    settings.AKISMET_API_KEY = "a key, so reports are due"
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "email"]}
    }
    comment = CommentFactory(review=review, status=Status.SPAM, verdict=Verdict.SPAM)
    decide(moderator_client, comment, "approve", status="spam")
    comment.refresh_from_db()
    assert (comment.status, comment.report_due) == (Status.APPROVED, "ham")
    moderator_client.post(reverse("admin:comments_comment_desk_undo"))
    comment.refresh_from_db()
    assert (comment.status, comment.report_due) == (Status.SPAM, "")


def test_a_reply_from_the_desk_is_published_as_staff_and_approves_its_parent(moderator_client, review, client):
    parent = CommentFactory(review=review, status=Status.PENDING, author_name="Nadia", body="Was the score live?")
    url = reverse("admin:comments_comment_desk_reply", args=[parent.pk])
    response = moderator_client.post(url, {f"reply-{parent.pk}-body": "Yes, recorded live in Budapest."})
    assert response.status_code == 302
    parent.refresh_from_db()
    reply = Comment.objects.get(parent=parent)
    assert parent.status == reply.status == Status.APPROVED
    assert reply.user.username == "moderator"
    html = Client().get(review.get_absolute_url()).content.decode()
    assert "Yes, recorded live in Budapest." in html
    assert 'class="comment-badge comment-badge-staff"' in html


def test_an_edit_keeps_the_original_in_the_history(moderator_client, review):
    comment = CommentFactory(review=review, status=Status.APPROVED, body="My phone number is 555-0100, call me")
    url = reverse("admin:comments_comment_desk_edit", args=[comment.pk])
    prefix = f"edit-{comment.pk}"
    data = {
        f"{prefix}-author_name": comment.author_name,
        f"{prefix}-author_email": comment.author_email,
        f"{prefix}-author_url": "",
        f"{prefix}-body": "My phone number is [removed], call me",
    }
    assert moderator_client.post(url, data).status_code == 302
    comment.refresh_from_db()
    assert comment.body == "My phone number is [removed], call me"
    event = comment.events.get(kind=Kind.EDITED)
    assert event.before == "My phone number is 555-0100, call me"
    assert "555-0100" in moderator_client.get(DESK + "?status=approved").content.decode()  # in the history


def test_bulk_decisions_stay(moderator_client, review):
    comments = CommentFactory.create_batch(3, review=review, status=Status.PENDING)
    response = moderator_client.post(
        reverse("admin:comments_comment_desk_bulk"),
        {"verb": "trash", "selected": [c.pk for c in comments[:2]], "status": "pending"},
    )
    assert response.status_code == 302
    assert list(Comment.objects.order_by("pk").values_list("status", flat=True)) == ["trash", "trash", "pending"]


@pytest.mark.parametrize("bad_id", ["99999999999999999999999", "²", "-1", "1e3", ""])
def test_bulk_ignores_what_is_not_a_comment_id_and_says_so(moderator_client, review, bad_id):
    comment = CommentFactory(review=review, status=Status.PENDING)
    response = moderator_client.post(
        reverse("admin:comments_comment_desk_bulk"),
        {"verb": "trash", "selected": [bad_id, str(comment.pk)], "status": "pending", "page": "²"},
        follow=True,
    )
    assert response.status_code == 200
    assert Comment.objects.get(pk=comment.pk).status == Status.TRASH
    html = response.content.decode()
    assert "1 comment moved to the trash." in html
    assert "1 of the selected values was not a comment id." in html


def test_decisions_need_a_post_and_the_permission(moderator_client, author_client, review):
    comment = CommentFactory(review=review, status=Status.PENDING)
    assert (
        moderator_client.get(reverse("admin:comments_comment_desk_decide", args=[comment.pk, "approve"])).status_code
        == 405
    )
    assert decide(author_client, comment, "approve").status_code == 403
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
