"""The markdownx editor's two endpoints, for those who may write reviews (out of the box they answer anyone).

Mounted at /markdownx/, the paths the widget has baked in. The preview uses the same
`render_markdown` as the saved review; uploads go through `images.check_image`.
"""

import functools

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from .images import check_image, store_upload
from .markdown import IMAGE_PLACEHOLDER_ALT, body_too_long, render_markdown
from .models.mentions import resolve as resolve_mentions


def _writers_only(view):
    """Writers only; anyone else gets a 403 the editor can show, not a redirect to a login page."""

    @require_POST
    def wrapped(request):
        user = request.user
        if not (user.is_active and user.is_staff):
            return JsonResponse({"error": "Log in to the admin to use the editor."}, status=403)
        # A moderator is staff too, and must not store files.
        if not (user.has_perm("reviews.add_review") or user.has_perm("reviews.change_review")):
            return JsonResponse({"error": "Only those who may write reviews can use the editor."}, status=403)
        return view(request)

    return functools.wraps(view)(wrapped)


@_writers_only
def markdownify(request):
    content = request.POST.get("content", "")
    if problem := body_too_long(content):  # said where the preview shows, not rendered
        return HttpResponse(format_html('<p class="preview-error" role="alert">{}</p>', problem))
    # The preview links mentions as the page will, and marks those that match nothing.
    return HttpResponse(render_markdown(content, mentions=resolve_mentions(content).urls, flag_missing=True))


@_writers_only
def upload(request):
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"error": "No image was received. Drop an image file onto the editor."}, status=400)
    try:
        checked = check_image(upload)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    url = store_upload(checked)
    return JsonResponse({"image_code": f"![{IMAGE_PLACEHOLDER_ALT}]({url})", "width": checked.width})


urlpatterns = [
    path("upload/", upload, name="markdownx_upload"),
    path("markdownify/", markdownify, name="markdownx_markdownify"),
]
