"""Posting a comment (POST/redirect/GET), a comment's permalink, and the privacy page."""

import json

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from reviews.models import Review
from reviews.views import render_review_page

from . import moderation, spam
from .forms import CommentForm
from .models import Comment

REMEMBER_COOKIE = "comment_author"
REMEMBER_SALT = "comments.remember"
OWN_COMMENTS = "own_comments"  # session key: ids of the comments this browser posted
RATE_WINDOWS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def over_rate_limit(ip: str) -> bool:
    """True once this address has posted more than COMMENT_RATE_LIMIT (e.g. "5/m") in the window."""
    count, _, window = settings.COMMENT_RATE_LIMIT.partition("/")
    seconds = RATE_WINDOWS[window[:1].lower() or "m"]
    key = f"comments:rate:{ip}"
    cache.add(key, 0, timeout=seconds)
    try:
        return cache.incr(key) > int(count)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        return False


def own_comment_ids(request) -> list[int]:
    return request.session.get(OWN_COMMENTS, [])


def remembered_author(request) -> dict:
    raw = request.get_signed_cookie(REMEMBER_COOKIE, default=None, salt=REMEMBER_SALT)
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return {}


@require_POST
def post_comment(request, slug):
    review = get_object_or_404(Review.objects.published().for_detail(), slug=slug)
    if not review.comments_open:
        return render(request, "comments/closed.html", {"review": review}, status=403)

    form = CommentForm(request.POST, review=review)
    if over_rate_limit(client_ip(request)):
        form.is_valid()  # keep what the reader typed, with any other problems shown too
        form.add_error(
            None,
            "You are sending comments faster than we allow. Wait a minute, then send it again; "
            "your text is still here.",
        )
        return render_review_page(request, review, {"comment_form": form}, status=429)
    if not form.is_valid():
        return render_review_page(request, review, {"comment_form": form}, status=400)

    comment = form.save(commit=False)
    comment.ip_address = client_ip(request) or None
    comment.user_agent = request.META.get("HTTP_USER_AGENT", "")[:500]
    comment.referrer = request.META.get("HTTP_REFERER", "")[:1000]
    moderation.receive(comment, honeypot_filled=form.honeypot_filled)
    comment.refresh_from_db(fields=["status"])

    request.session[OWN_COMMENTS] = [*own_comment_ids(request), comment.pk][-50:]
    if comment.status == Comment.Status.APPROVED:
        messages.success(request, "Thank you! Your comment is published.")
    else:
        messages.success(request, "Thank you! Your comment is awaiting moderation.")
    response = HttpResponseRedirect(comment.get_absolute_url())
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


def permalink(request, pk):
    """Send a comment's link to the page of the review that holds its thread."""
    comment = get_object_or_404(Comment.objects.select_related("review").shown_to(own_comment_ids(request)), pk=pk)
    review = comment.review
    if not review.is_public:
        raise Http404("No published review holds this comment.")
    root = comment.root or comment
    earlier = (
        Comment.objects.shown_to(own_comment_ids(request))
        .filter(review=review, root=None, created_at__lte=root.created_at)
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
            "spam_days": settings.COMMENT_SPAM_DAYS,
            "screening_on": spam.is_configured(),
            "comments_url": reverse("reviews:home"),
        },
    )
