"""The design as a demanding reader sees it: the site's own faces, a short masthead on a phone, a theme
toggle that says what it does, search tabs on one line, one column for the review, a person page that
uses its width, one placeholder for people without a photo, and a comment form with its email choices
grouped. Each test measures what is on screen in a real Chromium."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from reviews.models import Credit
from tests.browser import browser  # noqa: F401 (fixture)
from tests.factories import CreditFactory, FilmFactory, PersonFactory, ReviewFactory, image_file

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
FONTS = Path(settings.BASE_DIR) / "static" / "fonts"


def box(page, selector: str) -> dict:
    return page.evaluate(
        "(s) => { const r = document.querySelector(s).getBoundingClientRect();"
        " return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height}; }",
        selector,
    )


def open_page(browser, url: str, viewport=DESKTOP, theme="light"):  # noqa: F811
    context = browser.new_context(viewport=viewport, color_scheme=theme)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(url)
    page.wait_for_load_state("load")
    return page


def test_pages_use_the_sites_own_serif_and_sans_and_ask_no_other_host(browser, live_server):  # noqa: F811
    review = ReviewFactory(title="Fonts review", body="Plain text, *and some italics*.")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + review.get_absolute_url())
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")

    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => `${f.family} ${f.weight} ${f.style}`)"
    )
    for face in ['"Source Serif 4" 700 normal', '"Source Serif 4" 400 normal', '"Inter" 400 normal']:
        assert face.replace('"', "") in [f.replace('"', "") for f in loaded], loaded
    assert page.evaluate("""document.fonts.check('700 1em "Source Serif 4"') && document.fonts.check('1em "Inter"')""")
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily").startswith('"Source Serif 4"')
    assert page.evaluate("getComputedStyle(document.querySelector('.prose')).fontFamily").startswith('"Source Serif 4"')
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("Inter")

    # Every file came from this site: fonts included, nothing from a font host or any other.
    here = urlsplit(live_server.url).netloc
    assert [url for url in requested if not url.startswith("data:") and urlsplit(url).netloc != here] == []
    assert any(url.endswith(".woff2") for url in requested)
    # The faces stay small: latin only, the weights the CSS uses, each with its licence beside it.
    assert sum(f.stat().st_size for f in FONTS.glob("*.woff2")) < 150_000
    assert sorted(f.name for f in FONTS.glob("LICENSE*")) == ["LICENSE-inter.txt", "LICENSE-source-serif-4.txt"]
    context.close()


def test_a_phones_masthead_is_under_100px_and_the_search_tabs_stay_on_one_line(browser, live_server):  # noqa: F811
    film = FilmFactory(title="John Wick", release_year=2014)
    ReviewFactory(title="Wick at ten", film=film)
    CreditFactory(film=film, person=PersonFactory(name="Chad Wick"), job=Credit.Job.DIRECTOR, character="")

    page = open_page(browser, live_server.url + "/", PHONE)
    masthead = box(page, ".masthead")
    assert masthead["height"] <= 100, masthead
    for selector in (".brand", ".masthead nav", "#site-search-q", "#theme-toggle"):
        inside = box(page, selector)
        assert inside["bottom"] <= masthead["bottom"] and inside["right"] <= PHONE["width"], (selector, inside)

    page.goto(live_server.url + reverse("reviews:search") + "?q=wick")
    assert box(page, ".masthead")["height"] <= 100
    tops = page.evaluate("[...document.querySelectorAll('.search-tabs li')].map(li => li.getBoundingClientRect().top)")
    assert len(tops) == 4 and len(set(tops)) == 1, tops
    # The search box keeps its button beside it.
    assert box(page, ".search-form-row button")["top"] - box(page, "#search-q")["top"] < 10
    page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_theme_toggle_names_the_theme_a_press_switches_to(browser, live_server, viewport):  # noqa: F811
    ReviewFactory(title="Toggle review")
    page = open_page(browser, live_server.url + "/", viewport, theme="light")
    toggle = page.locator("#theme-toggle")
    assert page.get_by_role("button", name="Dark theme", exact=True).is_visible()
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.get_by_role("button", name="Light theme", exact=True).is_visible()
    assert toggle.get_attribute("aria-pressed") is None  # the label carries the state: nothing to contradict it
    page.context.close()

    # A reader whose system is dark, who never pressed it, is offered the light theme.
    page = open_page(browser, live_server.url + "/", viewport, theme="dark")
    assert page.get_by_role("button", name="Light theme", exact=True).is_visible()
    page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_reviews_text_lines_up_with_its_hero(browser, live_server, viewport):  # noqa: F811
    review = ReviewFactory(
        title="Aligned review",
        hero_image=image_file("hero.jpg", size=(1600, 900)),
        hero_alt="A still.",
        body="\n\n".join(["A paragraph of the review, long enough to fill the column from edge to edge."] * 6),
    )
    page = open_page(browser, live_server.url + review.get_absolute_url(), viewport)
    hero = box(page, ".hero img")
    for selector in (".prose", ".review-header", ".comments", ".comment-respond"):
        column = box(page, selector)
        assert abs(column["left"] - hero["left"]) < 1 and abs(column["right"] - hero["right"]) < 1, (
            selector,
            column,
            hero,
        )
    if viewport is DESKTOP:
        assert 640 <= hero["width"] <= 720  # a measure near 70 characters, and the hero no wider
    page.context.close()


def test_the_person_page_sets_the_profile_beside_the_career(browser, live_server):  # noqa: F811
    person = PersonFactory(name="Lance Reddick", bio="Actor.")
    for year in (2014, 2017, 2019):
        CreditFactory(person=person, film=FilmFactory(title=f"Wick {year}", release_year=year), character="Charon")
    CreditFactory(person=person, job=Credit.Job.PRODUCER, character="")

    page = open_page(browser, live_server.url + person.get_absolute_url())
    portrait, name = box(page, ".person-card .portrait"), box(page, "h1")
    assert portrait["right"] < name["left"] and abs(portrait["top"] - box(page, ".person-header")["top"]) < 20
    filmography = box(page, ".person-filmography")
    assert filmography["left"] > portrait["right"] and filmography["width"] > 600
    # The two jobs side by side, not one under the other.
    groups = page.evaluate(
        "[...document.querySelectorAll('.filmography-groups > div')].map(d => d.getBoundingClientRect().top)"
    )
    assert len(groups) == 2 and groups[0] == groups[1]
    facts = page.evaluate("[...document.querySelectorAll('.person-facts > *')].map(e => e.textContent)")
    assert facts == ["Films", "4", "Years", "2014–2019"]
    assert page.locator(".person-card .portrait").get_attribute("src").endswith("person-placeholder.svg")
    page.context.close()

    page = open_page(browser, live_server.url + person.get_absolute_url(), PHONE)
    assert box(page, "h1")["top"] < box(page, ".person-card")["top"]  # the name first on a phone
    assert box(page, ".person-card .portrait")["width"] < 120
    page.context.close()


def test_everyone_without_a_photo_gets_the_same_silhouette(browser, live_server):  # noqa: F811
    film = FilmFactory(title="Faces")
    CreditFactory(
        film=film,
        person=PersonFactory(name="Has Photo", photo=image_file("face.jpg", size=(300, 375)), photo_alt="A face."),
    )
    CreditFactory(film=film, person=PersonFactory(name="No Photo"))
    CreditFactory(film=film, person=PersonFactory(name="Also None"), job=Credit.Job.DIRECTOR, character="")
    page = open_page(browser, live_server.url + film.get_absolute_url())
    faces = page.evaluate(
        "[...document.querySelectorAll('.people-list .face')]"
        ".map(f => [f.tagName, f.getAttribute('src').split('/').pop()])"
    )
    assert len(faces) == 3 and all(tag == "IMG" for tag, _src in faces), faces  # pictures, no initials
    assert sorted(src for _tag, src in faces if "placeholder" in src) == ["person-placeholder.svg"] * 2
    page.context.close()


def test_the_comment_form_groups_the_email_choices_two_abreast_on_a_wide_screen(browser, live_server):  # noqa: F811
    review = ReviewFactory(title="Form review")
    page = open_page(browser, live_server.url + review.get_absolute_url())
    assert page.locator("#reply-title").inner_text() == "Share your opinion!"
    emails = page.get_by_role("group", name="Emails")
    labels = [
        "Email me once when my comment is published.",
        "Email me replies to my comment.",
        "Email me new comments on this review.",
    ]
    for label in labels:
        assert emails.get_by_label(label, exact=True).is_visible()
    assert page.get_by_label(
        "Save my name, email and website in this browser for the next time I comment."
    ).is_visible()
    first, second = box(page, "#id_notify_on_approval"), box(page, "#id_follow_replies")
    assert first["top"] == second["top"] and second["left"] > first["right"] + 100
    assert page.get_by_text("Learn how your comment data is processed").is_visible()
    page.context.close()

    page = open_page(browser, live_server.url + review.get_absolute_url(), PHONE)
    first, second = box(page, "#id_notify_on_approval"), box(page, "#id_follow_replies")
    assert second["top"] > first["bottom"] and abs(second["left"] - first["left"]) < 1
    page.context.close()


def test_a_card_without_a_picture_sets_its_title_as_type_not_as_an_underlined_link(browser, live_server):  # noqa: F811
    ReviewFactory(film=None, title="Five stairwell fights, ranked", rating=None)
    page = open_page(browser, live_server.url + reverse("reviews:home"))
    lettering = page.evaluate(
        "[...document.querySelectorAll('.card-image-type')].map(a => getComputedStyle(a).textDecorationLine)"
    )
    assert lettering == ["none"]
    page.context.close()
