"""The one place Markdown becomes HTML: the admin's live preview and the saved review both use it.

Whoever wrote the Markdown, the HTML that comes out is sanitised by nh3, so no script, event
attribute, `javascript:` URL, iframe or style survives.
"""

import markdown
import nh3

EXTENSIONS = ["tables", "footnotes", "fenced_code", "sane_lists", "smarty", "toc"]
EXTENSION_CONFIGS = {
    "tables": {"use_align_attribute": True},  # align="…" survives sanitising; style="…" would not
    "toc": {"permalink": "#", "permalink_title": "Link to this section", "toc_depth": "2-4"},
    "footnotes": {"BACKLINK_TITLE": "Back to the text"},
}

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
ALLOWED_TAGS = HEADINGS | {
    "p", "br", "hr", "blockquote", "pre", "code", "kbd", "samp",
    "strong", "em", "b", "i", "u", "s", "del", "ins", "mark", "small", "sub", "sup", "abbr", "q", "cite",
    "ul", "ol", "li", "dl", "dt", "dd",
    "a", "img", "figure", "figcaption",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    "div", "span", "details", "summary",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    **{heading: {"id"} for heading in HEADINGS},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
    "li": {"id"},
    "sup": {"id"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
}
ALLOWED_CLASSES = {
    "a": {"headerlink", "footnote-ref", "footnote-backref"},
    "div": {"footnote"},
}


def render_markdown(text: str) -> str:
    """Markdown → safe HTML: tables, footnotes, headings with anchors, lazy images."""
    html = markdown.markdown(text or "", extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"img": {"loading": "lazy", "decoding": "async"}},
    )
