"""WordPress post HTML (Gutenberg blocks or the classic editor's) → the Markdown our editor writes.

BeautifulSoup reads the HTML and markdownify writes the Markdown; the steps here only prepare the tree:
block comments dropped, classic line breaks made into paragraphs (WordPress's `wpautop`), [caption]
shortcodes made into an image and its caption, `<details>` made into the `||spoiler||` Markdown of
reviews/markdown.py (a hidden passage stays hidden), image and link addresses handed to the importer to
rewrite. A rating written as the post's last line ("Rating: 4 out of 5", "4/5", "★★★★☆") is taken out
of the text and returned.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from markdownify import MarkdownConverter

# [caption id="attachment_12" align="alignnone" width="800"]<img …> The caption[/caption]
CAPTION = re.compile(r"\[caption\b[^\]]*\](.*?)\[/caption\]", re.DOTALL | re.IGNORECASE)
BLOCK_START = re.compile(
    r"^\s*<(?:p|h[1-6]|ul|ol|li|blockquote|div|figure|table|pre|hr|dl|section|iframe|address|details)\b", re.I
)
# A rating on the last line: "Rating: 4 out of 5", "Rating: 3.5/5", "4/5", "★★★★☆", "★★★½".
RATING_WORDS = re.compile(r"^(?:\*\*|__)?(?:rating|score|verdict)?\s*:?\s*(?:\*\*|__)?\s*(\d(?:[.,]5)?)\s*"
                          r"(?:out of|/)\s*5(?:\s*stars?)?\.?(?:\*\*|__)?$", re.I)  # fmt: skip
RATING_STARS = re.compile(r"^(?:\*\*|__)?(?:rating\s*:?\s*)?([★☆½⯪]{3,6})(?:\*\*|__)?$", re.I)
# What reviews/markdown.py writes as a spoiler's summary: ours, not the author's words, so left out.
OUR_SUMMARIES = {"spoiler", "spoiler — select to reveal"}
# A <details> inside one of these (or beside text) hides words of a sentence: an inline `||spoiler||`.
INLINE_PARENTS = {"p", "span", "a", "em", "strong", "b", "i", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"}
OPEN_MARK, CLOSE_MARK = "reviewblogspoileropens", "reviewblogspoilercloses"


@dataclass
class Converted:
    markdown: str
    rating: Decimal | None = None
    images: list[str] = field(default_factory=list)  # the old addresses of the images shown


class ReviewMarkdown(MarkdownConverter):
    """markdownify, with a figure's caption written under its image as an italic line."""

    def convert_figcaption(self, el, text, parent_tags):
        text = text.strip()
        return f"\n\n*{text}*\n\n" if text else ""

    def convert_figure(self, el, text, parent_tags):
        return f"\n\n{text.strip()}\n\n"


def autop(html: str) -> str:
    """The classic editor's text keeps paragraphs as blank lines and line breaks as newlines: make them HTML."""
    chunks = re.split(r"\n\s*\n", html.replace("\r\n", "\n"))
    out = []
    for chunk in chunks:
        if not chunk.strip():
            continue
        if BLOCK_START.match(chunk) or chunk.lstrip().startswith("[caption"):
            out.append(chunk)
        else:
            out.append("<p>" + chunk.strip().replace("\n", "<br>\n") + "</p>")
    return "\n\n".join(out)


def _caption_to_figure(match: re.Match) -> str:
    inner = BeautifulSoup(match.group(1), "html.parser")
    image = inner.find("img")
    if image is None:
        return match.group(1)
    holder = image.parent if image.parent and image.parent.name == "a" else image
    holder.extract()
    caption = inner.get_text(" ", strip=True)
    return f"<figure>{holder}<figcaption>{caption}</figcaption></figure>"


def html_to_markdown(
    html: str,
    *,
    rewrite_url: Callable[[str], str] = lambda url: url,
    alt_for: Callable[[str], str] = lambda url: "",
    find_rating: bool = True,
) -> Converted:
    is_blocks = "<!-- wp:" in html
    if not is_blocks:
        html = autop(html)
    html = CAPTION.sub(_caption_to_figure, html)
    soup = BeautifulSoup(html, "html.parser")
    for note in soup.find_all(string=lambda s: isinstance(s, Comment)):
        note.extract()  # Gutenberg's <!-- wp:paragraph --> markers and any other HTML comment
    for element in soup.find_all(["script", "style", "iframe", "noscript"]):
        element.decompose()
    images = []
    for image in soup.find_all("img"):
        old = image.get("src", "")
        images.append(old)
        if not (image.get("alt") or "").strip():
            image["alt"] = alt_for(old)
        image["src"] = rewrite_url(old)
        for attribute in ("srcset", "sizes", "class", "width", "height", "loading", "decoding", "style"):
            image.attrs.pop(attribute, None)
    for link in soup.find_all("a", href=True):
        link["href"] = rewrite_url(link["href"])
    for details in reversed(soup.find_all("details")):  # innermost first
        spoiler(soup, details)
    markdown = ReviewMarkdown(heading_style="ATX", bullets="-", escape_misc=False).convert_soup(soup)
    markdown = bars(markdown) if OPEN_MARK in markdown else markdown
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip()
    markdown, rating = take_rating(markdown) if find_rating else (markdown, None)  # a page has no rating
    return Converted(markdown=markdown, rating=rating, images=images)


def spoiler(soup: BeautifulSoup, details: Tag) -> None:
    """A <details> (this site's spoilers, WordPress's Details block) as `||…||`, the Markdown that hides it
    again: one passage of blocks, or words inside a sentence. A summary of the author's own words stays in
    view before it; the summary reviews/markdown.py writes is dropped."""
    summary = details.find("summary", recursive=False)
    label = " ".join(summary.get_text(" ").split()) if summary else ""
    if summary:
        summary.extract()
    if label.casefold() in OUR_SUMMARIES:
        label = ""
    if not details.get_text(strip=True) and not details.find("img"):  # nothing hidden
        details.replace_with(NavigableString(label or " "))
        return
    classes = details.get("class") or []
    beside_text = any(
        isinstance(node, NavigableString) and node.strip() for node in (details.previous_sibling, details.next_sibling)
    )
    if "spoiler-inline" in classes or (
        "spoiler" not in classes and (details.parent.name in INLINE_PARENTS or beside_text)
    ):
        inline_spoiler(details, label)
        return
    # Marks before the first block and after the last, made into the bars once the Markdown is written:
    # "||" must open the passage's first line and close its last, whatever blocks lie between.
    opening, closing = soup.new_tag("p"), soup.new_tag("p")
    opening.string, closing.string = OPEN_MARK, CLOSE_MARK
    details.insert(0, opening)
    details.append(closing)
    if label:
        shown = soup.new_tag("p")
        shown.string = label
        details.insert_before(shown)
    details.name, details.attrs = "div", {}  # unwrap() would move every child, one by one


def bars(markdown: str) -> str:
    """The marks a passage's spoiler left made into its bars: "||" opens the passage's first line and closes
    its last, the blank lines between mark and words dropped, a quote's "> " kept. One pass over the lines."""
    out: list[str] = []
    opening = None  # the indent or "> " of an opening mark's line, until the passage's first line
    for line in markdown.split("\n"):
        words = line.strip(" \t>")
        if words == OPEN_MARK:
            opening = line[: line.index(OPEN_MARK)]
        elif words == CLOSE_MARK:
            while out and not out[-1].strip(" \t>"):
                out.pop()
            if out:
                out[-1] += "||"
        elif opening is not None and not words:
            continue
        else:
            if opening is not None:
                line = opening + "||" + line.removeprefix(opening)
                opening = None
            out.append(line)
    return "\n".join(out)


def inline_spoiler(details: Tag, label: str) -> None:
    for tag in details.find_all(["p", "div", "br"]):  # words inside a sentence: no paragraph, no break
        if tag.name == "br":
            tag.replace_with(" ")
        else:
            tag.name, tag.attrs = "span", {}
            tag.append(" ")
    # The bars must touch the words, or they hide nothing: no space at either end (markdownify folds the rest).
    texts = details.find_all(string=True)
    for order, strip in ((range(len(texts)), str.lstrip), (reversed(range(len(texts))), str.rstrip)):
        for i in order:
            kept = NavigableString(strip(str(texts[i])))
            if kept != texts[i]:
                texts[i].replace_with(kept)
                texts[i] = kept
            if kept:
                break
    details.insert(0, NavigableString(f"{label}: ||" if label else "||"))
    details.append(NavigableString("||"))
    details.name, details.attrs = "span", {}


def take_rating(markdown: str) -> tuple[str, Decimal | None]:
    """Remove a rating written as the last line and return it (0.5 to 5 in half steps), else (text, None)."""
    lines = markdown.rstrip().split("\n")
    if not lines:
        return markdown, None
    last = lines[-1].strip()
    rating = None
    if match := RATING_WORDS.match(last):
        rating = Decimal(match.group(1).replace(",", "."))
    elif match := RATING_STARS.match(last):
        stars = match.group(1)
        rating = Decimal(stars.count("★")) + (Decimal("0.5") if ("½" in stars or "⯪" in stars) else 0)
    if rating is None or not (Decimal("0.5") <= rating <= 5) or rating % Decimal("0.5"):
        return markdown, None
    return "\n".join(lines[:-1]).rstrip(), rating


def plain_text(html: str) -> str:
    """An excerpt as one line of text (a standfirst)."""
    soup = BeautifulSoup(html or "", "html.parser")
    for note in soup.find_all(string=lambda s: isinstance(s, Comment)):
        note.extract()
    return " ".join(soup.get_text(" ").split())


def comment_text(html: str) -> str:
    """A WordPress comment (which may hold <a>, <em>, <strong>, <p>) as the plain text our comments keep;
    a link keeps its address, where the text did not already show it."""
    html = html or ""
    if "<" not in html and "&" not in html:  # plain text already, as most comments are: no parser needed
        return re.sub(r"\n{3,}", "\n\n", html).strip()
    soup = BeautifulSoup(html, "html.parser")
    for link in soup.find_all("a", href=True):
        text, href = link.get_text(), link["href"]
        link.replace_with(text if href in text else f"{text} ({href})")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for paragraph in soup.find_all("p"):
        paragraph.insert_after(NavigableString("\n\n"))
    return re.sub(r"\n{3,}", "\n\n", soup.get_text()).strip()
