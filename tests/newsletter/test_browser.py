"""The newsletter in a real browser with JavaScript off: the footer's form on a review page served from
the shared page cache, the emailed link's confirm page, and leaving; axe-core on each new page in both
themes (the emails are read from Django's locmem outbox, the live server being in this process)."""

import re
import urllib.request
from decimal import Decimal

import pytest
from django.core import mail

from reviewblog.newsletter import sending, signup
from reviewblog.newsletter.models import Mailing, Subscriber
from tests.a11y import THEMES, axe_violations, describe, require_axe
from tests.browser import browser_page  # noqa: F401 (fixture)
from tests.factories import ReviewFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def page_without_javascript(browser_page):  # noqa: F811
    context = browser_page.context.browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def luminance(css_colour: str) -> float:
    """WCAG's relative luminance of an `rgb(r, g, b)` colour: 0 for black, 1 for white."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", css_colour)[:3]]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def assert_accessible(page, name: str) -> None:
    for theme in THEMES:
        page.emulate_media(color_scheme=theme)
        violations = axe_violations(page)
        assert violations == [], f"{name} ({theme}):\n{describe(violations)}"


def confirm_link() -> str:
    return path_of(re.search(r"http://\S+/newsletter/confirm/\S+", mail.outbox[-1].body).group())


def test_the_footer_form_signs_up_without_javascript_on_a_cached_page(page_without_javascript, live_server):
    review = ReviewFactory(title="Knives at dawn")
    url = live_server.url + review.get_absolute_url()
    urllib.request.urlopen(url).read()  # an earlier reader: this copy comes from the shared page cache
    page = page_without_javascript
    page.goto(url)
    assert page.context.cookies() == []  # nothing personal came with the page, no CSRF cookie either
    footer = page.locator(".site-footer .newsletter-form")
    footer.get_by_label("Your email").fill("nadia@example.com")
    footer.get_by_label("A weekly round-up").check()
    footer.get_by_role("button", name="Subscribe").click()
    assert page.locator("h1").inner_text() == "Check your inbox"

    page.goto(live_server.url + confirm_link())
    assert page.locator("h1").inner_text() == "Confirm"
    page.get_by_role("button", name="Yes, email me").click()
    assert page.locator("h1").inner_text() == "Subscribed"
    subscriber = Subscriber.objects.get()
    assert (subscriber.status, subscriber.frequency) == (Subscriber.Status.ACTIVE, Subscriber.Frequency.WEEKLY)

    page.goto(live_server.url + path_of(signup.unsubscribe_link(subscriber)))
    page.get_by_role("button", name="Stop these emails").click()
    assert page.locator("h1").inner_text() == "Unsubscribed"
    assert not Subscriber.objects.exists()


def test_the_newsletter_pages_pass_axe_in_both_themes(browser_page, live_server):  # noqa: F811
    require_axe()
    page = browser_page
    review = ReviewFactory(title="Knives at dawn")
    page.goto(live_server.url + review.get_absolute_url())
    assert_accessible(page, "review page with the form after the review and in the footer")
    page.goto(live_server.url + "/newsletter/")
    page.locator("#newsletter-page-email").fill("not an address")
    page.locator("main .newsletter-form").get_by_role("button", name="Subscribe").click()
    assert_accessible(page, "sign-up page with an error")
    page.locator("#newsletter-page-email").fill("nadia@example.com")
    page.locator("main .newsletter-form").get_by_role("button", name="Subscribe").click()
    assert_accessible(page, "thank-you page")
    page.goto(live_server.url + confirm_link())
    assert_accessible(page, "confirm page")
    page.get_by_role("button", name="Yes, email me").click()
    assert_accessible(page, "subscribed page")
    page.goto(live_server.url + path_of(signup.unsubscribe_link(Subscriber.objects.get())))
    assert_accessible(page, "unsubscribe page")
    page.get_by_role("button", name="Stop these emails").click()
    assert_accessible(page, "unsubscribed page")


# A mail client shows an email inside its own page, whose landmarks hold it: these rules are the page's.
PAGE_LANDMARKS = {"landmark-one-main", "region"}


def test_the_email_reads_well_in_light_and_dark_mail_clients(browser_page):  # noqa: F811
    """The email's HTML as a mail client that follows the reader's colour scheme shows it: dark paper and
    light type in dark mode (not the light theme's dark type left on a dark page), and axe-core finds no
    violation, contrast included, in either."""
    require_axe()
    review = ReviewFactory(title="Knives at dawn", rating=Decimal("3.5"), contains_spoilers=True)
    mailing = Mailing.objects.create(kind=Mailing.Kind.REVIEW, review=review, key="t", subject="New review")
    _text, html = sending.render(mailing, [review])
    page = browser_page
    paper = {}
    for theme in THEMES:
        page.emulate_media(color_scheme=theme)
        page.set_content(html)
        violations = [v for v in axe_violations(page) if v["rule"] not in PAGE_LANDMARKS]
        assert violations == [], f"email ({theme}):\n{describe(violations)}"
        paper[theme] = page.evaluate(
            "() => [getComputedStyle(document.querySelector('.nl-card')).backgroundColor,"
            " getComputedStyle(document.querySelector('h1')).color]"
        )
    assert paper["light"] != paper["dark"]
    card, title = (luminance(colour) for colour in paper["dark"])
    assert card < 0.1 < 0.5 < title  # a dark card, light type
