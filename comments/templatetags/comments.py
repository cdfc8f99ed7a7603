"""The comment thread and form under a review: `{{ comment_section(review) }}` in the review page's
Jinja2 template (reviewblog/jinja2.py), or `{% load comments %}{% comment_section review %}`; and
`{{ comment_feed_links(review) }}`, the autodiscovery <link>s of its comment feeds for the page's <head>.

Fetches a fixed number of rows whatever the length of the discussion: the approved count, one page of
top-level comments, and the replies of those threads, which are put into a tree here. The rendered
listing is kept in the cache until the discussion changes, so most renders fetch none of them.
"""

from django import template
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from reviews.cache_keys import is_number, key, pages
from reviews.pagination import page_or_404
from reviews.seo import absolute_url

from .. import feeds, spam
from ..avatars import avatar_url
from ..forms import CommentForm
from ..models import Comment, thread_root_q
from ..views import own_comment_ids, remembered_author

register = template.Library()

SHOWN_FIELDS = [
    "id",
    "review_id",
    "parent_id",
    "root_id",
    "depth",
    "author_name",
    "author_url",
    "body_html",
    "created_at",
    "status",
    "user_id",  # the review's author or the site's staff: a badge
    "author_email",  # only for the picture, made from a keyed hash of it; never shown
]


def build_tree(roots, replies, own_ids):
    """Hang replies under their parents. A comment the reader may not see stays only as a "removed"
    placeholder, and only while replies they may see hang from it."""

    def shown(comment):
        return comment.status == Comment.Status.APPROVED or (
            comment.status == Comment.Status.PENDING and comment.pk in own_ids
        )

    children = {}
    for reply in sorted(replies, key=lambda c: (c.created_at, c.pk)):
        children.setdefault(reply.parent_id, []).append(reply)

    def prune(comment):
        comment.avatar = avatar_url(comment.author_email)
        comment.children = [child for child in children.get(comment.pk, []) if prune(child)]
        comment.removed = not shown(comment)
        return not comment.removed or bool(comment.children)

    return [root for root in roots if prune(root)]


def listing_key(review, cpage: str) -> str:
    """The shared listing of one page of a review's discussion, as of its last change (`page_changed_at`
    moves whenever a comment appears on, changes on or leaves the page)."""
    return key("comments:listing", review.pk, review.page_changed_at, review.comments_open, cpage)


def render_listing(request, review, own) -> tuple[str, int]:
    """(HTML of the heading, threads and page links; the page number)."""
    counts = Comment.objects.filter(review=review).aggregate(
        approved=Count("pk", filter=Q(status=Comment.Status.APPROVED, kind=Comment.Kind.COMMENT)),
        threads=Count("pk", filter=thread_root_q(own)),
    )
    paginator = Paginator(
        Comment.objects.thread_roots(review, own).only(*SHOWN_FIELDS), settings.COMMENT_THREADS_PER_PAGE
    )
    paginator.count = counts["threads"]  # counted above, in the same query as the total
    page = page_or_404(paginator, request.GET.get("cpage"))  # before anything keeps the listing
    roots = list(page.object_list)
    replies = list(Comment.objects.filter(root__in=[c.pk for c in roots]).only(*SHOWN_FIELDS)) if roots else []
    context = {
        "review": review,
        "comments": build_tree(roots, replies, set(own)),
        "page": page,
        "approved_count": counts["approved"],
    }
    return render_to_string("comments/_listing.html", context, request), page.number


@register.inclusion_tag("comments/_thread.html", takes_context=True)
def comment_section(context, review):
    request = context["request"]
    own = own_comment_ids(request)
    cpage = request.GET.get("cpage", "")
    # A reader who sees their own pending comment gets a listing of their own; everyone else shares one,
    # so a page-cache miss (a logged-in author, the first reader after a change) skips most of the work.
    shared = not own and settings.PAGE_CACHE_SECONDS > 0
    kept_under = listing_key(review, cpage if is_number(cpage) else "") if shared else None
    cached = pages.get(kept_under) if kept_under else None
    if cached:
        listing, page_number = cached
    else:
        listing, page_number = render_listing(request, review, own)
        if kept_under:
            pages.set(kept_under, (listing, page_number), settings.PAGE_CACHE_SECONDS)

    form = context.get("comment_form")
    if form is not None:  # the form came back with errors: keep replying to the same comment
        form_html = render_form(request, review, form, getattr(form, "cleaned_data", {}).get("parent"), page_number)
    else:
        reply_id = request.GET.get("replytocom", "")
        replying_to = None
        if is_number(reply_id):  # the same answer whether the listing was kept or rendered just now
            comment = Comment.objects.public().filter(review=review, pk=reply_id).first()
            replying_to = comment if comment and comment.can_take_replies else None
        initial = remembered_author(request)
        if not initial and not replying_to and settings.PAGE_CACHE_SECONDS > 0:
            form_html = blank_form(request, review)
        else:
            initial |= {"remember": bool(initial), "parent": replying_to.pk if replying_to else None}
            form = CommentForm(review=review, initial=initial)
            form_html = render_form(request, review, form, replying_to, page_number)
    return {
        "review": review,
        "listing": mark_safe(listing),  # rendered from our own template, comment bodies sanitised on save
        "form_html": mark_safe(form_html),  # rendered from our own template, just now or earlier
    }


@register.inclusion_tag("includes/_feed_links.html")
def comment_feed_links(review):
    """The RSS and Atom feeds of a published review's comments (comments/feeds.py): title, type and URL."""
    title = feeds.ReviewCommentsFeed().title(review)
    return {
        "feeds": [
            {
                "title": title,
                "type": "application/rss+xml",
                "url": absolute_url(reverse("comments:review_feed", args=[review.slug])),
            },
            {
                "title": f"{title} (Atom)",
                "type": "application/atom+xml",
                "url": absolute_url(reverse("comments:review_feed_atom", args=[review.slug])),
            },
        ]
    }


def render_form(request, review, form, replying_to, page_number) -> str:
    context = {
        "review": review,
        "form": form,
        "replying_to": replying_to,
        "page_number": page_number,
        "screening_on": spam.is_configured(),  # the Akismet notice only where Akismet screens
    }
    return render_to_string("comments/_form.html", context, request)


# Stands in for the reader's CSRF token in the kept copy of a blank form, which holds no reader's text.
TOKEN_SLOT = "__csrf_token_for_this_reader__"


def blank_form(request, review) -> str:
    """The empty comment form, rendered once per change of the review (its address, whether comments are
    open) and design, with this reader's token put in (none on a page rendered for sharing: see
    reviewblog/page_cache.py)."""
    form_key = key("comments:form", review.pk, review.updated_at, review.page_changed_at)
    html = pages.get(form_key)
    if html is None:
        form = CommentForm(review=review, initial={"remember": False})
        context = {"review": review, "form": form, "csrf_token": TOKEN_SLOT, "screening_on": spam.is_configured()}
        # Without the request: given one, the template engine would put this reader's token in the kept copy.
        html = render_to_string("comments/_form.html", context)
        pages.set(form_key, html, settings.PAGE_CACHE_SECONDS)
    token = "" if getattr(request, "shared_render", False) else get_token(request)
    return html.replace(TOKEN_SLOT, token)
