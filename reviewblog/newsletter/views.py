"""Signing up (the form in the footer and after each review), and the links newsletter emails carry."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from comments.views import client_ip, over_rate_limit

from . import signup
from .forms import SubscribeForm
from .models import Subscriber


# No CSRF token: the form is on cached pages, which hold none, and readers without JavaScript must be able
# to use it. A forged post can do no more than a stranger typing the address: a confirmation email, within
# the address's daily cap and this address's rate limit; nothing starts without its owner's button.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    if request.method != "POST":
        return render(request, "newsletter/subscribe.html")
    form = SubscribeForm(request.POST)
    limits = {
        "prefix": "newsletter:rate:",
        "rate": settings.NEWSLETTER_SIGNUP_RATE,
        "network_rate": settings.NEWSLETTER_SIGNUP_NETWORK_RATE,
    }
    if over_rate_limit(client_ip(request), **limits):
        return page_with_error(request, form, "You are signing up faster than we allow. Wait, then try again.", 429)
    if not form.is_valid():
        return page_with_error(request, form, "Enter an email address, like name@example.com.", 400)
    if not form.cleaned_data["website"]:  # a bot that filled the honeypot hears the same as anyone
        signup.subscribe(form.cleaned_data["email"], form.cleaned_data["frequency"])
    # The same answer whether the address is new, waiting or subscribed already.
    return HttpResponseRedirect(reverse("newsletter:thanks"), status=303)


def page_with_error(request, form, error: str, status: int):
    context = {
        "errors": error,
        "email": request.POST.get("email", "")[:254],
        "frequency": request.POST.get("frequency", ""),
    }
    return render(request, "newsletter/subscribe.html", context, status=status)


@require_GET
def thanks(request):
    return render(request, "newsletter/thanks.html")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, signed):
    """GET shows what the emailed link would start, with a button (mail scanners open every link and
    must subscribe nobody); the button's POST, with this page's CSRF token, starts it."""
    named = signup.to_confirm(signed)
    if named is None:
        return render(request, "newsletter/link_broken.html", status=400)
    if request.method == "POST":
        return render(request, "newsletter/confirmed.html", {"subscriber": signup.confirm(signed)})
    subscriber, frequency = named
    context = {"subscriber": subscriber, "frequency_label": Subscriber.Frequency(frequency).label}
    return render(request, "newsletter/confirm.html", context)


@never_cache
@csrf_exempt  # a mail client's one-click POST (RFC 8058) carries no token: the signed link is the proof
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, signed):
    """GET asks (link checkers open links and must unsubscribe nobody); POST, from the page's button or a
    mail client's "List-Unsubscribe=One-Click", deletes the subscription. The mail client's POST is
    answered with a line of text, not a page: nobody sees it."""
    valid, subscriber, _ = signup.leaving(signed)
    if not valid:
        return render(request, "newsletter/link_broken.html", status=400)
    if request.method == "POST":
        signup.leave(signed)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("Unsubscribed.\n", content_type="text/plain; charset=utf-8")
        return render(request, "newsletter/unsubscribed.html")
    return render(request, "newsletter/unsubscribe.html", {"subscriber": subscriber})
