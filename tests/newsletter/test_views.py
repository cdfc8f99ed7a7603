"""The sign-up form and the pages its links open, as a browser without JavaScript drives them."""

import pytest
from django.core import mail
from django.core.cache import cache

from reviewblog.newsletter import signup
from reviewblog.newsletter.models import Subscriber
from tests.factories import ReviewFactory
from tests.newsletter.conftest import link_in

pytestmark = pytest.mark.django_db


def test_the_footer_and_the_review_page_carry_the_form_without_a_csrf_token(client):
    review = ReviewFactory()
    html = client.get(review.get_absolute_url()).content.decode()
    assert html.count('action="/newsletter/"') == 2  # after the review, and in the footer
    form = html[html.index('<form class="newsletter-form"') :]
    assert "csrfmiddlewaretoken" not in form[: form.index("</form>")]
    assert 'value="each" checked' in html and 'value="weekly"' in html


def test_a_cached_review_page_signs_up_a_reader_with_no_cookie(client, sign_up):
    review = ReviewFactory()
    client.get(review.get_absolute_url())  # the shared copy, made for anyone
    client.cookies.clear()
    response = sign_up("ana@example.com")
    assert response.status_code == 303 and response["Location"] == "/newsletter/thanks/"
    assert Subscriber.objects.get().email == "ana@example.com"


def test_a_stranger_hears_the_same_whether_or_not_the_address_is_subscribed(client, sign_up, subscribers):
    [known] = subscribers(1)
    for email in (known.email, "new@example.com"):
        response = sign_up(email, follow=True)
        assert response.redirect_chain == [("/newsletter/thanks/", 303)]
        assert b"Check your inbox" in response.content
    # Both are mailed a link; the subscriber's frequency changes only if its owner presses the button.
    assert sorted(m.to[0] for m in mail.outbox) == ["new@example.com", known.email]
    known.refresh_from_db()
    assert known.status == Subscriber.Status.ACTIVE and known.frequency == Subscriber.Frequency.EACH


def test_confirming_a_weekly_link_moves_a_subscriber_to_the_round_up(client, sign_up, subscribers):
    [known] = subscribers(1)
    sign_up(known.email, "weekly")
    confirm = link_in(mail.outbox[0].body, "/newsletter/confirm/")
    assert "a weekly round-up" in client.get(confirm).content.decode()
    client.post(confirm)
    known.refresh_from_db()
    assert known.frequency == Subscriber.Frequency.WEEKLY


def test_a_filled_honeypot_is_thanked_and_mailed_nothing(sign_up):
    assert sign_up("bot@example.com", website="http://spam.example").status_code == 303
    assert not Subscriber.objects.exists() and mail.outbox == []


def test_a_bad_address_comes_back_with_the_form_and_what_was_typed(client):
    response = client.post("/newsletter/", {"email": "not an address", "frequency": "weekly"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter an email address" in html and 'value="not an address"' in html
    assert 'aria-invalid="true"' in html and 'value="weekly" checked' in html


def test_sign_ups_are_rate_limited_per_address_as_comments_are(sign_up, settings):
    settings.NEWSLETTER_SIGNUP_RATE = "2/h"
    cache.clear()
    assert [sign_up(f"r{n}@example.com").status_code for n in range(3)] == [303, 303, 429]
    assert Subscriber.objects.count() == 2


def test_a_mail_scanner_opening_the_confirmation_link_subscribes_nobody(client, sign_up):
    sign_up()
    confirm = link_in(mail.outbox[0].body, "/newsletter/confirm/")
    client.get(confirm)
    client.head(confirm)
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_a_changed_or_unknown_link_says_it_does_not_work(client, sign_up):
    sign_up()
    confirm = link_in(mail.outbox[0].body, "/newsletter/confirm/")
    assert client.get(confirm[:-3] + "xx/").status_code == 400
    assert client.post("/newsletter/leave/nonsense/").status_code == 400


def test_the_unsubscribe_page_asks_first_and_its_button_leaves(client, subscribers):
    [reader] = subscribers(1)
    path = signup.unsubscribe_link(reader).removeprefix("http://127.0.0.1:8000")
    assert "Stop the newsletter to reader0@example.com?" in client.get(path).content.decode()
    assert Subscriber.objects.exists()
    assert "Unsubscribed" in client.post(path).content.decode()
    assert not Subscriber.objects.exists()
    assert "not subscribed" in client.get(path).content.decode()


def test_the_newsletter_pages_read_few_queries(client, subscribers, django_assert_max_num_queries):
    [reader] = subscribers(1)
    confirm = signup.confirm_link(reader, "weekly").removeprefix("http://127.0.0.1:8000")
    leave = signup.unsubscribe_link(reader).removeprefix("http://127.0.0.1:8000")
    for path in ("/newsletter/", "/newsletter/thanks/", confirm, leave):
        with django_assert_max_num_queries(3):
            assert client.get(path).status_code == 200


def test_the_privacy_page_says_what_the_newsletter_keeps(client):
    html = client.get("/privacy/").content.decode()
    assert 'id="newsletter"' in html and "unsubscribing deletes your address" in html
