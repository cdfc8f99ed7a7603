"""Accessibility checks and screenshots for the browser tests.

axe-core (Deque's accessibility engine, from npm: tests/package.json, installed by `make test`) is
injected into the page as it stands and run against WCAG 2.1 A and AA plus axe's best practices.
Screenshots go to test-artifacts/screenshots/ (git-ignored; CI keeps the folder as an artefact).
"""

import json
from pathlib import Path

from django.conf import settings

from tests.browser import require

AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# Two phones and a desktop would not tell us more than one of each.
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
THEMES = ("light", "dark")


def require_axe():
    require(AXE_JS, "axe-core (cd tests && npm ci)")


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it settles, each with its rule, impact and offending elements.
    A theme just switched fades link colours over 0.15 s (the admin's and the site's transitions); axe reading a
    colour halfway would report a contrast no reader sees, so running animations finish first."""
    page.evaluate("async () => { await Promise.all(document.getAnimations().map(a => a.finished.catch(() => null))); }")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text())  # from outside the page: an inline <script> would break its CSP
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        RULES,
    )
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [{"target": n["target"], "summary": n["failureSummary"]} for n in v["nodes"][:5]],
        }
        for v in results["violations"]
    ]


def describe(violations: list[dict]) -> str:
    return json.dumps(violations, indent=2)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
