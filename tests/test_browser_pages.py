"""Every public page, as a reader on a desktop and on a phone sees it, in the light and the dark theme:
a screenshot of each (test-artifacts/screenshots/) and no accessibility violation that axe-core finds."""

import pytest
from django.urls import reverse

from reviews.models import Film, Person, Review
from tests.a11y import THEMES, VIEWPORTS, axe_violations, describe, require_axe, screenshot
from tests.browser import browser  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def public_pages() -> dict[str, str]:
    review = Review.objects.published().filter(hero_image="").first() or Review.objects.published().first()
    lead = Review.objects.published().exclude(hero_image="").first()
    film = Film.objects.get(slug="ballerina-2025")
    return {
        "home": reverse("reviews:home"),
        "review": lead.get_absolute_url(),
        "review-no-hero": review.get_absolute_url(),
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
        "not-found": "/no-such-page/",
    }


@pytest.mark.parametrize("device", VIEWPORTS)
def test_every_public_page_passes_axe_in_both_themes(browser, live_server, demo_site, device):  # noqa: F811
    require_axe()
    pages = public_pages()
    found = {}
    for theme in THEMES:
        context = browser.new_context(viewport=VIEWPORTS[device], color_scheme=theme)
        page = context.new_page()
        page.set_default_timeout(15_000)
        for name, path in pages.items():
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            screenshot(page, f"{name}-{device}-{theme}")
            if violations := axe_violations(page):
                found[f"{name} ({theme})"] = violations

        # The comment form after a failed send: errors marked, summary announced.
        page.goto(live_server.url + pages["review"])
        page.click("button:has-text('Post comment')")
        page.wait_for_selector("#comment-errors")
        screenshot(page, f"comment-errors-{device}-{theme}")
        if violations := axe_violations(page):
            found[f"comment form with errors ({theme})"] = violations
        context.close()
    assert not found, describe(found)
