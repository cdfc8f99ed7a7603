"""Reader follow-ups (comments/followups.py, views_followups.py) and the moderators' daily digest."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from comments import chores, followups, moderation
from comments.models import Comment, ModeratorPreference, Subscription
from tests.akismet_server import SPAM_AUTHOR
from tests.factories import CommentFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://\S+")


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def confirmed(review, email, kind, parent=None) -> Subscription:
    return Subscription.objects.create(
        email=email, review=review, kind=kind, parent=parent, confirmed_at="2026-01-01T00:00Z"
    )


def csrf_token_of(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_reader_subscribes_and_confirms_with_the_button_the_emailed_link_opens(review, post_comment):
    post_comment(review, follow_replies="on", follow_all="on")
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]  # one email confirms both
    body = mail.outbox[0].body
    assert "replies to my comment" in body and "new comments on this review" in body
    subscriptions = Subscription.objects.filter(email="ana@example.com")
    assert subscriptions.count() == 2 and not subscriptions.confirmed().exists()
    browser = Client(enforce_csrf_checks=True)
    url = path_of(LINK.search(body).group())
    page = browser.get(url)
    assert page.status_code == 200 and "Yes, email me" in page.content.decode()
    assert not subscriptions.confirmed().exists()
    response = browser.post(url, {"csrfmiddlewaretoken": csrf_token_of(page.content.decode())})
    assert response.status_code == 200 and "Confirmed" in response.content.decode()
    assert subscriptions.confirmed().count() == 2
    mine = Comment.objects.get()
    assert subscriptions.get(kind=Subscription.Kind.REPLIES).parent == mine


def test_opening_the_confirmation_link_confirms_nothing(review):
    """Mail systems' link scanners open (GET, HEAD) every link in an email; a forged form has no token."""
    subscription = Subscription.objects.create(email="ana@example.com", review=review, kind="all")
    url = path_of(followups.confirm_link([subscription]))
    scanner = Client(enforce_csrf_checks=True)
    assert scanner.get(url).status_code == 200
    assert scanner.head(url).status_code == 200
    assert scanner.post(url).status_code == 403
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


def test_no_boxes_ticked_no_email(review, post_comment):
    post_comment(review)
    assert not Subscription.objects.exists() and mail.outbox == []


def test_a_comment_filed_as_spam_mails_nobody_until_a_moderator_rescues_it(
    review, post_comment, moderator, django_capture_on_commit_callbacks
):
    post_comment(review, follow_all="on", homepage="http://bot.example")  # the honeypot: a bot sign
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve(comment, by=moderator)
    assert [m.subject for m in mail.outbox] == [f"Confirm: emails about comments on “{review.title}”"]


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between tasks, as in production
def test_a_comment_akismet_files_as_spam_mails_nobody(akismet_server, settings, review, post_comment):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
    }  # checked later, by the worker
    post_comment(review, author_name=SPAM_AUTHOR, follow_replies="on", follow_all="on")
    call_command("run_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    assert Comment.objects.get().status == Comment.Status.SPAM
    assert mail.outbox == []


def test_a_held_comment_asks_its_reader_to_confirm_once(
    review, post_comment, moderator, django_capture_on_commit_callbacks
):
    post_comment(review, follow_all="on")
    assert Comment.objects.get().status == Comment.Status.PENDING
    assert [m.to for m in mail.outbox if m.to != [moderator.email]] == [["ana@example.com"]]
    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve(Comment.objects.get(), by=moderator)
    assert [m.to for m in mail.outbox if m.to != [moderator.email]] == [["ana@example.com"]]  # not again


def test_a_readers_own_comment_asks_for_the_address_a_spam_comment_typed_first(review, post_comment):
    post_comment(review, follow_all="on", homepage="http://bot.example", body="Cheap watches, best deals here")
    post_comment(review, follow_all="on")
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]


def test_asking_again_while_a_confirmation_waits_sends_no_second_one(review, post_comment):
    for n in range(3):
        post_comment(review, follow_replies="on", body=f"My comment number {n}, replies wanted.")
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]
    # The one link confirms what the address asked for on the review since.
    client = Client()
    client.post(path_of(LINK.search(mail.outbox[0].body).group()))
    assert Subscription.objects.confirmed().count() == 3


def test_no_address_gets_more_than_its_daily_cap_whatever_is_aimed_at_it(
    settings, moderator, django_capture_on_commit_callbacks
):
    """50 comments from 50 networks on 10 reviews, each asking for replies and every new comment to one
    address, then 10 replies on reviews it follows: confirmations and notifications together stop at the cap."""
    settings.FOLLOWUP_EMAILS_PER_ADDRESS_PER_DAY = 3
    reviews = ReviewFactory.create_batch(10)
    for n in range(50):
        review = reviews[n % 10]
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(
                f"/reviews/{review.slug}/comments/",
                {
                    "author_name": f"Not Victor {n}",
                    "author_email": "victim@example.com",
                    "body": f"Comment {n} asking for everything.",
                    "follow_replies": "on",
                    "follow_all": "on",
                },
                REMOTE_ADDR=f"10.{n}.0.1" if n % 2 else f"2001:db8:{n:x}::1",
                HTTP_USER_AGENT="Mozilla/5.0 Test",
            )
        assert response.status_code == 302
    assert sum(m.to == ["victim@example.com"] for m in mail.outbox) == 3
    for review in reviews:  # and were the subscriptions confirmed, the notifications meet the same cap
        Subscription.objects.filter(email="victim@example.com", review=review).update(confirmed_at=timezone.now())
        with django_capture_on_commit_callbacks(execute=True):
            moderation.approve(CommentFactory(review=review, status=Comment.Status.PENDING), by=moderator)
    assert sum(m.to == ["victim@example.com"] for m in mail.outbox) == 3
    other = reviews[0]
    confirmed(other, "olga@example.com", Subscription.Kind.ALL)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve(CommentFactory(review=other, status=Comment.Status.PENDING), by=moderator)
    assert mail.outbox[-1].to == ["olga@example.com"]  # a cap per address, not for the site


def test_the_cap_counts_the_last_24_hours(review, settings, django_capture_on_commit_callbacks):
    from comments.models import SentEmail
    from comments.models.followups import address_key

    settings.FOLLOWUP_EMAILS_PER_ADDRESS_PER_DAY = 1
    comment = CommentFactory(review=review, author_email="ana@example.com", notify_on_approval=True)
    SentEmail.objects.create(address=address_key("ANA@example.com"), sent_at=timezone.now() - timedelta(hours=23))
    with django_capture_on_commit_callbacks(execute=True):
        followups.notify_author(comment)
    assert mail.outbox == []
    SentEmail.objects.update(sent_at=timezone.now() - timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        followups.notify_author(comment)
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]


def test_a_broken_or_foreign_link_changes_nothing(client, review):
    subscription = Subscription.objects.create(email="ana@example.com", review=review, kind="all")
    assert client.get(f"/comments/follow/{subscription.token}/").status_code == 400
    assert client.post(f"/comments/follow/{subscription.token}/").status_code == 400
    unsubscribe = path_of(followups.unsubscribe_link(subscription))
    assert client.post(unsubscribe.replace("/unsubscribe/", "/follow/")).status_code == 400  # another salt
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


def test_an_approved_reply_emails_the_follower_once_with_one_click_unsubscribe(
    review, moderator, django_capture_on_commit_callbacks
):
    mine = CommentFactory(review=review, author_email="ana@example.com")
    confirmed(review, "ana@example.com", Subscription.Kind.REPLIES, parent=mine)
    confirmed(review, "ana@example.com", Subscription.Kind.ALL)  # one email, not two
    confirmed(review, "olga@example.com", Subscription.Kind.ALL)
    reply = CommentFactory(review=review, parent=mine, author_name="Bo", status=Comment.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve(reply, by=moderator)
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.com", "olga@example.com"]
    to_ana = next(m for m in mail.outbox if m.to == ["ana@example.com"])
    assert to_ana.subject == f"Bo replied to your comment on “{review.title}”"
    link = to_ana.extra_headers["List-Unsubscribe"]
    assert link.startswith("<http") and link.endswith(">") and link[1:-1] in to_ana.body
    assert to_ana.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Taken off and published again: nobody hears twice.
    with django_capture_on_commit_callbacks(execute=True):
        moderation.unapprove(reply, by=moderator)
        moderation.approve(reply, by=moderator)
    assert len(mail.outbox) == 2


def test_only_published_comments_are_news(review, moderator, django_capture_on_commit_callbacks):
    confirmed(review, "olga@example.com", Subscription.Kind.ALL)
    waiting = CommentFactory(review=review, status=Comment.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.mark_spam(waiting, by=moderator)
    assert mail.outbox == []


def test_unconfirmed_followers_get_nothing(review, moderator, django_capture_on_commit_callbacks):
    Subscription.objects.create(email="olga@example.com", review=review, kind="all")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve(CommentFactory(review=review, status=Comment.Status.PENDING), by=moderator)
    assert mail.outbox == []


def test_nobody_is_emailed_about_their_own_comment(review, moderator, django_capture_on_commit_callbacks):
    mine = CommentFactory(review=review, author_email="ana@example.com")
    confirmed(review, "Ana@Example.com", Subscription.Kind.ALL)
    confirmed(review, "ana@example.com", Subscription.Kind.REPLIES, parent=mine)
    own_reply = CommentFactory(review=review, parent=mine, author_email="ANA@example.com", status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve(own_reply, by=moderator)
    assert mail.outbox == []


def test_a_staff_reply_is_news_to_the_follower(review, moderator, django_capture_on_commit_callbacks):
    mine = CommentFactory(review=review, author_email="ana@example.com")
    confirmed(review, "ana@example.com", Subscription.Kind.REPLIES, parent=mine)
    with django_capture_on_commit_callbacks(execute=True):
        moderation.reply_as_staff(mine, "Thank you for reading.", by=moderator)
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]


def test_unsubscribe_by_the_links_page(client, review):
    subscription = confirmed(review, "ana@example.com", Subscription.Kind.ALL)
    url = path_of(followups.unsubscribe_link(subscription))
    page = client.get(url)
    assert page.status_code == 200 and "Stop these emails" in page.content.decode()
    assert Subscription.objects.exists()  # a link checker opening it unsubscribes nobody
    assert "Unsubscribed" in client.post(url).content.decode()
    assert not Subscription.objects.exists()
    assert client.post(url).status_code == 200  # twice is fine


def test_unsubscribe_with_one_click_from_the_mail_client(review):
    subscription = confirmed(review, "ana@example.com", Subscription.Kind.ALL)
    mail_client = Client(enforce_csrf_checks=True)  # no cookie, no token: only the signed link
    response = mail_client.post(
        path_of(followups.unsubscribe_link(subscription)),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Subscription.objects.exists()


def test_erasing_a_reader_ends_their_subscriptions(review):
    from comments import privacy

    confirmed(review, "ana@example.com", Subscription.Kind.ALL)
    privacy.erase("ANA@example.com")
    assert not Subscription.objects.exists()


# --- The moderators' digest ---


def test_moderators_who_chose_the_digest_get_it_once_a_day_instead(
    review, settings, django_capture_on_commit_callbacks
):
    each = UserFactory(username="each", group="Moderators", email="each@example.com")
    daily = UserFactory(username="daily", group="Moderators", email="daily@example.com")
    ModeratorPreference.objects.create(user=daily, daily_digest=True)
    assert followups.moderator_emails() == [each.email]
    with django_capture_on_commit_callbacks(execute=True):
        followups.notify_moderators(CommentFactory(review=review, status=Comment.Status.PENDING, author_name="Zed"))
    assert [m.to for m in mail.outbox] == [["each@example.com"]]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the worker's round commits; the email goes
        chores.run_chores()
        chores.run_chores()  # the same day: no second digest
    assert [m.to for m in mail.outbox] == [["daily@example.com"]]
    assert "1 comment awaiting moderation" in mail.outbox[0].subject
    assert "Zed on “Ballerina dances with knives”" in mail.outbox[0].body


def test_no_digest_when_nothing_waits(db):
    ModeratorPreference.objects.create(
        user=UserFactory(group="Moderators", email="daily@example.com"), daily_digest=True
    )
    assert followups.send_digest() == 0 and mail.outbox == []


def test_a_moderator_chooses_the_digest_on_the_desk(moderator_client, moderator):
    response = moderator_client.post("/admin/comments/comment/desk/email/", {"daily_digest": "1"})
    assert response.status_code == 302
    assert ModeratorPreference.objects.get(user=moderator).daily_digest
    desk = moderator_client.get("/admin/comments/comment/desk/").content.decode()
    assert '<option value="1" selected>one daily digest</option>' in desk


def test_the_link_pages_run_a_fixed_number_of_queries(client, review, django_assert_max_num_queries):
    subscriptions = [
        Subscription.objects.create(email="ana@example.com", review=review, kind="all"),
        Subscription.objects.create(
            email="ana@example.com", review=review, kind="replies", parent=CommentFactory(review=review)
        ),
    ]
    confirm = path_of(followups.confirm_link(subscriptions))
    with django_assert_max_num_queries(2):  # the link's, then with what was asked since and their review
        assert client.get(confirm).status_code == 200
    with django_assert_max_num_queries(3):  # the link's, confirm them all, read them back with their review
        assert client.post(confirm).status_code == 200
    url = path_of(followups.unsubscribe_link(subscriptions[0]))
    with django_assert_max_num_queries(1):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(3):  # read, delete (Django's delete collects first)
        assert client.post(url).status_code == 200


def test_the_purge_forgets_requests_never_confirmed(review):
    from datetime import timedelta

    from django.utils import timezone

    from comments import privacy

    old = timezone.now() - timedelta(days=8)
    Subscription.objects.create(email="ana@example.com", review=review, kind="all", created_at=old)
    kept = confirmed(review, "olga@example.com", Subscription.Kind.ALL)
    Subscription.objects.filter(pk=kept.pk).update(created_at=old)
    assert privacy.purge()["unconfirmed follow-ups deleted"] == 1
    assert list(Subscription.objects.all()) == [kept]
