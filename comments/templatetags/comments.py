"""The comment thread and form under a review: `{% load comments %}{% comment_section review %}`.

Fetches a fixed number of rows whatever the length of the discussion: the approved count, one page of
top-level comments, and the replies of those threads, which are put into a tree here.
"""

from django import template
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q

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
        comment.children = [child for child in children.get(comment.pk, []) if prune(child)]
        comment.removed = not shown(comment)
        return not comment.removed or bool(comment.children)

    return [root for root in roots if prune(root)]


@register.inclusion_tag("comments/_thread.html", takes_context=True)
def comment_section(context, review):
    request = context["request"]
    own = own_comment_ids(request)
    counts = Comment.objects.filter(review=review).aggregate(
        approved=Count("pk", filter=Q(status=Comment.Status.APPROVED)),
        threads=Count("pk", filter=thread_root_q(own)),
    )
    paginator = Paginator(
        Comment.objects.thread_roots(review, own).only(*SHOWN_FIELDS), settings.COMMENT_THREADS_PER_PAGE
    )
    paginator.count = counts["threads"]  # counted above, in the same query as the total
    page = paginator.get_page(request.GET.get("cpage"))
    roots = list(page.object_list)
    replies = list(Comment.objects.filter(root__in=[c.pk for c in roots]).only(*SHOWN_FIELDS)) if roots else []
    own = set(own)

    form = context.get("comment_form")
    replying_to = None
    if form is None:
        reply_id = request.GET.get("replytocom", "")
        if reply_id.isdigit():
            replying_to = next(
                (c for c in [*roots, *replies] if c.pk == int(reply_id) and c.can_take_replies),
                None,
            )
        initial = remembered_author(request)
        initial["remember"] = bool(initial)
        if replying_to:
            initial["parent"] = replying_to.pk
        form = CommentForm(review=review, initial=initial)
    else:  # the form came back with errors: keep replying to the same comment
        replying_to = getattr(form, "cleaned_data", {}).get("parent")

    return {
        "request": request,
        "review": review,
        "comments": build_tree(roots, replies, own),
        "page": page,
        "approved_count": counts["approved"],
        "form": form,
        "replying_to": replying_to,
        "max_length": settings.COMMENT_MAX_LENGTH,
        "csrf_token": context.get("csrf_token"),
    }
