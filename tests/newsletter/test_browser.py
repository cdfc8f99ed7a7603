"""The newsletter in a real browser with JavaScript off: the footer's form on a review page served from
the shared page cache, the emailed link's confirm page, and leaving; axe-core on each new page in both
themes (the emails are read from Django's locmem outbox, the live server being in this process)."""

import re
import urllib.request

import pytest
from django.core import mail

from reviewblog.newsletter import signup
from reviewblog.newsletter.models import Subscriber
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
