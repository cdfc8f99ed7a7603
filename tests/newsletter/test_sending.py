"""Mailings and their batches (reviewblog/newsletter/sending.py), as the worker's chores run them."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reviewblog.newsletter import sending, signup
from reviewblog.newsletter.models import Mailing, Subscriber
from reviews.models import OutgoingEmail, Review
from reviews.models.jobs import DailyChore
from tests.browser_form import admin_errors, browser_form
from tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db
Queued = OutgoingEmail.Status.QUEUED


@pytest.fixture
def chores(django_capture_on_commit_callbacks):
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return sending.run_chores()

    return run


@pytest.fixture(autouse=True)
def no_round_up_this_week():
    """The weekly round-up is its own test's business: here this week's has gone out already."""
    today = timezone.localdate()
    DailyChore.objects.create(name="newsletter-weekly", day=today - timedelta(days=(today.weekday() - 4) % 7))


def recipients() -> list[str]:
    return sorted(message.to[0] for message in mail.outbox)


def test_a_scheduled_review_is_sent_when_its_time_comes_with_nothing_saved(subscribers, chores):
    subscribers(2)
    review = ReviewFactory(published_at=timezone.now() + timedelta(hours=1))
    chores()
    assert mail.outbox == []
    Review.objects.filter(pk=review.pk).update(published_at=timezone.now() - timedelta(seconds=1))  # time passing
    chores()
    assert recipients() == ["reader0@example.com", "reader1@example.com"]


def test_a_review_published_long_ago_is_not_news(subscribers, chores):
    subscribers(1)
    ReviewFactory(published_at=timezone.now() - timedelta(days=3))  # a backdated import, say
    chores()
    assert mail.outbox == [] and not Mailing.objects.exists()


def test_editing_unpublishing_and_republishing_a_review_never_sends_it_again(subscribers, chores):
    subscribers(2)
    review = ReviewFactory(published_at=timezone.now())
    chores()
    review.standfirst = "Better words."
    review.save()
    Review.objects.filter(pk=review.pk).move_to(Review.Status.DRAFT)
    chores()
    Review.objects.filter(pk=review.pk).move_to(Review.Status.PUBLISHED)
    chores()
    assert len(mail.outbox) == 2


def test_batches_keep_to_the_rate_over_every_mailing(subscribers, chores, settings):
    settings.NEWSLETTER_RATE, settings.NEWSLETTER_BATCH_SIZE = "5/h", 3
    subscribers(7)
    first, second = ReviewFactory(published_at=timezone.now()), ReviewFactory(published_at=timezone.now())

    def queued():
        mailings = {m.review_id: m for m in Mailing.objects.all()}
        return mailings[first.pk].queued, mailings[second.pk].queued

    def an_hour_passes():
        OutgoingEmail.objects.update(created_at=timezone.now() - timedelta(hours=1, seconds=1))

    assert chores() == 5  # a batch of the first review's, and what the hour has left for the second's
    assert chores() == 0
    assert len(mail.outbox) == 5 and queued() == (3, 2)
    an_hour_passes()
    assert chores() == 5 and queued() == (6, 4)
    an_hour_passes()
    assert chores() == 4 and queued() == (7, 7)
    chores()
    assert Mailing.objects.filter(finished_at=None).count() == 0
    assert OutgoingEmail.objects.values("key", "to").distinct().count() == OutgoingEmail.objects.count() == 14


def test_unpublishing_before_the_batches_are_out_stops_the_rest(subscribers, chores, settings, smtp_server):
    settings.NEWSLETTER_RATE, settings.NEWSLETTER_BATCH_SIZE = "100/h", 2
    subscribers(5)
    review = ReviewFactory(published_at=timezone.now())
    smtp_server.mode = "refuse"  # the first batch waits in the outbox
    chores()
    assert OutgoingEmail.objects.filter(status=Queued).count() == 2
    Review.objects.filter(pk=review.pk).move_to(Review.Status.DRAFT)
    smtp_server.mode = "accept"
    chores()
    chores()
    mailing = Mailing.objects.get()
    assert mailing.stopped_at is not None and mailing.queued == 2
    assert not OutgoingEmail.objects.exists() and smtp_server.received == []


def test_the_weekly_round_up_goes_once_with_the_weeks_reviews(subscribers, chores, settings):
    DailyChore.objects.filter(name="newsletter-weekly").delete()
    settings.NEWSLETTER_WEEKLY_DAY = timezone.localdate().weekday()
    subscribers(2, frequency=Subscriber.Frequency.WEEKLY)
    ReviewFactory(title="Old news", published_at=timezone.now() - timedelta(days=9))
    ReviewFactory(title="Tuesday's", published_at=timezone.now() - timedelta(days=2))
    ReviewFactory(title="Today's", published_at=timezone.now() - timedelta(minutes=5))
    ReviewFactory(title="Next week's", published_at=timezone.now() + timedelta(days=1))
    chores()
    chores()
    assert recipients() == ["reader0@example.com", "reader1@example.com"]
    body = mail.outbox[0].body
    assert "Tuesday's" in body and "Today's" in body and "Old news" not in body and "Next week's" not in body
    assert body.index("Tuesday's") < body.index("Today's")
    assert mail.outbox[0].subject == f"{settings.SITE_NAME}: the week's 2 new reviews"


def test_editors_see_each_send_with_its_counts_in_the_admin(
    subscribers, chores, editor_client, django_assert_max_num_queries
):
    subscribers(3)
    ReviewFactory(title="Counted", published_at=timezone.now())
    chores()
    OutgoingEmail.objects.filter(to="reader2@example.com").update(status=OutgoingEmail.Status.FAILED)
    Mailing.objects.update(unsubscribed=1)
    with django_assert_max_num_queries(12):
        html = editor_client.get("/admin/newsletter/mailing/").content.decode()
    row = html[html.index("New review: Counted") :]
    row = row[: row.index("</tr>")]
    cells = [cell.split(">", 1)[1].split("<", 1)[0] for cell in row.split("<td")[1:]]
    assert cells[-6:] == ["Every email recorded", "3", "2", "1", "0", "1"]


def test_a_draft_written_days_ago_and_published_from_its_form_is_news(subscribers, chores, admin_client):
    subscribers(1)
    draft = ReviewFactory(status=Review.Status.DRAFT, published_at=timezone.now() - timedelta(days=5))
    url = reverse("admin:reviews_review_change", args=[draft.pk])
    data = browser_form(admin_client.get(url).content.decode())
    response = admin_client.post(url, {**data, "status": Review.Status.PUBLISHED})
    assert response.status_code == 302, admin_errors(response)
    chores()
    assert recipients() == ["reader0@example.com"]


def test_leaving_or_bouncing_recalls_the_newsletter_emails_still_waiting(subscribers, client):
    ana, ben = subscribers(2)
    review = ReviewFactory(published_at=timezone.now())
    sending.announce_new_reviews()
    [mailing] = Mailing.objects.all()
    for subscriber in (ana, ben):
        OutgoingEmail.objects.create(key=mailing.key, to=subscriber.email, subject=review.title, body=".")
    one_click = urlsplit(signup.unsubscribe_link(ana, mailing)).path
    assert client.post(one_click, {"List-Unsubscribe": "One-Click"}).status_code == 200  # Ana's mail client
    call_command("newsletter_bounce", ben.email)  # Ben's address bounced
    assert not OutgoingEmail.objects.filter(status=Queued).exists()
