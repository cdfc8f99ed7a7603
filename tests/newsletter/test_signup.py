"""Joining, leaving, bounces, forgetting and a reader's data (reviewblog/newsletter/signup.py)."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from comments import privacy
from reviewblog.newsletter import signup
from reviewblog.newsletter.models import Subscriber

pytestmark = pytest.mark.django_db
Status = Subscriber.Status


def test_one_address_is_one_subscriber_whatever_its_case(sign_up):
    sign_up("Ana@Example.COM")
    sign_up("ana@example.com", "weekly")
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["ana@example.com"]
    assert len(mail.outbox) == 2


def test_confirmation_emails_to_one_address_stop_at_the_daily_cap(sign_up, settings):
    settings.FOLLOWUP_EMAILS_PER_ADDRESS_PER_DAY = 3
    settings.NEWSLETTER_SIGNUP_RATE = settings.NEWSLETTER_SIGNUP_NETWORK_RATE = "100/h"
    for _ in range(5):
        sign_up("victim@example.com")
    assert len(mail.outbox) == 3


def test_a_bounce_or_complaint_stops_the_address_and_signing_up_again_restarts_it(client, subscribers):
    [reader] = subscribers(1)
    out = StringIO()
    call_command("newsletter_bounce", "READER0@example.com", "nobody@example.com", "--complaint", stdout=out)
    assert out.getvalue() == "Stopped 1 of 2 addresses (complaint).\n"
    reader.refresh_from_db()
    assert (reader.status, reader.stop_reason) == (Status.STOPPED, "complaint")
    assert not Subscriber.objects.receiving(Subscriber.Frequency.EACH).exists()
    signup.subscribe(reader.email, "each")
    reader.refresh_from_db()
    assert reader.status == Status.STOPPED  # until its owner confirms again
    signup.confirm(signup.confirm_link(reader, "each").rsplit("/confirm/", 1)[1].rstrip("/"))
    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE and reader.stop_reason == ""


def test_unconfirmed_sign_ups_are_forgotten_after_a_week_and_subscribers_kept(subscribers):
    subscribers(1)
    signup.subscribe("old@example.com", "each")
    signup.subscribe("new@example.com", "each")
    Subscriber.objects.filter(email="old@example.com").update(asked_at=timezone.now() - timedelta(days=8))
    assert signup.forget_unconfirmed() == 1
    assert sorted(Subscriber.objects.values_list("email", flat=True)) == ["new@example.com", "reader0@example.com"]


def test_a_readers_export_and_erase_take_their_subscription_along(subscribers):
    [reader] = subscribers(1, frequency=Subscriber.Frequency.WEEKLY)
    out = StringIO()
    call_command("export_comments", "Reader0@example.com", stdout=out)
    [exported] = json.loads(out.getvalue())["newsletter"]
    assert exported["email"] == "reader0@example.com" and exported["frequency"] == "A weekly round-up"
    assert privacy.held_about(reader.email) == 1
    call_command("erase_comments", reader.email, "--no-input", stdout=StringIO())
    assert not Subscriber.objects.exists()


def test_an_address_that_complained_gets_no_confirmation_whoever_signs_it_up(sign_up, subscribers):
    complained, bounced = subscribers(2)
    call_command("newsletter_bounce", complained.email, "--complaint", stdout=StringIO())
    call_command("newsletter_bounce", bounced.email, stdout=StringIO())
    mail.outbox.clear()
    answers = [sign_up(reader.email) for reader in (complained, bounced)]
    assert [(r.status_code, r["Location"]) for r in answers] == [(303, "/newsletter/thanks/")] * 2  # the same answer
    assert [message.to for message in mail.outbox] == [[bounced.email]]  # a fixed mailbox may come back
