"""Python-Markdown's parsers, kept linear on pathological input.

Out of the box several of its scans start again at every candidate and run to the end of the
paragraph or document: `[` × 10,000 took 12 s, `[[` × 10,000 49 s, and a preview of 50,000 `[` killed
the worker. Each fix here changes nothing for Markdown people write:

- link text may nest brackets, and a link's address parentheses, at most `MAX_NESTING` deep (real
  links use two: `[![still](a.jpg)](b)`); deeper, the `[` or `(` stays plain text;
- a footnote reference `[^label]` has a label of at most 200 characters;
- a raw HTML start tag is at most `MAX_TAG` characters long, else its `<` stays text;
- a paragraph's inline elements are placed in one pass, not by searching the paragraph for each one.
"""

import re
from collections import deque
from xml.etree.ElementTree import Element

from markdown.extensions.footnotes import FootnoteInlineProcessor
from markdown.htmlparser import HTMLExtractor, htmlparser
from markdown.preprocessors import HtmlBlockPreprocessor
from markdown.treeprocessors import InlineProcessor as InlineTreeprocessor
from markdown.util import AtomicString

MAX_NESTING = 8
MAX_TAG = 1000
FOOTNOTE_REFERENCE = r"\[\^([^\]]{0,200})\]"
LINK_PATTERNS = {  # Markdown's names and priorities for the patterns that read `[text]`
    "reference": 170,
    "link": 160,
    "image_link": 150,
    "image_reference": 140,
    "short_reference": 130,
    "short_image_ref": 125,
}
_BRACKET = re.compile(r"[\[\]]")
_PAREN_OR_QUOTE = re.compile(r"[()'\"]")


class _BoundedBrackets:
    """Markdown's link text and address scans, refusing early instead of running to the end."""

    def getText(self, data, index):  # noqa: N802 (Markdown's API)
        depth = 1
        for bracket in _BRACKET.finditer(data, index):
            depth += 1 if bracket.group() == "[" else -1
            if depth == 0:
                return data[index : bracket.start()], bracket.end(), True
            if depth > MAX_NESTING:
                break
        return "", index, False

    def getLink(self, data, index):  # noqa: N802 (Markdown's API)
        opening = self.RE_LINK.match(data, pos=index)
        if opening and not opening.group(1):
            depth = 0
            for token in _PAREN_OR_QUOTE.finditer(data, index):
                if token.group() in "'\"":
                    break  # a title: Markdown's own rules from here (they stop counting parentheses)
                depth += 1 if token.group() == "(" else -1
                if depth == 0:
                    break
                if depth > MAX_NESTING:
                    return "", None, index, False
            else:
                return "", None, index, False  # never closed, as Markdown would find at the end
        return super().getLink(data, index)


class _HTMLExtractor(HTMLExtractor):
    def check_for_whole_start_tag(self, i):
        # The standard library's scan for a tag's end runs to the end of the text from every `<`.
        found = htmlparser.locatestarttagend_tolerant.match(self.rawdata, i, i + MAX_TAG)
        if found is None or found.end() >= i + MAX_TAG:
            return -1
        return super().check_for_whole_start_tag(i)


class _HtmlBlockPreprocessor(HtmlBlockPreprocessor):
    def run(self, lines):
        parser = _HTMLExtractor(self.md)
        parser.feed("\n".join(lines))
        parser.close()
        return "".join(parser.cleandoc).split("\n")


class _InlineTreeprocessor(InlineTreeprocessor):
    """Markdown's inline pass, with the position of each element kept rather than searched for.

    The original (`treeprocessors.InlineProcessor.run`, Markdown 3.7 to 3.11) looks each element up
    with `list(parent).index(child)`: 40,000 emphasised words in one paragraph took 12 s.
    """

    def run(self, tree, ancestors=None):
        handle_inline = self._InlineProcessor__handleInline
        process_placeholders = self._InlineProcessor__processPlaceholders
        self.stashed_nodes = {}
        tree_parents = [] if ancestors is None else ancestors[:]
        self.parent_map = {c: p for p in tree.iter() for c in p}
        stack = deque([(tree, tree_parents)])
        self._InlineProcessor__build_ancestors(tree, tree_parents)
        while stack:
            element, parents = stack.popleft()
            self.ancestors = parents
            if element is not tree:
                self.ancestors.append(element.tag.lower())
            insert_queue = []
            # Elements made from a child's tail go in right after it, and are visited next.
            for position, child in enumerate(element):
                if child.text and not isinstance(child.text, AtomicString):
                    self.ancestors.append(child.tag.lower())
                    text, child.text = child.text, None
                    found = process_placeholders(handle_inline(text), child)
                    for item in found:
                        self.parent_map[item[0]] = child
                    stack += found
                    insert_queue.append((child, found))
                    self.ancestors.pop()
                if child.tail:
                    tail = handle_inline(child.tail)
                    dummy = Element("d")
                    child.tail = None
                    made = process_placeholders(tail, dummy, False)
                    if dummy.tail:
                        child.tail = dummy.tail
                    for offset, new in enumerate(made, start=position + 1):
                        self.parent_map[new[0]] = element
                        element.insert(offset, new[0])
                if len(child):
                    self.parent_map[child] = element
                    stack.append((child, self.ancestors[:]))
            for child, found in insert_queue:
                for i, item in enumerate(found):
                    child.insert(i, item[0])
        return tree


def bound(md) -> None:
    """Swap Markdown's unbounded scans in `md` for the bounded ones above."""
    for name, priority in LINK_PATTERNS.items():
        original = md.inlinePatterns[name]
        bounded = type(f"Bounded{type(original).__name__}", (_BoundedBrackets, type(original)), {})
        md.inlinePatterns.register(bounded(original.pattern, md), name, priority)
    if "footnote" in md.inlinePatterns:
        footnotes = md.inlinePatterns["footnote"]
        md.inlinePatterns.register(FootnoteInlineProcessor(FOOTNOTE_REFERENCE, footnotes.footnotes), "footnote", 175)
    md.preprocessors.register(_HtmlBlockPreprocessor(md), "html_block", 20)
    md.treeprocessors.register(_InlineTreeprocessor(md), "inline", 20)
    if "smarty" in md.treeprocessors:  # smart quotes run a second inline pass of their own
        smarty = _InlineTreeprocessor(md)
        smarty.inlinePatterns = md.treeprocessors["smarty"].inlinePatterns
        md.treeprocessors.register(smarty, "smarty", 6)
