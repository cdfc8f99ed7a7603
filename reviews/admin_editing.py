"""The review editor's safety net in the admin: authors never lose a word.

- No silent overwrite: the change form and the restore form carry the version they were loaded from
  (reviews/forms.py ReviewForm, reviews/editing.py); the list's bulk actions carry the time the list was
  loaded and refuse to act on a review saved since.
- Edit locks: opening a review claims it (EditLock) unless someone else's editor is open on it, which
  the page then says, with a button to take over; the open editor's heartbeat renews it and learns if
  it was taken over.
- Autosave: the editor posts its form every REVIEW_AUTOSAVE_SECONDS while the author types, and on
  leaving the page, into the author's Autosave row, never the review; opening the review again offers
  it back with a diff. A save prunes it.
- Logged out or a stale CSRF token: the editor asks `session/` before a save and lets the author log in
  again in place (static/js/review-safety.js); the browser's own copy of the form covers crashes.
- Preview: the unsaved form in the public layout, for staff, never cached and never indexed.

The JSON endpoints answer a logged-out editor with 403 JSON rather than a redirect to the login page,
so the editor can tell; they are never cached.
"""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.db import models, transaction
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_datetime
from django.views.decorators.cache import never_cache

from . import editing, revisions
from .images import uploaded_image_size
from .markdown import render_markdown
from .models import Autosave, EditLock, Review, display_name, reading_minutes
from .models.mentions import resolve as resolve_mentions

# Form fields an autosave or the browser's copy never holds: the session's token and the version the page showed.
NOT_KEPT = {"csrfmiddlewaretoken", "loaded_version", "_save", "_continue", "_addanother", "_preview"}


def clock(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def lock_state(lock: EditLock | None, user) -> dict:
    """What the editor shows about who has the review open."""
    if lock is None or not lock.is_fresh:
        return {"mine": False, "other": None}
    if lock.user_id == user.pk:
        return {"mine": True, "other": None}
    return {
        "mine": False,
        "other": display_name(lock.user),
        "since": lock.since.isoformat(),
        "since_label": clock(lock.since),
        "taken_from_you": lock.taken_from_id == user.pk,
    }


def autosave_differences(autosave: Autosave, review: Review) -> tuple[list, list[str]]:
    """(body diff from the review to the autosave, names of the other fields that differ)."""
    rows = revisions.body_diff(review.body, autosave.value("body"))
    others = []
    for name in editing.TEXT_FIELDS:
        model_field = Review._meta.get_field(name)
        typed = autosave.data.get(name)
        if typed is None and not isinstance(model_field, models.BooleanField):
            continue  # not on the form this autosave came from (an unticked box is simply not sent)
        if differs(model_field, typed or [], model_field.value_from_object(review)):
            others.append(str(model_field.verbose_name))
    return rows, others


def differs(model_field, typed: list[str], saved) -> bool:
    if isinstance(model_field, models.BooleanField):
        return bool(typed) != bool(saved)
    text = typed[0].replace("\r\n", "\n") if typed else ""
    if isinstance(model_field, models.DecimalField):
        try:
            return (Decimal(text) if text else None) != saved
        except InvalidOperation:
            return True
    return text != (saved or "")


class EditingAdmin:
    """Mixed into ReviewAdmin, before RevisionsAdmin."""

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        admin_view = self.admin_site.admin_view
        return [
            path("session/", never_cache(self.session_view), name=f"{info}_session"),
            path("<str:object_id>/heartbeat/", never_cache(self.heartbeat_view), name=f"{info}_heartbeat"),
            path("<str:object_id>/take-over/", never_cache(self.take_over_view), name=f"{info}_take_over"),
            path("<str:object_id>/release/", never_cache(self.release_view), name=f"{info}_release"),
            path("<str:object_id>/autosave/", never_cache(self.autosave_view), name=f"{info}_autosave"),
            path("<str:object_id>/autosave/discard/", never_cache(self.discard_view), name=f"{info}_autosave_discard"),
            path("<str:object_id>/preview/", admin_view(self.preview_view), name=f"{info}_preview"),
            *super().get_urls(),
        ]

    def editing_url(self, name, obj) -> str:
        return reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{name}", args=[quote(obj.pk)]
        )

    # --- JSON endpoints for the open editor ---

    def editable(self, request, object_id):
        """(review, None) if this user may change it, else (None, a JSON refusal the editor can show)."""
        user = request.user
        if not (user.is_active and user.is_staff):
            return None, JsonResponse({"error": "logged_out", "message": "You have been logged out."}, status=403)
        if request.method != "POST":
            return None, HttpResponseNotAllowed(["POST"])
        review = self.get_object(request, unquote(object_id))
        if review is None or not self.has_change_permission(request, review):
            return None, JsonResponse({"error": "forbidden", "message": "You may not change this review."}, status=403)
        return review, None

    def session_view(self, request):
        """Whether the editor's login still holds, and a CSRF token for its next POST (login rotates it)."""
        user = request.user
        return JsonResponse({"logged_in": user.is_active and user.is_staff, "csrf_token": get_token(request)})

    def heartbeat_view(self, request, object_id, take_over=False):
        review, refusal = self.editable(request, object_id)
        if refusal:
            return refusal
        lock = EditLock.heartbeat(review, request.user, take_over=take_over)
        return JsonResponse(
            {
                "lock": lock_state(lock, request.user),
                "version": editing.version_of(review),
                "csrf_token": get_token(request),
            }
        )

    def take_over_view(self, request, object_id):
        if "application/json" in request.headers.get("Accept", ""):
            return self.heartbeat_view(request, object_id, take_over=True)
        review, refusal = self.editable(request, object_id)
        if refusal:
            return refusal
        EditLock.heartbeat(review, request.user, take_over=True)
        self.message_user(request, "You are editing this review now; the other editor is told.", messages.SUCCESS)
        return HttpResponseRedirect(self.editing_url("change", review))

    def release_view(self, request, object_id):
        review, refusal = self.editable(request, object_id)
        if refusal:
            return refusal
        EditLock.release(review, request.user)
        return JsonResponse({"released": True})

    def autosave_view(self, request, object_id):
        """Keep the editor's form as this author's draft of the review: no save, no revision, nothing public."""
        review, refusal = self.editable(request, object_id)
        if refusal:
            return refusal
        # Line ends as the form cleans them (a browser sends CRLF), so the editor can compare its own copy.
        data = {
            name: [value.replace("\r\n", "\n") for value in request.POST.getlist(name)]
            for name in request.POST
            if name not in NOT_KEPT
        }
        based_on = parse_datetime(request.POST.get("loaded_version", "") or "")
        draft = Autosave(review=review, user=request.user, data=data, based_on=based_on)
        if any(autosave_differences(draft, review)):
            saved_at = Autosave.store(review, request.user, data, based_on=based_on).saved_at
            label = f"Saved a draft at {clock(saved_at)}"
        else:
            # The review already says this (a draft restored and saved, whose last autosave arrived after
            # the save): no draft to keep, as opening the page would have dropped it too.
            Autosave.objects.filter(review=review, user=request.user).delete()
            saved_at, label = timezone.now(), "No changes since the last save"
        lock = EditLock.heartbeat(review, request.user)
        return JsonResponse({"saved_at": saved_at.isoformat(), "label": label, "lock": lock_state(lock, request.user)})

    def discard_view(self, request, object_id):
        review, refusal = self.editable(request, object_id)
        if refusal:
            return refusal
        Autosave.objects.filter(review=review, user=request.user).delete()
        return JsonResponse({"discarded": True})

    # --- The change page: the lock, the autosave on offer, the editor's settings ---

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        user = request.user
        config = {
            "storageKey": f"reviewblog:review:{obj.pk if obj else 'new'}:{user.pk}",
            "sessionUrl": reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_session"),
            "loginUrl": reverse(f"{self.admin_site.name}:login"),
            "heartbeatSeconds": settings.REVIEW_HEARTBEAT_SECONDS,
            "autosaveSeconds": settings.REVIEW_AUTOSAVE_SECONDS,
        }
        if obj is not None and obj.pk and self.has_change_permission(request, obj):
            # Opening the review claims it, unless someone else's editor is open on it.
            lock = EditLock.heartbeat(obj, user) if request.method == "GET" else EditLock.current(obj)
            config.update(
                {
                    "version": editing.version_of(obj),
                    "lock": lock_state(lock, user),
                    **{
                        f"{name}Url": self.editing_url(url, obj)
                        for name, url in [
                            ("heartbeat", "heartbeat"),
                            ("takeOver", "take_over"),
                            ("release", "release"),
                            ("autosave", "autosave"),
                            ("discard", "autosave_discard"),
                        ]
                    },
                }
            )
            context["edit_lock"] = config["lock"]
            context["take_over_url"] = config["takeOverUrl"]
            autosave = Autosave.objects.filter(review=obj, user=user).first()
            if autosave is not None:
                rows, others = autosave_differences(autosave, obj)
                if rows or others:
                    context["autosave"] = autosave
                    context["autosave_rows"] = rows
                    context["autosave_others"] = others
                    context["autosave_older"] = autosave.saved_at < obj.updated_at
                    config["autosaveData"] = autosave.data
                else:
                    autosave.delete()  # the review already says what it says
        elif add:
            # A copy this browser kept of a new review is stale once the author has saved a review since.
            latest = Review.objects.filter(author=user).order_by("-created_at").values_list("created_at", flat=True)
            config["lastAdded"] = latest[0].isoformat() if latest else None
        context["editing_config"] = config
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            return
        # The draft is in the review now; the lock goes with the page being left.
        Autosave.objects.filter(review=obj, user=request.user).delete()
        lock = EditLock.current(obj)
        if lock is not None and lock.user_id != request.user.pk:
            taken = " took over editing it" if lock.taken_from_id == request.user.pk else " has it open"
            self.message_user(
                request,
                f"{display_name(lock.user)}{taken} at {clock(lock.since)}: your changes are saved, and "
                "they will see them before they can save theirs.",
                messages.WARNING,
            )
        else:
            EditLock.release(obj, request.user)

    # --- The list's bulk actions: refused for reviews saved after the list was loaded ---

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"list_loaded_at": timezone.now().isoformat(), **(extra_context or {})})

    def saved_since_listed(self, request, queryset) -> list[Review]:
        """The selected reviews saved after the list the action was chosen from was loaded (locked until commit)."""
        loaded = editing.parse_version(request.POST.get("list_loaded_at"))
        if loaded is None:
            return []
        # Only the reviews' rows: the list joins their film, which a review may lack (an outer join).
        return list(queryset.select_for_update(of=("self",)).filter(updated_at__gt=loaded).order_by("title"))

    def act_unless_changed(self, request, queryset, verb, act) -> None:
        with transaction.atomic():
            changed = self.saved_since_listed(request, queryset)
            if changed:
                titles = revisions.english_list([f"“{review}”" for review in changed])
                self.message_user(
                    request,
                    f"Nothing was {verb}: {titles} {'was' if len(changed) == 1 else 'were'} saved by someone after "
                    "this list was loaded. Check the changes (History), then choose the action again.",
                    messages.ERROR,
                )
                return
            act()

    # --- Preview: the unsaved form in the public layout ---

    def preview_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        from .views import render_review_page  # the public page's own rendering

        review = self.get_object(request, unquote(object_id))
        if review is None or not self.has_change_permission(request, review):
            return JsonResponse({"error": "forbidden", "message": "You may not change this review."}, status=403)
        files = {
            f.attname: getattr(review, f.attname).name for f in Review._meta.fields if isinstance(f, models.FileField)
        }
        form = self.get_form(request, review, change=True)(request.POST, request.FILES, instance=review)
        form.check_version = False
        form.is_valid()  # fills the instance with what is valid; the preview shows the rest as saved
        review = form.instance
        for name, stored in files.items():
            setattr(review, name, stored)  # a file chosen but not saved yet has no address to show
        mentions = resolve_mentions(review.body)
        review.body_html = render_markdown(review.body, mentions=mentions.urls, image_size=uploaded_image_size)
        review.reading_minutes = reading_minutes(review.body_html)
        review.updated_at = timezone.now()  # no cached fragment of the saved review is shown, or kept
        context = {"preview": True, "preview_errors": form.errors}
        response = render_review_page(request, review, context, template="reviews/review_preview.html")
        patch_cache_control(response, private=True, no_cache=True, no_store=True, max_age=0)
        response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
        return response
