"""The one place Markdown becomes HTML: the admin's live preview and the saved review both use it.

Whoever wrote the Markdown, the HTML that comes out is sanitised by nh3, so no script, event
attribute, `javascript:` URL, iframe or style survives.

Two additions to Markdown for reviewers:
- `[[Atomic Blonde]]`, `[[Atomic Blonde (2017)]]` or `[[Ana de Armas]]` link to that film's or
  person's page (the caller passes `mentions`, a label → URL mapping; see reviews/models/mentions.py);
  a mention that matches nothing stays plain text, and in the editor's preview it is flagged;
- a paragraph (or several) wrapped in `||double bars||` is a spoiler: a `<details>` element the
  reader opens with a click, no JavaScript needed.
"""

import re
import xml.etree.ElementTree as etree
from html.parser import HTMLParser

import markdown
import nh3
from django.conf import settings
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from .markdown_bounds import bound

# What the editor writes for a dropped image until the author describes it; a review keeping it is refused.
IMAGE_PLACEHOLDER_ALT = "Describe this image"
MENTION = re.compile(r"\[\[([^\[\]\n|]{1,200})\]\]")
# No bars inside: `||a ||b||` hides "b", and an unclosed `||` reads only as far as the next bars.
INLINE_SPOILER = r"\|\|(?=\S)((?:(?!\|\|).)+?)(?<=\S)\|\|"
SPOILER_SUMMARY = "Spoiler — select to reveal"

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
    "a": {"href", "title", "aria-label"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
    "li": {"id"},
    "sup": {"id"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
}
ALLOWED_CLASSES = {
    "a": {"headerlink", "footnote-ref", "footnote-backref", "mention"},
    "div": {"footnote", "paragraph", "heading"},
    "details": {"spoiler", "spoiler-inline"},
    "mark": {"mention-missing"},
}
ALLOWED_ATTRIBUTES["mark"] = {"title"}


class _MentionProcessor(InlineProcessor):
    def __init__(self, mentions: dict[str, str], flag_missing: bool):
        super().__init__(MENTION.pattern)
        self.mentions, self.flag_missing = mentions, flag_missing

    def handleMatch(self, m, data):  # noqa: N802 (Markdown's API)
        label = " ".join(m.group(1).split())
        url = self.mentions.get(label.casefold())
        if url:
            element = etree.Element("a", {"href": url, "class": "mention"})
        elif self.flag_missing:
            element = etree.Element(
                "mark", {"class": "mention-missing", "title": "No film or person matches this mention"}
            )
        else:
            return label, m.start(0), m.end(0)  # plain text, without the brackets
        element.text = label
        return element, m.start(0), m.end(0)


class _SpoilerProcessor(BlockProcessor):
    """Blocks from one starting with `||` to one ending with `||` become a closed <details>.

    Bars inside those blocks belong to inline spoilers instead (`||a|| and ||b||` is two of them).
    """

    def test(self, parent, block):
        return block.startswith("||") and "||" not in block[2:].rstrip()[:-2]

    def run(self, parent, blocks):
        for end, block in enumerate(blocks):
            stripped = block.rstrip()
            if end > 0 and ("||" in stripped[:-2] or stripped.startswith("||") and stripped != "||"):
                # More bars on the way: inline spoilers, not a passage. Stopping at the next opening
                # also keeps a page of unclosed openings from each reading every block after it.
                return False
            if stripped.endswith("||") and (end > 0 or len(stripped) > 4):
                break
        else:
            return False  # never closed: leave the bars as text
        inner = blocks[: end + 1]
        del blocks[: end + 1]
        inner[0] = inner[0][2:]
        inner[-1] = inner[-1].rstrip()[:-2]
        details = etree.SubElement(parent, "details", {"class": "spoiler"})
        summary = etree.SubElement(details, "summary")
        summary.text = SPOILER_SUMMARY
        self.parser.parseBlocks(details, inner)
        return True


class _InlineSpoilerProcessor(InlineProcessor):
    """`||words||` inside a sentence: a small <details> the reader opens in place."""

    def handleMatch(self, m, data):  # noqa: N802 (Markdown's API)
        details = etree.Element("details", {"class": "spoiler-inline"})
        summary = etree.SubElement(details, "summary")
        summary.text = "spoiler"
        hidden = etree.SubElement(details, "span")
        hidden.text = m.group(1)
        return details, m.start(0), m.end(0)


class _SpoilerParagraphs(Treeprocessor):
    """A paragraph may not hold a <details> (browsers would split it): such paragraphs become a <div>."""

    def run(self, root):
        for paragraph in root.iter("p"):
            if paragraph.find("details") is not None:
                paragraph.tag = "div"
                paragraph.set("class", "paragraph")


class _ImageSizes(Treeprocessor):
    """Width and height on images whose size is known, so the page does not jump as they load."""

    def __init__(self, md, image_size):
        super().__init__(md)
        self.image_size = image_size

    def run(self, root):
        for image in root.iter("img"):
            if size := self.image_size(image.get("src", "")):
                image.set("width", str(size[0]))
                image.set("height", str(size[1]))


class _HeadingAnchors(Treeprocessor):
    """The "#" link toc adds inside each heading moves beside it, labelled with the heading's words.

    Inside, a screen reader reads the heading as "Direction #"; beside it, the heading is "Direction" and
    the link "Link to the section Direction". The pair sits in a div.heading for the layout.
    """

    def run(self, root):
        for parent in list(root.iter()):
            for index, heading in enumerate(list(parent)):
                link = heading.find("a[@class='headerlink']") if heading.tag in HEADINGS else None
                if link is None:
                    continue
                heading.remove(link)
                words = " ".join("".join(heading.itertext()).split())
                link.attrib.pop("title", None)
                link.set("aria-label", f"Link to the section {words}")
                link.tail = None
                wrapper = etree.Element("div", {"class": "heading"})
                wrapper.extend([heading, link])
                wrapper.tail, heading.tail = heading.tail, None
                parent.remove(heading)
                parent.insert(index, wrapper)


class ReviewExtension(Extension):
    def __init__(self, mentions: dict[str, str] | None = None, flag_missing: bool = False, image_size=None):
        super().__init__()
        self.mentions, self.flag_missing, self.image_size = mentions or {}, flag_missing, image_size

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        bound(md)
        md.inlinePatterns.register(_MentionProcessor(self.mentions, self.flag_missing), "mention", 175)
        md.parser.blockprocessors.register(_SpoilerProcessor(md.parser), "spoiler", 105)
        md.inlinePatterns.register(_InlineSpoilerProcessor(INLINE_SPOILER), "inline_spoiler", 174)
        md.treeprocessors.register(_SpoilerParagraphs(md), "spoiler_paragraphs", 5)
        md.treeprocessors.register(_HeadingAnchors(md), "heading_anchors", 3)  # after toc (5) adds the links
        if self.image_size:
            md.treeprocessors.register(_ImageSizes(md, self.image_size), "image_sizes", 4)


class _ImageFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.missing: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img" and (attributes.get("alt") or "").strip() in ("", IMAGE_PLACEHOLDER_ALT):
            self.missing.append(attributes.get("src") or "(an image without a source)")


def images_missing_alt(html: str) -> list[str]:
    """The sources of the images in rendered HTML whose alt text is empty or still the placeholder."""
    finder = _ImageFinder()
    finder.feed(html)
    return finder.missing


def mention_labels(text: str) -> set[str]:
    """The labels of every [[mention]] in a text, as written (spaces tidied)."""
    return {" ".join(label.split()) for label in MENTION.findall(text or "")}


def body_too_long(text: str) -> str:
    """Why a review body is refused for its length, or "": a bound on what one render may cost."""
    limit = settings.REVIEW_MAX_CHARACTERS
    if len(text) <= limit:
        return ""
    return (
        f"Keep a review under {limit:,} characters (this one has {len(text):,}): "
        "split it in two, or move notes and long quotes out."
    )


def render_markdown(
    text: str, mentions: dict[str, str] | None = None, flag_missing: bool = False, image_size=None
) -> str:
    """Markdown → safe HTML: tables, footnotes, headings with anchors, lazy images, mentions, spoilers.

    `mentions` maps a mention's label, casefolded, to the URL it links to; `flag_missing` marks
    mentions that match nothing (for the editor's preview) instead of leaving them as plain text;
    `image_size(src)` gives the (width, height) of an image it knows, or None.
    """
    extensions = [*EXTENSIONS, ReviewExtension(mentions, flag_missing, image_size)]
    html = markdown.markdown(text or "", extensions=extensions, extension_configs=EXTENSION_CONFIGS)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"img": {"loading": "lazy", "decoding": "async"}},
    )
