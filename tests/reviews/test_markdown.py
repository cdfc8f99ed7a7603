import pytest
from django.urls import reverse

from reviews.markdown import render_markdown


def test_tables_render_with_alignment():
    html = render_markdown("| Aspect | Score |\n|:--|--:|\n| Acting | 5 |")
    assert "<table>" in html
    assert '<td align="right">5</td>' in html


def test_footnotes_link_both_ways():
    html = render_markdown("Reshoots helped.[^1]\n\n[^1]: Overseen by Chad Stahelski.")
    assert 'href="#fn:1"' in html
    assert 'id="fn:1"' in html
    assert 'href="#fnref:1"' in html


def test_headings_get_anchors_readers_can_link_to():
    html = render_markdown("## Special effects")
    assert '<h2 id="special-effects">' in html
    assert 'href="#special-effects"' in html


@pytest.mark.parametrize(
    ("markdown", "forbidden"),
    [
        ("<script>alert('x')</script>", ["<script", "alert"]),
        ('<img src="x.png" onerror="alert(1)">', ["onerror", "alert"]),
        ("[click me](javascript:alert(1))", ["javascript:"]),
        ('<a href="JaVaScRiPt:alert(1)">click</a>', ["javascript", "JaVaScRiPt"]),
        ('<iframe src="https://example.com/embed"></iframe>', ["<iframe"]),
        ('<p style="position:fixed" onclick="steal()">hi</p>', ["style=", "onclick"]),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", ["data:"]),
        ('<svg><a xlink:href="javascript:alert(1)">x</a></svg>', ["<svg", "javascript:"]),
        ("<object data='x.swf'></object><embed src='x'>", ["<object", "<embed"]),
        ("<form action='/x'><input name='q'></form>", ["<form", "<input"]),
    ],
)
def test_hostile_markup_never_survives(markdown, forbidden):
    html = render_markdown(markdown)
    for fragment in forbidden:
        assert fragment not in html


def test_ordinary_links_and_images_survive():
    html = render_markdown("[Trailer](https://example.com/t) ![A still of Eve](/media/uploads/a.jpg)")
    assert 'href="https://example.com/t"' in html
    assert 'alt="A still of Eve"' in html
    assert 'loading="lazy"' in html


@pytest.mark.django_db
def test_admin_preview_uses_the_same_sanitised_rendering(author_client):
    response = author_client.post(
        reverse("markdownx_markdownify"), {"content": "## Acting\n\n<script>alert(1)</script>**Superb**"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html == render_markdown("## Acting\n\n<script>alert(1)</script>**Superb**")
    assert "<strong>Superb</strong>" in html
    assert "<script" not in html


@pytest.mark.django_db
def test_preview_answers_staff_only(client):
    response = client.post(reverse("markdownx_markdownify"), {"content": "**hi**"})
    assert response.status_code == 403
    assert b"<strong>" not in response.content


def test_a_heading_is_read_by_its_words_and_its_anchor_link_says_where_it_goes():
    """A screen reader reads the heading as "Direction", not "Direction #": the link sits beside it, labelled."""
    html = render_markdown("## Direction *and* acting\n\nText.")
    assert (
        '<div class="heading"><h2 id="direction-and-acting">Direction <em>and</em> acting</h2>'
        '<a aria-label="Link to the section Direction and acting" class="headerlink" href="#direction-and-acting"'
    ) in html
