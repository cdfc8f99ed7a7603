"""An author writes a review in the real editor, in a real browser, and readers find it."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from reviews.models import Review
from tests.browser import browser_page, errors_on, watch_for_errors  # noqa: F401 (fixture)
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "pass-word-123"


def log_in(page, live_server, username, password=PASSWORD):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def test_demo_author_writes_markdown_sees_the_live_preview_and_publishes(browser_page, live_server, settings):  # noqa: F811
    page = browser_page
    settings.DEBUG = True  # load_demo's logins are for development sites only
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
    seen = watch_for_errors(page)  # CSP violations and script errors, from the login to the published page
    log_in(page, live_server, "ava", "ava-writes-reviews")

    page.goto(f"{live_server.url}{reverse('admin:reviews_review_add')}")
    # The film is chosen through the admin's autocomplete.
    page.click(".field-film .select2-selection")
    page.fill(".select2-search__field", "Balle")
    page.click(".select2-results__option:has-text('Ballerina (2025)')")
    page.fill("#id_title", "A dancer's revenge")
    page.fill("#id_standfirst", "A new, wounded heart for the John Wick world.")
    editor = page.locator("textarea.markdownx-editor")
    editor.click()
    editor.press_sequentially(
        "## Acting\n\nAna de Armas is **superb**.\n\n"
        '<script>window.pwned = "script"</script><img src="x" alt="A broken still" onerror="window.pwned = \'img\'">'
    )
    preview = page.locator(".markdownx-preview")
    preview.locator("h2#acting").wait_for()
    assert preview.locator("strong").inner_text() == "superb"
    # The preview is set in the public article's styles: same face, no visible "#" after headings.
    style = "e => [getComputedStyle(e).fontFamily, getComputedStyle(e).fontSize, getComputedStyle(e).lineHeight]"
    preview_heading = preview.locator("h2#acting").evaluate(style)
    preview_text = preview.locator("p").first.evaluate(style)
    assert preview.locator(".headerlink").first.evaluate("e => getComputedStyle(e).opacity") == "0"
    assert preview.locator("script").count() == 0
    page.wait_for_timeout(300)  # give an injected handler every chance to run
    assert page.evaluate("window.pwned") is None
    # The one error: the broken still typed above, which the browser asks for and does not get.
    assert [e for e in errors_on(page, seen) if "status of 404" not in e] == []

    page.select_option("#id_rating", "4")
    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    review = Review.objects.get(title="A dancer's revenge")
    page.goto(f"{live_server.url}/")
    page.click("text=A dancer's revenge")
    page.wait_for_url(f"**{review.get_absolute_url()}")
    assert page.locator("article.review h2#acting").inner_text() == "Acting"
    published = page.locator("article.review .prose")
    assert published.locator("h2#acting").evaluate(style)[0] == preview_heading[0]
    assert published.locator("p").first.evaluate(style) == preview_text
    assert page.locator(".review-header .rating-text").inner_text() == "Rating: 4 out of 5."
    assert [e for e in errors_on(page, seen) if "status of 404" not in e] == []  # the still again


def test_a_bad_image_dropped_in_the_editor_gets_a_clear_message(browser_page, live_server):  # noqa: F811
    page = browser_page
    UserFactory(username="ava", group="Authors")
    log_in(page, live_server, "ava")
    page.goto(f"{live_server.url}{reverse('admin:reviews_review_add')}")
    editor = page.locator("textarea.markdownx-editor")
    editor.fill("Before the image. ")
    # Drop a file that claims to be a PNG but is not an image.
    page.evaluate(
        """() => {
            const data = new DataTransfer();
            data.items.add(new File(["definitely not a picture"], "still.png", {type: "image/png"}));
            const editor = document.querySelector("textarea.markdownx-editor");
            editor.setSelectionRange(editor.value.length, editor.value.length);
            editor.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
        }"""
    )
    message = page.locator(".markdownx-message.error")
    message.wait_for()
    assert "not an image we can read" in message.inner_text()
    page.wait_for_timeout(100)
    assert editor.input_value() == "Before the image. "  # what the author typed is intact, no junk inserted
