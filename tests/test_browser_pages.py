"""Every public page, as a reader on a desktop and on a phone sees it, in the light and the dark theme:
a screenshot of each (test-artifacts/screenshots/), no accessibility violation that axe-core finds, and
nothing its Content-Security-Policy blocks, nor any script error."""

import pytest
from django.urls import reverse

from reviews.models import Film, Person, Review
from tests.a11y import THEMES, VIEWPORTS, axe_violations, describe, require_axe, screenshot
from tests.browser import browser, errors_on, watch_for_errors  # noqa: F401 (fixture)
from tests.factories import ReviewFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def public_pages() -> dict[str, str]:
    reviews = Review.objects.published()
    review = reviews.filter(hero_image="", film__isnull=False).first() or reviews.first()
    article = reviews.filter(film=None).first() or reviews.first()
    lead = reviews.exclude(hero_image="").first()
    film = Film.objects.get(slug="ballerina-2025")
    return {
        "home": reverse("reviews:home"),
        "review": lead.get_absolute_url(),
        "review-no-hero": review.get_absolute_url(),
        "article": article.get_absolute_url(),
        "film": film.get_absolute_url(),
        "person": Person.objects.get(name="Ana de Armas").get_absolute_url(),
        "author": lead.author.author_profile.get_absolute_url(),
        "genre": film.genres.first().get_absolute_url(),
        "franchise": film.franchise.get_absolute_url(),
        "archive": reverse("reviews:archive"),
        "archive-year": reverse("reviews:archive_year", args=[2025]),
        "archive-month": reverse("reviews:archive_month", args=[2025, 6]),
        "search": reverse("reviews:search") + "?q=wick",
        "search-empty": reverse("reviews:search"),
        "search-nothing": reverse("reviews:search") + "?q=zzyzx",
        "privacy": reverse("comments:privacy"),
        "simple-page": "/pages/about/",
        "not-found": "/no-such-page/",
    }


@pytest.mark.parametrize("device", VIEWPORTS)
def test_every_public_page_passes_axe_in_both_themes(browser, live_server, demo_site, device):  # noqa: F811
    require_axe()
    pages = public_pages()
    found, errors = {}, {}
    for theme in THEMES:
        context = browser.new_context(viewport=VIEWPORTS[device], color_scheme=theme)
        page = context.new_page()
        page.set_default_timeout(15_000)
        seen = watch_for_errors(page)
        for name, path in pages.items():
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            screenshot(page, f"{name}-{device}-{theme}")
            if name == "not-found":  # the page's own 404, as it should be
                seen[:] = [e for e in seen if "status of 404" not in e]
            if page_errors := errors_on(page, seen):
                errors[f"{name} ({theme})"] = page_errors
            if violations := axe_violations(page):
                found[f"{name} ({theme})"] = violations

        # The comment form after a failed send: errors marked, summary announced.
        page.goto(live_server.url + pages["review"])
        page.click("button:has-text('Post comment')")
        page.wait_for_selector("#comment-errors")
        screenshot(page, f"comment-errors-{device}-{theme}")
        if violations := axe_violations(page):
            found[f"comment form with errors ({theme})"] = violations
        seen[:] = [e for e in seen if "status of 400" not in e]  # the form sent back with its errors, as it should be
        if page_errors := errors_on(page, seen):
            errors[f"comment form with errors ({theme})"] = page_errors
        context.close()
    assert not errors, describe(errors)
    assert not found, describe(found)


FOCUS = """() => {
    const e = document.activeElement, s = getComputedStyle(e);
    return {id: e.id || e.textContent.trim(), outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2};
}"""


def test_a_reader_comments_with_the_keyboard_alone(browser, live_server):  # noqa: F811
    """Tab reaches every field of the comment form in order, each with a visible focus ring; Space ticks a box;
    Enter sends; after an error the summary is announced and the fields keep what was typed."""
    require_axe()
    review = ReviewFactory(title="Keyboard review")
    page = browser.new_page()
    page.goto(live_server.url + review.get_absolute_url())
    for _ in range(200):  # tab from the top of the page down to the comment box
        page.keyboard.press("Tab")
        if page.evaluate(FOCUS)["id"] == "id_body":
            break
    assert page.evaluate(FOCUS) == {"id": "id_body", "outline": True}
    page.keyboard.type("Watched it twice, and the stairs fight holds up.")
    order = []
    for _ in range(8):
        page.keyboard.press("Tab")
        order.append(page.evaluate(FOCUS))
    assert [f["id"] for f in order] == [
        "id_author_name",
        "id_author_email",
        "id_author_url",
        "id_remember",
        "id_notify_on_approval",
        "id_follow_replies",
        "id_follow_all",
        "Post comment",
    ]
    assert all(f["outline"] for f in order), order

    # Back to the name, type it; tick "remember" with Space; send with Enter, the email still missing.
    for _ in range(7):
        page.keyboard.press("Shift+Tab")
    page.keyboard.type("Nadia")
    for _ in range(3):
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert page.is_checked("#id_remember")
    for _ in range(4):  # past "email me when published" and the two follow-ups, to the button
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("#comment-errors[role=alert]")
    assert page.input_value("#id_body") == "Watched it twice, and the stairs fight holds up."
    assert page.input_value("#id_author_name") == "Nadia"
    assert not axe_violations(page)

    # Reloading the address the failed send left goes back to the review, not to a blank 405.
    page.goto(page.url)
    assert page.url.endswith(f"{review.get_absolute_url()}#respond")


def test_the_theme_toggle_remembers_the_choice_and_applies_it_before_the_first_paint(browser, live_server):  # noqa: F811
    ReviewFactory(title="Theme review")
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    page.goto(live_server.url + "/")
    toggle = page.locator("#theme-toggle")
    # The button says what pressing it does: switch to the other theme.
    assert toggle.is_visible() and toggle.inner_text().strip() == "◐ Dark theme"
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    toggle.click()
    assert toggle.inner_text().strip() == "◐ Light theme"
    dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark != light

    # The next page is dark from its first paint: the attribute is set while <head> is still being read.
    page.add_init_script(
        """document.addEventListener("readystatechange", () => {
            if (document.readyState === "interactive") window.themeAtParse = document.documentElement.dataset.theme;
        });"""
    )
    page.goto(live_server.url + reverse("reviews:archive"))
    assert page.evaluate("window.themeAtParse") == "dark"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == dark
    assert page.get_by_role("button", name="Light theme").is_visible()
    # The shared page itself is the same for everyone: the choice lives in the browser, not the HTML.
    html = page.request.get(live_server.url + reverse("reviews:archive")).text()
    assert 'data-theme="dark"' not in html
    context.close()


def test_an_inline_script_the_policy_does_not_name_is_refused_and_reported(browser, live_server):  # noqa: F811
    """What the walks above rely on: the policy blocks an injected script, and the watch sees it."""
    ReviewFactory(title="Policy review")
    page = browser.new_page()
    seen = watch_for_errors(page)

    def inject(route):
        response = route.fetch()
        body = response.text().replace("</body>", '<script>window.injected = "ran"</script></body>')
        route.fulfill(response=response, body=body)

    page.route(live_server.url + "/", inject)
    page.goto(live_server.url + "/")

    assert page.evaluate("window.injected") is None
    assert page.locator("#theme-toggle").is_visible()  # the site's own scripts ran
    errors = errors_on(page, seen)
    assert any(e.startswith("script-src-elem blocked inline") for e in errors), errors
