"""The admin login's throttle (django-axes, configured in settings and reviewblog/login_throttle.py)."""

import io

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"  # what UserFactory sets


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", group="Editors")


def log_in(address, password, username="editor", **headers):
    client = Client(REMOTE_ADDR=address, **headers)
    response = client.post(reverse("admin:login"), {"username": username, "password": password})
    return client, response


def is_logged_in(client):
    return client.get(reverse("admin:index")).status_code == 200


def test_twenty_wrong_passwords_lock_the_address_out_with_a_clear_message(editor):
    statuses = [log_in("203.0.113.7", f"wrong-{n}")[1].status_code for n in range(20)]

    assert statuses == [200] * 4 + [429] * 16  # the form with its error, then the lockout from the fifth on
    _, response = log_in("203.0.113.7", "wrong")
    text = response.content.decode()
    assert "Too many failed logins from your address" in text
    assert "Try again in 15 minutes" in text
    assert 'id="site-name"' in text  # in the admin's design


def test_the_right_password_is_refused_from_a_locked_out_address(editor):
    for n in range(5):
        log_in("203.0.113.7", f"wrong-{n}")

    client, response = log_in("203.0.113.7", PASSWORD)

    assert response.status_code == 429
    assert not is_logged_in(client)


def test_the_right_password_still_works_from_another_address(editor):
    for n in range(20):
        log_in("203.0.113.7", f"wrong-{n}")

    client, response = log_in("198.51.100.4", PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_failures_are_counted_in_the_database_shared_by_every_app_server(editor):
    for n in range(3):
        log_in("203.0.113.7", f"wrong-{n}")

    attempt = AccessAttempt.objects.get()
    assert (attempt.ip_address, attempt.failures_since_start) == ("203.0.113.7", 3)


def test_a_spoofed_x_forwarded_for_neither_escapes_the_lockout_nor_locks_out_the_named_address(editor, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        _, response = log_in("203.0.113.7", f"wrong-{n}", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    _, response = log_in("203.0.113.7", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 429
    client, response = log_in("192.0.2.1", PASSWORD)
    assert response.status_code == 302


def test_behind_a_trusted_proxy_the_address_it_forwarded_is_locked_out(editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        log_in("10.0.0.1", f"wrong-{n}", HTTP_X_FORWARDED_FOR=f"192.0.2.99, 203.0.113.{n}, 198.51.100.4")

    _, locked = log_in("10.0.0.1", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.4")
    _, other = log_in("10.0.0.1", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert (locked.status_code, other.status_code) == (429, 302)


def test_addresses_of_one_ipv6_line_share_their_count(editor):
    for n in range(5):
        log_in(f"2001:db8:1:2::{n + 1:x}", f"wrong-{n}")

    _, same_line = log_in("2001:db8:1:2:ffff::1", PASSWORD)
    _, other_line = log_in("2001:db8:1:3::1", PASSWORD)

    assert (same_line.status_code, other_line.status_code) == (429, 302)


def test_the_unlock_command_lets_the_address_log_in_again(editor):
    for n in range(5):
        log_in("203.0.113.7", f"wrong-{n}")

    output = io.StringIO()
    call_command("axes_reset_ip", "203.0.113.7", stdout=output)

    assert "1 attempts removed" in output.getvalue()

    _, response = log_in("203.0.113.7", PASSWORD)
    assert response.status_code == 302


def test_deleting_the_address_in_the_admin_unlocks_it(editor, admin_client):
    for n in range(5):
        log_in("203.0.113.7", f"wrong-{n}")
    attempt = AccessAttempt.objects.get()

    listing = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    admin_client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})

    assert "203.0.113.7" in listing.content.decode()
    _, response = log_in("203.0.113.7", PASSWORD)
    assert response.status_code == 302


def test_guessing_one_account_from_many_addresses_locks_the_account_with_a_clear_message(editor):
    for address in range(4):  # 5 failures each, the most one address can give
        for n in range(5):
            log_in(f"203.0.113.{address}", f"wrong-{n}")

    client, response = log_in("198.51.100.4", PASSWORD)

    assert response.status_code == 429
    assert "Too many failed logins to this account" in response.content.decode()
    assert not is_logged_in(client)
    _, other_account = log_in("198.51.100.4", PASSWORD, username="other")
    assert other_account.status_code == 200  # only that account: another's login is answered as usual


def test_an_account_is_not_locked_before_its_own_limit(editor, settings):
    for address in range(3):
        for n in range(5):
            log_in(f"203.0.113.{address}", f"wrong-{n}")

    _, response = log_in("198.51.100.4", PASSWORD)

    assert response.status_code == 302


def test_a_right_password_forgives_its_own_address_but_not_others_guesses(editor):
    for address in range(3):
        for n in range(5):
            log_in(f"203.0.113.{address}", f"wrong-{n}")
    for n in range(4):
        log_in("198.51.100.4", f"typo-{n}")
    assert log_in("198.51.100.4", PASSWORD)[1].status_code == 302

    assert log_in("203.0.113.0", PASSWORD)[1].status_code == 429  # still locked out
    for n in range(5):
        log_in("192.0.2.9", f"wrong-{n}")  # the account's twentieth failure
    assert log_in("198.51.100.4", PASSWORD)[1].status_code == 429


def test_the_unlock_command_lets_a_locked_account_log_in_again(editor):
    for address in range(4):
        for n in range(5):
            log_in(f"203.0.113.{address}", f"wrong-{n}")

    call_command("axes_reset_username", "editor", stdout=io.StringIO())

    assert log_in("198.51.100.4", PASSWORD)[1].status_code == 302
