"""What django-axes needs from the site to throttle the admin login: whose address a try came from, how an
address's and an account's failures are counted, each against its own limit, and the page a locked-out
login sees."""

import ipaddress
import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib import admin
from django.db.models import Sum
from django.shortcuts import render

from comments.views import client_ip


def client_address(request) -> str | None:
    """The address failures are counted against: the reader's address as the comments' rate limit sees it
    (X-Forwarded-For only as far as TRUSTED_PROXY_COUNT trusts it), an IPv6 address widened to its /64,
    since a client can take any address of its own line."""
    address = client_ip(request)
    if not address:
        return None  # unparseable REMOTE_ADDR: all such tries are counted together
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return address


class LoginThrottle(AxesDatabaseHandler):
    """Failures counted per address (AXES_FAILURE_LIMIT) and per account from every address
    (LOGIN_ACCOUNT_FAILURE_LIMIT, higher: one address gives an account at most the address limit, so only
    guessing from several addresses locks an account, and a typing editor never does).

    axes compares one number with one limit, so an account's count is shifted to reach the address
    limit exactly when it reaches its own."""

    def get_failures(self, request, credentials=None) -> int:
        address_attempts, account_attempts = self.get_user_attempts(request, credentials)  # the parameters' order
        by_address = address_attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
        if not settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
            return by_address
        by_account = account_failures(account_attempts)
        return max(by_address, by_account - (settings.LOGIN_ACCOUNT_FAILURE_LIMIT - settings.AXES_FAILURE_LIMIT))

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A right password forgives its own address's typos, not others' guesses at the account."""
        by_address, _ = self.filter_user_attempts(request, credentials)
        return by_address.delete()[0]


def account_failures(attempts) -> int:
    """An account's failures, each address counted up to the address limit: the tries a locked-out address
    keeps making (each restarts its own wait) must not lock the account for everyone."""
    per_address = attempts.values("ip_address").annotate(failures=Sum("failures_since_start"))
    return sum(min(row["failures"], settings.AXES_FAILURE_LIMIT) for row in per_address)


def account_is_locked(request, credentials) -> bool:
    if not settings.LOGIN_ACCOUNT_FAILURE_LIMIT or not get_client_username(request, credentials):
        return False
    _, account_attempts = LoginThrottle().get_user_attempts(request, credentials)
    return account_failures(account_attempts) >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT


def lockout_response(request, original_response=None, credentials=None):
    """The admin's login page, saying whether this address or this account is locked out, and for how long."""
    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "account": account_is_locked(request, credentials),
        "minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None,
    }
    return render(request, "admin/login_locked.html", context, status=429)
