"""What django-axes needs from the site to throttle the admin login: whose address a try came from, and
the page a locked-out address sees."""

import ipaddress
import math

from axes.helpers import get_cool_off
from django.contrib import admin
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


def lockout_response(request, original_response=None, credentials=None):
    """The admin's login page, saying that this address is locked out and for how long."""
    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None,
    }
    return render(request, "admin/login_locked.html", context, status=429)
