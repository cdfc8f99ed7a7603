"""The admin pages authors, editors and moderators work in, as each of them sees them on a desktop and on a
phone, in the admin's light and dark theme: no accessibility violation that axe-core finds, nothing the
Content-Security-Policy blocks, no script error; and the dark theme in the site's colours however it is chosen.
Screenshots of each go to test-artifacts/screenshots/."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from comments.models import Comment
from reviews.models import Autosave, EditLock, Review
from tests.a11y import THEMES, VIEWPORTS, axe_violations, describe, require_axe, screenshot
from tests.browser import browser, errors_on, watch_for_errors  # noqa: F401 (fixture)
from tests.factories import ReviewFactory, UserFactory
from tests.reviews.test_browser import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

# The demo's logins (reviewblog/demo/content.py USERS).
LOGINS = {"author": ("ava", "ava-writes-reviews"), "editor": ("edith", "edith-edits-reviews"),
          "moderator": ("milo", "milo-moderates")}  # fmt: skip


def admin_pages() -> dict[str, dict[str, str]]:
    """The pages each one works in, by name. The editor opens a review of Ava's while Ava has it open, with a
    draft of their own autosaved, so the edit lock's notice and the draft on offer are on the page too."""
    reviews = Review.objects.filter(author__username="ava").order_by("pk")
    edited, own = reviews.first(), reviews.last()
    EditLock.objects.create(review=edited, user=edited.author)
    Autosave.store(edited, get_user_model().objects.get(username="edith"), {"body": [edited.body + "\n\nA draft."]})

    def review_pages(review):
        first = review.history.order_by("history_id").first()
        return {
            "review-list": reverse("admin:reviews_review_changelist"),
            "review-form": reverse("admin:reviews_review_change", args=[review.pk]),
            "review-history": reverse("admin:reviews_review_history", args=[review.pk]),
            "review-compare": reverse("admin:reviews_review_revision_compare", args=[review.pk, first.history_id]),
        }

    comment = Comment.objects.order_by("pk").first()
    return {
        "author": review_pages(own),
        "editor": review_pages(edited),
        "moderator": {
            "desk": reverse("admin:comments_comment_desk"),
            "report": reverse("admin:comments_comment_report"),
            "comment-list": reverse("admin:comments_comment_changelist"),
            "comment-form": reverse("admin:comments_comment_change", args=[comment.pk]),
        },
    }


def choose_theme(page, theme: str, *, system: str | None = None):
    """The system's colour scheme (`theme` unless told), and the admin's toggle set as its button sets it."""
    page.emulate_media(color_scheme=system or theme)
    page.evaluate(
        "theme => { localStorage.setItem('theme', theme); document.documentElement.dataset.theme = theme; }", theme
    )


@pytest.mark.parametrize("device", VIEWPORTS)
def test_every_admin_page_passes_axe_in_both_themes(browser, live_server, demo_site, device):  # noqa: F811
    require_axe()
    pages = admin_pages()
    found, errors = {}, {}

    def check(page, seen, name):
        page.wait_for_load_state("load")
        if page_errors := errors_on(page, seen):
            errors[name] = page_errors
        for theme in THEMES:
            choose_theme(page, theme)
            screenshot(page, f"admin-{name}-{device}-{theme}")
            if violations := axe_violations(page):
                found[f"{name} ({theme})"] = violations
        errors_on(page, seen)  # what axe's own probing of the page set off is not the page's doing

    for role, (username, password) in LOGINS.items():
        context = browser.new_context(viewport=VIEWPORTS[device])
        page = context.new_page()
        page.set_default_timeout(15_000)
        seen = watch_for_errors(page)
        if role == "author":
            page.goto(live_server.url + reverse("admin:login"))
            check(page, seen, "login")
        log_in(page, live_server, username, password)
        for name, path in pages[role].items():
            page.goto(live_server.url + path)
            check(page, seen, f"{role}-{name}")
        context.close()
    assert not found and not errors, describe({"violations": found, "errors": errors})


# What the eye notices first on the review list: the bar under the header, a review's link, the page itself.
COLOURS = """() => {
    const colour = (selector, property) => getComputedStyle(document.querySelector(selector))[property];
    return {
        breadcrumbs: colour("div.breadcrumbs", "backgroundColor"),
        breadcrumb_link: colour("div.breadcrumbs a", "color"),
        link: colour("#result_list th a", "color"),
        page: colour("body", "backgroundColor"),
    };
}"""
RUST = "rgb(140, 45, 22)"  # --breadcrumbs-bg in static/css/admin.css


def test_the_admin_wears_the_sites_colours_in_dark_however_it_is_chosen(browser, live_server):  # noqa: F811
    """Dark by the system, by the toggle, or both, looks the same: the site's rust bar, not Django's teal;
    light likewise, even when the toggle says light on a dark system."""
    ReviewFactory(title="Colours review")
    UserFactory(username="edith", group="Editors")
    page = browser.new_page()
    log_in(page, live_server, "edith")
    page.goto(live_server.url + reverse("admin:reviews_review_changelist"))
    seen = {}
    for theme, system in [
        ("light", "light"), ("dark", "dark"), ("auto", "dark"), ("auto", "light"), ("dark", "light"), ("light", "dark"),
    ]:  # fmt: skip
        choose_theme(page, theme, system=system)
        page.reload()
        shown = system if theme == "auto" else theme
        seen.setdefault(shown, []).append(page.evaluate(COLOURS))
    light, dark = seen["light"][0], seen["dark"][0]
    assert all(colours == light for colours in seen["light"]), seen["light"]
    assert all(colours == dark for colours in seen["dark"]), seen["dark"]
    assert light["breadcrumbs"] == dark["breadcrumbs"] == RUST
    assert light["page"] != dark["page"] and light["link"] != dark["link"]
