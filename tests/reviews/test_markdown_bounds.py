"""Pathological Markdown stays fast, and what people write renders as before."""

import time

import markdown
import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from reviews.markdown import render_markdown
from tests.factories import FilmFactory, ReviewFactory

# Each took 3 s to over 15 s to render at 5,000 repetitions before the parsers were bounded: the work
# grew with the square of the input. The tests check how the time grows, not a number of seconds, so
# they say the same on a fast machine and on a busy one.
PATHOLOGICAL = {
    "unclosed brackets": "[",
    "unclosed mentions": "[[",
    "unclosed images": "![",
    "unclosed addresses": "[a](",
    "unclosed angle addresses": "[a](<",
    "references": "[x][",
    "footnote references": "[^",
    "a bracket per line": "[\n",
    "mentions nested in brackets": "[[a]",
    "unclosed spoiler passages": "||x\n\n",
    "unclosed tags": "<http://",
}


def seconds_to_render(text, **kwargs):
    """The best of three: what the render costs, not what else the machine was doing."""
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        render_markdown(text, **kwargs)
        timings.append(time.perf_counter() - start)
    return min(timings)


@pytest.mark.parametrize("unit", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_markdown_takes_time_in_proportion_to_its_length(unit):
    small = seconds_to_render(unit * 625, mentions={}, flag_missing=True)
    large = seconds_to_render(unit * 5000, mentions={}, flag_missing=True)
    # Eight times the text: about eight times the time when linear, sixty-four when quadratic.
    assert large < 20 * small + 0.05, f"{small:.3f} s for 625 repetitions, {large:.3f} s for 5,000"


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


@pytest.mark.django_db
def test_a_review_over_the_length_limit_is_refused_with_every_word_kept(author_client, author, settings):
    from tests.browser_form import browser_form

    settings.REVIEW_MAX_CHARACTERS = 1000
    review = ReviewFactory(author=author)
    url = reverse("admin:reviews_review_change", args=[review.pk])
    long_body = "A sentence that goes on. " * 50  # 1,250 characters
    response = author_client.post(url, {**browser_form(author_client.get(url).content.decode()), "body": long_body})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Keep a review under 1,000 characters (this one has 1,249)" in html
    assert long_body.strip() in html  # still in the editor, to be cut down
    review.refresh_from_db()
    assert review.body != long_body.strip()


@pytest.mark.django_db
def test_the_preview_says_when_a_review_is_over_the_length_limit(author_client, settings):
    response = author_client.post(reverse("markdownx_markdownify"), {"content": "[" * 60001})
    assert response.status_code == 200
    assert "Keep a review under 60,000 characters (this one has 60,001)" in response.content.decode()


def test_check_warns_when_another_markdown_minor_is_installed(monkeypatch):
    """The bounds patch Python-Markdown's internals: a deploy with another minor is told before a page breaks."""
    call_command("check", fail_level="WARNING")  # the pinned release passes
    monkeypatch.setattr(markdown, "__version__", "3.12.0")
    with pytest.raises(SystemCheckError, match="markdown_bounds.py was tested with 3.11"):
        call_command("check", fail_level="WARNING")
