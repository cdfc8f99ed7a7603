"""The moderation desk: WordPress's Comments screen in our admin.

Pending first, a tab per status with its count, each comment whole with the review it is on, the
comment it answers, its author's record, why it is held and its history. Every decision is a button
(a small form: it works without JavaScript) and a key (static/js/moderation-desk.js). The last decision
can be undone; a moderator can reply in the site's name or edit, and the history keeps the original.
The views are mounted by CommentAdmin.get_urls, behind the admin's login and the comment permissions.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode

from reviews.pagination import page_or_404

from . import moderation
from .models import Comment, CommentEvent, InvalidTransition, ModeratorPreference

Status = Comment.Status
PER_PAGE = 20
UNDO = "comments:desk-undo"  # session key: the last decision, to undo

# verb → (label, key, function, past tense); the keys are WordPress's.
DECISIONS = {
    "approve": ("Approve", "a", moderation.approve, "approved"),
    "unapprove": ("Unapprove", "u", moderation.unapprove, "sent back to the queue"),
    "spam": ("Spam", "s", moderation.mark_spam, "marked as spam"),
    "trash": ("Trash", "t", moderation.trash, "moved to the trash"),
    "restore": ("Restore", "u", moderation.unapprove, "restored to the queue"),
}
OFFERED = {
    Status.PENDING: ["approve", "spam", "trash"],
    Status.APPROVED: ["unapprove", "spam", "trash"],
    Status.SPAM: ["approve", "restore", "trash"],
    Status.TRASH: ["approve", "restore", "spam"],
}
KEYS = [
    ("j / k", "next / previous comment"),
    ("a", "approve"),
    ("s", "spam"),
    ("t or d", "trash"),
    ("u", "unapprove / restore"),
    ("z", "undo the last decision"),
    ("r", "reply"),
    ("e", "edit"),
]


class ReplyForm(forms.Form):
    body = forms.CharField(label="Reply", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class EditForm(forms.ModelForm):
    author_url = forms.URLField(label="Website", required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = Comment
        fields = ["author_name", "author_email", "author_url", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}


BIGINT_MAX = 2**63 - 1  # the largest id the database holds (BigAutoField)


def _id(value) -> int | None:
    """A comment id as a form sends it, or None: ASCII digits only ("²".isdigit() is true too) and within the
    database's range (a larger number is an OverflowError in SQLite's driver)."""
    value = str(value)
    if value.isascii() and value.isdigit() and int(value) <= BIGINT_MAX:
        return int(value)
    return None


def _check(model_admin, request):
    if not model_admin.has_change_permission(request):
        raise PermissionDenied


def desk(model_admin, request):
    """One page of one tab."""
    _check(model_admin, request)
    tab = request.GET.get("status", Status.PENDING)
    if tab not in Status.values:
        raise Http404("No such tab")
    counts = Comment.objects.filter(kind=Comment.Kind.COMMENT).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in Status.values}
    )
    comments = (
        Comment.objects.filter(status=tab, kind=Comment.Kind.COMMENT)
        .select_related("review", "parent")
        .prefetch_related(Prefetch("events", queryset=CommentEvent.objects.select_related("actor", "rule")))
        .order_by("created_at" if tab == Status.PENDING else "-created_at", "id")
    )
    paginator = Paginator(comments, PER_PAGE)
    paginator.count = counts[tab]
    page = page_or_404(paginator, request.GET.get("page"))
    rows = list(page.object_list)
    emails = {c.author_email.lower() for c in rows if c.author_email}
    records = {}
    if emails:
        by_email = (
            Comment.objects.filter(author_email__in={c.author_email for c in rows if c.author_email})
            .values("author_email")
            .annotate(
                approved=Count("pk", filter=Q(status=Status.APPROVED)), spam=Count("pk", filter=Q(status=Status.SPAM))
            )
        )
        for row in by_email:
            record = records.setdefault(row["author_email"].lower(), {"approved": 0, "spam": 0})
            record["approved"] += row["approved"]
            record["spam"] += row["spam"]
    current = request.GET.get("current", "")
    for index, comment in enumerate(rows):
        comment.record = records.get(comment.author_email.lower(), {"approved": 0, "spam": 0})
        comment.decisions = [(verb, *DECISIONS[verb][:2]) for verb in OFFERED[comment.status]]
        comment.next_pk = rows[index + 1].pk if index + 1 < len(rows) else (rows[index - 1].pk if index else "")
        comment.is_current = str(comment.pk) == current or (not current and index == 0)
        comment.edit_form = EditForm(instance=comment, prefix=f"edit-{comment.pk}")
        comment.reply_form = ReplyForm(prefix=f"reply-{comment.pk}")
        comment.reasons = comment.why_held() if comment.status != Status.APPROVED else []
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Moderation desk",
        "opts": model_admin.model._meta,
        "tabs": [(status, label, counts[status]) for status, label in Status.choices],
        "tab": tab,
        "page": page,
        "comments": rows,
        "keys": KEYS,
        "undo": request.session.get(UNDO),
        "daily_digest": ModeratorPreference.objects.filter(user=request.user, daily_digest=True).exists(),
        "here": f"{request.path}?{urlencode({'status': tab, 'page': page.number})}",
    }
    return TemplateResponse(request, "admin/comments/desk.html", context)


def _back(request, comment_pk=None):
    """Back to the tab and page the moderator was on, the next comment in focus."""
    tab = request.POST.get("status", "")
    query = {"status": tab if tab in Status.values else Status.PENDING}
    if (page := _id(request.POST.get("page", ""))) is not None:
        query["page"] = page
    current = _id(request.POST.get("next", "") if comment_pk is None else comment_pk)
    if current is not None:
        query["current"] = current
    url = reverse("admin:comments_comment_desk") + "?" + urlencode(query)
    return HttpResponseRedirect(url + (f"#desk-{query['current']}" if "current" in query else ""))


def _posted_comment(model_admin, request, pk):
    if request.method != "POST":
        return None
    _check(model_admin, request)
    return get_object_or_404(Comment.objects.select_related("review", "parent"), pk=pk)


def decide(model_admin, request, pk, verb):
    comment = _posted_comment(model_admin, request, pk)
    if comment is None:
        return HttpResponseNotAllowed(["POST"])
    if verb not in DECISIONS:
        raise Http404(f"No such decision: {verb}")
    label, _, act, done = DECISIONS[verb]
    previous = comment.status
    try:
        act(comment, by=request.user)
    except InvalidTransition as error:
        messages.error(request, str(error))
        return _back(request, comment.pk)
    request.session[UNDO] = {
        "pk": comment.pk,
        "previous": previous,
        "event": moderation.last_event_id(comment),  # undo only while nobody changed it since
        "label": label,
        "author": comment.author_name,
    }
    messages.success(request, f"The comment by {comment.author_name} was {done}. Press z to undo.")
    return _back(request)


def undo(model_admin, request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _check(model_admin, request)
    last = request.session.pop(UNDO, None)
    if not last or "event" not in last:
        messages.warning(request, "There is no decision to undo.")
        return _back(request)
    comment = get_object_or_404(Comment.objects.select_related("review"), pk=last["pk"])
    try:
        moderation.undo(comment, last["previous"], decided_at_event=last["event"], by=request.user)
    except InvalidTransition as error:
        messages.error(request, str(error))
        return _back(request)
    messages.success(request, f"Undone: “{last['label']}” on the comment by {comment.author_name}.")
    request.POST = request.POST.copy()
    request.POST["status"] = last["previous"]
    return _back(request, comment.pk)


def reply(model_admin, request, pk):
    parent = _posted_comment(model_admin, request, pk)
    if parent is None:
        return HttpResponseNotAllowed(["POST"])
    form = ReplyForm(request.POST, prefix=f"reply-{pk}")
    if not form.is_valid():
        messages.error(request, "Write the reply before sending it.")
        return _back(request, pk)
    try:
        moderation.reply_as_staff(parent, form.cleaned_data["body"], by=request.user)
    except InvalidTransition as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Your reply to {parent.author_name} is published.")
    return _back(request, pk)


def edit(model_admin, request, pk):
    comment = _posted_comment(model_admin, request, pk)
    if comment is None:
        return HttpResponseNotAllowed(["POST"])
    form = EditForm(request.POST, instance=Comment.objects.get(pk=pk), prefix=f"edit-{pk}")
    if not form.is_valid():
        messages.error(request, "Not saved: " + " ".join(e for errors in form.errors.values() for e in errors))
        return _back(request, pk)
    changed = moderation.edit(comment, {name: form.cleaned_data[name] for name in form.changed_data}, by=request.user)
    messages.success(request, "Saved; the history keeps the original." if changed else "Nothing was changed.")
    return _back(request, pk)


def bulk(model_admin, request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _check(model_admin, request)
    verb = request.POST.get("verb", "")
    if verb not in DECISIONS:
        messages.error(request, "Choose a decision for the selected comments.")
        return _back(request)
    _, _, act, done = DECISIONS[verb]
    selected = request.POST.getlist("selected")
    chosen = [pk for pk in map(_id, selected) if pk is not None]
    comments = Comment.objects.filter(pk__in=chosen).select_related("review")
    changed, skipped = moderation.decide_each(comments, act, by=request.user)
    message = f"{changed} comment{'s' if changed != 1 else ''} {done}."
    messages.success(request, message + (f" {skipped} could not be, from where they are." if skipped else ""))
    if ignored := len(selected) - len(chosen):
        messages.warning(
            request, f"{ignored} of the selected values {'was' if ignored == 1 else 'were'} not a comment id."
        )
    return _back(request)


def email_preference(model_admin, request):
    """An email per waiting comment, or one daily digest (comments/followups.py): each moderator's choice."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _check(model_admin, request)
    digest = request.POST.get("daily_digest") == "1"
    ModeratorPreference.objects.update_or_create(user=request.user, defaults={"daily_digest": digest})
    messages.success(
        request,
        "You will get one daily digest of waiting comments."
        if digest
        else "You will get an email per waiting comment.",
    )
    return _back(request)
