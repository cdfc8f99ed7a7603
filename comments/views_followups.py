"""The links in follow-up emails: confirm a subscription, and leave it (comments/followups.py)."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import followups


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, signed):
    """GET shows what the emailed link would confirm, with a button: mail systems' link scanners open every
    link, and must subscribe nobody. The button's POST (with the CSRF token of that page) confirms."""
    if request.method == "POST":
        subscriptions = followups.confirm(signed)
        template = "comments/follow_confirmed.html"
    else:
        subscriptions = followups.to_confirm(signed)
        template = "comments/follow_confirm.html"
    if subscriptions is None:
        return render(request, "comments/follow_link_broken.html", status=400)
    return render(request, template, {"subscriptions": subscriptions})


@never_cache
@csrf_exempt  # a mail client's one-click POST (RFC 8058) carries no token: the signed link is the proof
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, signed):
    """GET asks (link checkers open links, and must not unsubscribe anyone); POST, from the page's
    button or a mail client's "List-Unsubscribe=One-Click", ends the subscription."""
    valid, subscription = followups.unsubscribe(signed)
    if not valid:
        return render(request, "comments/follow_link_broken.html", status=400)
    if request.method == "POST":
        review = subscription.review if subscription else None
        if subscription is not None:
            followups.end(subscription)
        return render(request, "comments/unsubscribed.html", {"review": review})
    return render(request, "comments/unsubscribe.html", {"subscription": subscription})
