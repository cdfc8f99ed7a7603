"""Configuration mistakes of the reviews app, caught by `manage.py check` rather than by a reader's page."""

import markdown
from django.core.checks import Warning, register

# reviews/markdown_bounds.py replaces private parts of Python-Markdown; it was written and tested against
# this minor release, and requirements.txt pins it. Another minor may have moved what it patches.
MARKDOWN_MINOR = (3, 11)


@register()
def markdown_release(app_configs, **kwargs):
    found = tuple(int(part) for part in markdown.__version__.split(".")[:2])
    if found == MARKDOWN_MINOR:
        return []
    tested = ".".join(map(str, MARKDOWN_MINOR))
    return [
        Warning(
            f"Python-Markdown {markdown.__version__} is installed; "
            f"reviews/markdown_bounds.py was tested with {tested}.x.",
            hint="Install the release requirements.txt pins, or run tests/reviews/test_markdown_bounds.py against "
            "this one before changing MARKDOWN_MINOR and the pin.",
            id="reviews.W001",
        )
    ]
