"""Pathological Markdown stays fast (issue 10), and what people write renders as before."""

import time

import pytest
from django.urls import reverse

from reviews.markdown import render_markdown
from tests.factories import FilmFactory, ReviewFactory

# Each took 3 s to over 15 s to render before the parsers were bounded (5,000 repetitions).
PATHOLOGICAL = {
    "unclosed brackets": "[" * 5000,
    "unclosed mentions": "[[" * 5000,
    "unclosed images": "![" * 5000,
    "unclosed addresses": "[a](" * 5000,
    "unclosed angle addresses": "[a](<" * 5000,
    "references": "[x][" * 5000,
    "footnote references": "[^" * 5000,
    "a bracket per line": "[\n" * 5000,
    "mentions nested in brackets": "[[a]" * 5000,
    "unclosed spoiler passages": "||x\n\n" * 5000,
    "unclosed tags": "<http://" * 5000,
}


def seconds_to_render(text, **kwargs):
    start = time.perf_counter()
    render_markdown(text, **kwargs)
    return time.perf_counter() - start


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_markdown_renders_in_well_under_a_second(text):
    assert seconds_to_render(text, mentions={}, flag_missing=True) < 1


@pytest.mark.django_db
def test_a_preview_of_fifty_thousand_brackets_answers_at_once(author_client):
    start = time.perf_counter()
    response = author_client.post(reverse("markdownx_markdownify"), {"content": "[" * 50000})
    assert time.perf_counter() - start < 2  # it took the worker down before
    assert response.status_code == 200
    assert response.content.count(b"[") == 50000


@pytest.mark.django_db
def test_saving_a_review_of_twenty_thousand_brackets_takes_well_under_a_second():
    review = ReviewFactory.build(film=FilmFactory(), author=ReviewFactory().author, body="[" * 20000)
    start = time.perf_counter()
    review.full_clean()
    review.save()
    assert time.perf_counter() - start < 2  # over 30 s before: gunicorn's timeout
    assert review.body_html == f"<p>{'[' * 20000}</p>"


LEGIBLE = {
    "a link": ("[Trailer](https://e.com/t)", '<a href="https://e.com/t" rel="noopener noreferrer">Trailer</a>'),
    "a link with a title": ('[T](https://e.com "Watch")', 'href="https://e.com" title="Watch"'),
    "an address with parentheses": (
        "[Film](https://en.wikipedia.org/wiki/Nobody_(2021_film))",
        'href="https://en.wikipedia.org/wiki/Nobody_(2021_film)"',
    ),
    "an angle-bracket address": ("[a](<https://e.com/a b>)", 'href="https://e.com/a b"'),
    "brackets inside link text": ("[see [1] and [2]](https://e.com)", ">see [1] and [2]</a>"),
    "an image inside a link": (
        "[![A still](/media/a.jpg)](https://e.com/b)",
        '<a href="https://e.com/b" rel="noopener noreferrer"><img alt="A still" src="/media/a.jpg"',
    ),
    "a reference link": ("[the trailer][t]\n\n[t]: https://e.com/t", '<a href="https://e.com/t"'),
    "a footnote": ("Reshoots.[^1]\n\n[^1]: By Chad.", 'href="#fn:1"'),
    "a mention": ("[[Atomic Blonde]] again", '<a class="mention" href="/films/ab/" rel="noopener noreferrer">Atomic'),
    "a missing mention": ("[[Nobody Knows]]", '<mark class="mention-missing"'),
    "an inline spoiler": ("It was ||the butler||.", "<span>the butler</span></details>."),
    "a spoiler passage": ("||He dies.\n\nShe lives.||", "<p>He dies.</p>\n<p>She lives.</p>\n</details>"),
    "a code span": ("`[[x]] ||y|| [z](`", "<code>[[x]] ||y|| [z](</code>"),
    "a fenced block": ("```\n[[x]] <b ||y|| [z](\n```", "<pre><code>[[x]] &lt;b ||y|| [z](\n</code></pre>"),
    "raw HTML with > in an attribute": ('<span title="a > b">x</span>', '<span title="a &gt; b">x</span>'),
    "an escaped bracket": (r"\[not a link\](x)", "<p>[not a link](x)</p>"),
    "unmatched brackets": ("a [ b ] c ] [", "<p>a [ b ] c ] [</p>"),
}


@pytest.mark.parametrize(("markdown", "expected"), LEGIBLE.values(), ids=LEGIBLE.keys())
def test_what_people_write_renders_as_before(markdown, expected):
    html = render_markdown(markdown, mentions={"atomic blonde": "/films/ab/"}, flag_missing=True)
    assert expected in html


def test_an_inline_spoiler_never_swallows_other_bars():
    html = render_markdown("||a ||b|| c")
    assert "||a " in html and "<span>b</span>" in html
