"""Posting a comment (POST/redirect/GET), its form's CSRF token, a comment's permalink, and the privacy page."""

import ipaddress
import json
import re

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import REASON_CSRF_TOKEN_MISSING, REASON_NO_CSRF_COOKIE, get_token
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve, reverse
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from reviews.models import Review
from reviews.views import render_review_page

from . import moderation, screening, spam
from .forms import CommentForm
from .models import Comment, CommentEvent, DefenceCount

REMEMBER_COOKIE = settings.COMMENT_REMEMBER_COOKIE
REMEMBER_SALT = "comments.remember"
OWN_COMMENTS = "own_comments"  # session key: ids of the comments this browser posted
RATE_WINDOWS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def client_ip(request) -> str:
    """The reader's address: REMOTE_ADDR, or the entry our own proxies added to X-Forwarded-For."""
    address = request.META.get("REMOTE_ADDR", "")
    if proxies := settings.TRUSTED_PROXY_COUNT:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]  # anything further left was written by the client itself
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""


def parse_rate(rate: str) -> tuple[int, int]:
    """Parse a rate: "5/m" is (5, 60) and "10/5m" is (10, 300); anything else raises ValueError."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([smhd])[a-z]*\s*", rate.lower())
    if not match:
        raise ValueError(f"{rate!r} is not a rate like 5/m, 20/h or 10/5m")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * RATE_WINDOWS[unit]


def rate_limits(ip: str, *, prefix: str = "comments:rate:", rate=None, network_rate=None) -> list[tuple[str, str]]:
    """(cache key, rate) of each count a comment from this address adds to: one IPv4 address, or an IPv6
    /64 (one subscriber's line: a client can take any address in it) and the /56 around it (a household's
    or a server's prefix, with a larger limit, so rotating through its 256 /64s still meets one). Another
    form counts apart with its own `prefix` and rates (the newsletter's sign-up)."""
    rate = rate or settings.COMMENT_RATE_LIMIT
    network_rate = network_rate or settings.COMMENT_NETWORK_RATE_LIMIT
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return [(prefix, rate)]  # no address: all such readers together
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.version == 4:
        return [(f"{prefix}{address}", rate)]
    line, network = (ipaddress.ip_network(f"{address}/{bits}", strict=False) for bits in (64, 56))
    return [(f"{prefix}{line}", rate), (f"{prefix}{network}", network_rate)]


def over_rate_limit(ip: str, **limits) -> bool:
    """True once this address or its network has sent more than its limit in the window (`rate_limits`,
    which takes `limits`)."""
    over = False
    for key, rate in rate_limits(ip, **limits):
        limit, seconds = parse_rate(rate)
        cache.add(key, 0, timeout=seconds)
        try:
            over |= cache.incr(key) > limit  # every count goes up, so refusals fill the prefix's count too
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=seconds)
    return over


def own_comment_ids(request) -> list[int]:
    return request.session.get(OWN_COMMENTS, [])


def is_returning_reader(request, email: str) -> bool:
    """This browser posted a comment with this email that a moderator (or Akismet with trust) published."""
    own = own_comment_ids(request)
    return bool(own) and Comment.objects.public().by_email(email).filter(pk__in=own).exists()


def remembered_author(request) -> dict:
    raw = request.get_signed_cookie(REMEMBER_COOKIE, default=None, salt=REMEMBER_SALT)
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return {}


@require_http_methods(["GET", "HEAD", "POST"])
def post_comment(request, slug):
    if request.method != "POST":
        # A reader reloading the page a failed comment left in the address bar goes back to the review's form;
        # the text they typed was in that POST and is gone either way.
        review = get_object_or_404(Review.objects.published(), slug=slug)
        return HttpResponseRedirect(f"{review.get_absolute_url()}#respond")
    review = get_object_or_404(Review.objects.published().for_detail(), slug=slug)
    if not review.comments_open:
        return render(request, "comments/closed.html", {"review": review}, status=403)

    form = CommentForm(request.POST, review=review)
    if over_rate_limit(client_ip(request)):
        DefenceCount.bump(CommentEvent.Layer.RATE_LIMIT)
        form.is_valid()  # keep what the reader typed, with any other problems shown too
        form.add_error(
            None,
            "You are sending comments faster than we allow. Wait a minute, then send it again; "
            "your text is still here.",
        )
        return render_review_page(request, review, {"comment_form": form}, status=429)
    if not form.is_valid():
        if form.too_long:
            DefenceCount.bump(CommentEvent.Layer.SIZE)
        return render_review_page(request, review, {"comment_form": form}, status=400)

    comment = form.save(commit=False)
    comment.ip_address = client_ip(request) or None
    comment.user_agent = request.META.get("HTTP_USER_AGENT", "")[:500]
    comment.referrer = request.META.get("HTTP_REFERER", "")[:1000]
    comment.typing_seconds, comment.stamp_forged = screening.read_stamp(form.cleaned_data.get("form_stamp", ""))
    try:
        moderation.receive(
            comment,
            honeypot_filled=form.honeypot_filled,
            returning_reader=is_returning_reader(request, comment.author_email),
            follow_replies=form.cleaned_data["follow_replies"],
            follow_all=form.cleaned_data["follow_all"],
        )
    except moderation.DuplicateComment:  # the same words from another tab a moment ago
        form.add_error(None, CommentForm.DUPLICATE)
        return render_review_page(request, review, {"comment_form": form}, status=400)
    comment.refresh_from_db(fields=["status"])

    request.session[OWN_COMMENTS] = [*own_comment_ids(request), comment.pk][-50:]
    if comment.status == Comment.Status.APPROVED:
        thanks = "Thank you! Your comment is published."
    else:
        thanks = "Thank you! Your comment is awaiting moderation."
    if form.cleaned_data["follow_replies"] or form.cleaned_data["follow_all"]:  # said to bots as well
        thanks += " To get the emails you asked for, confirm with the link we email you."
    messages.success(request, thanks)
    shown = comment.status in (Comment.Status.APPROVED, Comment.Status.PENDING)
    # Filed as spam (honeypot, Akismet): the reader hears the same as anyone; a bot learns nothing.
    response = HttpResponseRedirect(comment.get_absolute_url() if shown else f"{review.get_absolute_url()}#comments")
    if form.cleaned_data["remember"]:
        author = {k: form.cleaned_data[k] for k in ("author_name", "author_email", "author_url")}
        response.set_signed_cookie(
            REMEMBER_COOKIE,
            json.dumps(author),
            salt=REMEMBER_SALT,
            max_age=365 * 86400,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    else:
        response.delete_cookie(REMEMBER_COOKIE, samesite="Lax")
    return response


@never_cache
@require_GET
def form_token(request):
    """The CSRF token for a comment form on a page served from the shared cache, and the signed time the
    reader started to write (static/js/comment-form.js asks for both on their first touch of the form; a
    stamp in the cached page would be as old as the copy). Asking sets the reader's CSRF cookie too."""
    return JsonResponse({"token": get_token(request), "stamp": screening.make_stamp()})


def csrf_failure(request, reason=""):
    """A comment sent without a valid CSRF token (no JavaScript on a cached page, or an old tab) is not
    lost: the page comes back with the text in the form and a fresh token, to send again.

    Only for a missing or stale token or cookie from our own pages: a post from another site (Origin or
    Referer checks) gets Django's refusal, so a forged form cannot be turned into one click.
    """
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    stale_token = reason in (REASON_NO_CSRF_COOKIE, REASON_CSRF_TOKEN_MISSING) or reason.startswith(
        ("CSRF token from POST", "CSRF cookie ")
    )
    if match is None or match.view_name != "comments:post" or request.method != "POST" or not stale_token:
        return django_csrf_failure(request, reason)
    review = get_object_or_404(Review.objects.published().for_detail(), slug=match.kwargs["slug"])
    form = CommentForm(request.POST, review=review)
    form.is_valid()
    if over_rate_limit(client_ip(request)):  # each refusal costs a render: the same limit as a comment
        form.add_error(None, "You are sending comments faster than we allow. Wait a minute, then send it again.")
        return render_review_page(request, review, {"comment_form": form}, status=429)
    form.add_error(
        None,
        "Your browser's security token for this form was missing or out of date. "
        "Everything you typed is still here: press Post comment again.",
    )
    return render_review_page(request, review, {"comment_form": form}, status=403)


def permalink(request, pk):
    """Send a comment's link to the page of the review that holds its thread."""
    comment = get_object_or_404(Comment.objects.select_related("review").shown_to(own_comment_ids(request)), pk=pk)
    review = comment.review
    if not review.is_public:
        raise Http404("No published review holds this comment.")
    root = comment.root or comment
    earlier = (
        Comment.objects.thread_roots(review, own_comment_ids(request))
        .filter(created_at__lte=root.created_at)
        .exclude(created_at=root.created_at, pk__gte=root.pk)
        .count()
    )
    page = earlier // settings.COMMENT_THREADS_PER_PAGE + 1
    query = f"?cpage={page}" if page > 1 else ""
    return HttpResponseRedirect(f"{review.get_absolute_url()}{query}#{comment.anchor}")


def privacy(request):
    return render(
        request,
        "privacy.html",
        {
            "personal_data_days": settings.COMMENT_PERSONAL_DATA_DAYS,
            "email_copy_days": settings.OUTBOX_KEEP_DAYS,
            "spam_days": settings.COMMENT_SPAM_DAYS,
            "screening_on": spam.is_configured(),
            "comments_url": reverse("reviews:home"),
        },
    )
