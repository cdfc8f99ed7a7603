"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, for pages that use JavaScript."""

import os
import shutil

import pytest
from django.db import connections

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu", "--no-first-run"]


@pytest.fixture
def browser_page(live_server):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"Chromium is required here but missing at {CHROMIUM}")
        pytest.skip("Chromium is not installed (apt install chromium); CI installs it and runs this test")
    # Playwright's sync API runs an event loop in this thread; the test still talks to the DB synchronously.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            browser.close()
            # Queries made while Playwright's loop runs get connections of their own; close them here,
            # or PostgreSQL refuses to drop the test database at the end.
            connections.close_all()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
