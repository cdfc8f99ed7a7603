"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, for pages that use JavaScript."""

import contextlib
import os
import shutil

import pytest
from django.db import connections

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run"]


def require(path, why: str):
    """Skip when `path` is missing on a developer's machine; fail in CI (REQUIRE_BROWSER), where it must be there."""
    if not os.path.exists(path):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{why} is required here but missing at {path}")
        pytest.skip(f"{why} is not installed ({path}); `make test` and CI install it and run this test")


@contextlib.contextmanager
def launched():
    require(CHROMIUM, "Chromium (apt install chromium)")
    # Playwright's sync API runs an event loop in this thread; the test still talks to the DB synchronously.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # Queries made while Playwright's loop runs get connections of their own; close them here,
            # or PostgreSQL refuses to drop the test database at the end.
            connections.close_all()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def browser(live_server):
    """A headless Chromium; open pages with `browser.new_context(viewport=…, color_scheme=…)`."""
    with launched() as browser:
        yield browser


@pytest.fixture
def browser_page(live_server):
    with launched() as browser:
        page = browser.new_page()
        page.set_default_timeout(15_000)
        yield page


# Records, in the page, every Content-Security-Policy violation from the first script on.
CSP_LISTENER = """window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
    window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});"""


def watch_for_errors(page_or_context) -> list[str]:
    """Start recording CSP violations and script errors of every page opened in `page_or_context`; read
    them with `errors_on(page, seen)`, where `seen` is the list returned here: console errors (Chromium
    logs each CSP refusal there too, so pages navigated away from are covered) and uncaught exceptions."""
    seen: list[str] = []
    page_or_context.add_init_script(CSP_LISTENER)
    pages = [page_or_context] if hasattr(page_or_context, "goto") else []

    def watch(page):
        page.on("console", lambda message: message.type == "error" and seen.append(f"console: {message.text}"))
        page.on("pageerror", lambda error: seen.append(f"uncaught: {error}"))

    for page in pages:
        watch(page)
    if not pages:
        page_or_context.on("page", watch)
    return seen


def errors_on(page, seen: list[str]) -> list[str]:
    """The CSP violations recorded on the page as it stands plus the errors seen so far; empties both."""
    found = [*page.evaluate("window.__csp.splice(0)"), *seen]
    seen.clear()
    return found
