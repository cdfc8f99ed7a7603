"""A reader's words as the site shows them: escaped text made safe HTML once, when the comment is saved."""

import nh3
from django.utils.html import linebreaks, urlize


def render_body(text: str) -> str:
    """A reader's plain text as safe HTML: escaped, paragraphs kept, bare links made clickable.

    Rendered once when saved. nh3 has the last word on the markup and stamps every link with the
    rel a comment link needs, so nothing a reader types can carry markup or script through.
    """
    html = linebreaks(urlize(text, trim_url_limit=60, nofollow=False, autoescape=True), autoescape=False)
    return nh3.clean(
        html,
        tags={"p", "br", "a"},
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    )


def count_links(text: str) -> int:
    return render_body(text).count("<a ")
