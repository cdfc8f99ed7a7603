"""The words on a share card (reviews/artwork.py) as a link preview shows them: inside the card, and never as
the empty boxes a font draws for characters it lacks."""

import io

import pytest
from PIL import Image, ImageDraw

from reviews import artwork

TITLE = ("serif-bold", 58)
WIDTH = 670  # the title's column beside a poster


@pytest.fixture
def draw():
    return ImageDraw.Draw(Image.new("RGB", artwork.CARD))


def test_characters_no_font_here_draws_are_left_out_rather_than_drawn_as_boxes():
    face, text = artwork.legible(*TITLE, "Ballerina 🩰🔫 is back 🔥")
    assert text == "Ballerina is back"
    assert all(artwork.can_draw(face, c) for c in text)
    assert not artwork.can_draw(face, "🔥")


def test_a_title_the_serif_cannot_draw_is_set_in_a_face_that_can():
    arabic = "باليرينا: الحزن بمسدس"
    assert not all(artwork.can_draw(artwork.font(*TITLE), c) for c in arabic)  # DejaVu Serif has no Arabic
    face, text = artwork.legible(*TITLE, arabic)
    assert text == arabic
    assert all(artwork.can_draw(face, c) for c in text)


def test_a_latin_title_keeps_the_card_serif():
    face, text = artwork.legible(*TITLE, "Amélie: Montmartre, café crème")
    assert face is artwork.font(*TITLE) and text == "Amélie: Montmartre, café crème"


def test_a_word_longer_than_the_line_is_broken_to_stay_on_the_card(draw):
    face = artwork.font(*TITLE)
    word = "Supercalifragilisticexpialidocious" * 2
    lines = artwork.wrap(draw, word, face, WIDTH, 4)
    assert "".join(lines) == word
    assert len(lines) > 1
    assert all(draw.textlength(line, font=face) <= WIDTH for line in lines)


def test_a_title_too_long_for_four_lines_ends_in_an_ellipsis_inside_the_card(draw):
    face = artwork.font(*TITLE)
    lines = artwork.wrap(draw, "Extraordinarily " * 20, face, WIDTH, 4)
    assert len(lines) == 4 and lines[-1].endswith("…")
    assert all(draw.textlength(line, font=face) <= WIDTH for line in lines)


def test_a_long_subtitle_is_cut_to_the_card_with_an_ellipsis(draw):
    face = artwork.font("serif-italic", 32)
    line = artwork.clip(draw, "The Villainess, Atomic Blonde and every stairwell fight since " * 3, face, WIDTH)
    assert line.endswith("…") and draw.textlength(line, font=face) <= WIDTH


def test_a_card_with_any_title_is_drawn():
    for title in ("悪女 (The Villainess)", "🔥🔥🔥", "x" * 300, ""):
        data = artwork.share_card(kicker="Film", title=title, subtitle="A film", rating=4, byline="By A", site="S")
        assert Image.open(io.BytesIO(data)).size == artwork.CARD
