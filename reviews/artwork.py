"""Pictures drawn with Pillow: the share cards link previews show (og:image), and the type, colours,
grain and stars they are made of. No files from outside the machine.

Fonts: the first of FONTS found on the machine (Debian's DejaVu or Liberation), else Pillow's own. A text
the face cannot draw whole (a title in Arabic, Japanese, with emoji) is set in the first face of its
FALLBACKS that can (DejaVu Sans draws Arabic and Hebrew; Noto CJK where the machine has it), else drawn
without the characters no face has: a card never shows the empty boxes of missing glyphs.
"""

import io
import math
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

FONT_DIRS = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/share/fonts/opentype/noto"),
]
FONTS = {
    "serif-bold": ["DejaVuSerif-Bold.ttf", "LiberationSerif-Bold.ttf"],
    "serif": ["DejaVuSerif.ttf", "LiberationSerif-Regular.ttf"],
    "serif-italic": ["DejaVuSerif-Italic.ttf", "LiberationSerif-Italic.ttf"],
    "sans-bold": ["DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf"],
    "sans": ["DejaVuSans.ttf", "LiberationSans-Regular.ttf"],
    "condensed": ["DejaVuSansCondensed-Bold.ttf", "LiberationSansNarrow-Bold.ttf", "DejaVuSans-Bold.ttf"],
    "cjk-bold": ["NotoSansCJK-Bold.ttc", "NotoSerifCJK-Bold.ttc"],
    "cjk": ["NotoSansCJK-Regular.ttc", "NotoSerifCJK-Regular.ttc"],
}
FALLBACKS = {
    "serif-bold": ["sans-bold", "cjk-bold"],
    "serif": ["sans", "cjk"],
    "serif-italic": ["sans", "cjk"],
    "sans-bold": ["cjk-bold"],
    "sans": ["cjk"],
    "condensed": ["sans-bold", "cjk-bold"],
}
# A code point no font here draws: what a face draws for it is that face's "missing glyph" box.
NOT_A_CHARACTER = "\U0010fffd"
INK = (21, 18, 15)
CREAM = (243, 237, 227)
MUTED = (207, 197, 182)
STAR = (245, 184, 74)
ACCENT = (224, 82, 44)


@cache
def font(kind: str, size: int) -> ImageFont.ImageFont:
    return _installed(kind, size) or ImageFont.load_default(size=size)


@cache
def _installed(kind: str, size: int) -> ImageFont.ImageFont | None:
    for name in FONTS[kind]:
        for folder in FONT_DIRS:
            if (folder / name).exists():
                return ImageFont.truetype(str(folder / name), size)
    return None


@cache
def can_draw(face, character: str) -> bool:
    if character.isspace():
        return True
    shape = face.getmask(character)
    box = face.getmask(NOT_A_CHARACTER)
    return (shape.size, bytes(shape)) != (box.size, bytes(box))


def legible(kind: str, size: int, text: str) -> tuple[ImageFont.ImageFont, str]:
    """The face to set `text` in, and the text as it will be drawn: the first of `kind` and its fallbacks
    that draws every character, else `kind` without the characters it cannot draw."""
    faces = [font(kind, size), *filter(None, (_installed(other, size) for other in FALLBACKS.get(kind, [])))]
    for face in faces:
        if all(can_draw(face, character) for character in text):
            return face, text
    face = faces[0]
    return face, " ".join("".join(c for c in text if can_draw(face, c)).split())


def clip(draw: ImageDraw.ImageDraw, text: str, face, width: int) -> str:
    """`text` as one line no wider than `width`, cut with an ellipsis when it is wider."""
    if draw.textlength(text, font=face) <= width:
        return text
    while text and draw.textlength(text + "…", font=face) > width:
        text = text[:-1]
    return text.rstrip(" ,.;:") + "…"


def grain(image: Image.Image, amount: int = 18, seed: int = 0) -> Image.Image:
    """Film grain: monochrome noise, softened a little, blended in."""
    noise = Image.effect_noise(image.size, amount * 2).filter(ImageFilter.GaussianBlur(0.6))
    noise = Image.merge("RGB", [noise] * 3)
    return Image.blend(image, noise, amount / 255)


def wrap(draw: ImageDraw.ImageDraw, text: str, face, width: int, max_lines: int = 4) -> list[str]:
    """`text` in lines no wider than `width`, broken between words (inside a word only when it is wider
    than a line on its own), at most `max_lines` of them, the last cut with an ellipsis if more is left."""
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=face) <= width:
            lines[-1] += f" {word}"
            continue
        while draw.textlength(word, font=face) > width:
            cut = next(n for n in range(len(word) - 1, 0, -1) if draw.textlength(word[:n], font=face) <= width)
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = clip(draw, lines[-1].rstrip(",.;:") + "…", face, width)
    return lines


def stars(image: Image.Image, x: float, y: float, size: float, rating: float, colour=STAR) -> None:
    """Five stars, filled to `rating` (halves drawn as half stars), outlines for the rest."""
    draw = ImageDraw.Draw(image)
    for i in range(5):
        cx, cy = x + i * size * 1.15 + size / 2, y + size / 2
        points = [
            (cx + math.cos(math.radians(-90 + k * 36)) * (size / 2 if k % 2 == 0 else size / 5),
             cy + math.sin(math.radians(-90 + k * 36)) * (size / 2 if k % 2 == 0 else size / 5))
            for k in range(10)
        ]  # fmt: skip
        fill = rating - i
        draw.polygon(points, outline=colour, width=max(2, int(size / 14)))
        if fill >= 1:
            draw.polygon(points, fill=colour)
        elif fill >= 0.5:
            half = Image.new("L", image.size, 0)
            ImageDraw.Draw(half).polygon(points, fill=255)
            ImageDraw.Draw(half).rectangle((cx, 0, *image.size), fill=0)
            image.paste(colour, mask=half)


def to_bytes(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format=fmt, optimize=True, **options)
    return out.getvalue()


# --- Share cards (og:image), 1200 × 630 ---

CARD = (1200, 630)
CARD_JPEG = {"quality": 82, "progressive": True}


def _card_base(seed: int) -> Image.Image:
    image = Image.new("RGB", CARD, INK)
    glow = Image.radial_gradient("L").resize(CARD).point(lambda v: 255 - v)  # light at the centre
    image = Image.composite(Image.new("RGB", CARD, (58, 30, 20)), image, glow.point(lambda v: int(v * 0.6)))
    return grain(image, 14, seed)


def share_card(*, kicker: str, title: str, subtitle: str, rating=None, byline: str, poster=None, site: str) -> bytes:
    """A link preview: the poster (when there is one) on the left, the words and stars on the right."""
    image = _card_base(len(title))
    draw = ImageDraw.Draw(image)
    left = 70
    if poster is not None:
        poster = ImageOps.fit(poster.convert("RGB"), (330, 495))
        shadow = Image.new("L", CARD, 0)
        ImageDraw.Draw(shadow).rectangle((70 + 12, 68 + 16, 400 + 12, 563 + 16), fill=160)
        image.paste((0, 0, 0), mask=shadow.filter(ImageFilter.GaussianBlur(14)))
        image.paste(poster, (70, 68))
        left = 460
    width = CARD[0] - left - 70

    def line(kind, size, text, y, fill):
        face, text = legible(kind, size, text)
        draw.text((left, y), clip(draw, text, face, width), font=face, fill=fill)

    line("sans-bold", 24, kicker.upper(), 70, ACCENT)
    face, title = legible("serif-bold", 58 if len(title) < 60 else 48, title)
    y = 118
    for title_line in wrap(draw, title, face, width, 4):
        draw.text((left, y), title_line, font=face, fill=CREAM)
        y += int(face.size * 1.18)
    y += 14
    line("serif-italic", 32, subtitle, y, MUTED)
    y += 58
    if rating is not None:
        stars(image, left, y, 40, float(rating))
        y += 64
    line("sans", 26, byline, CARD[1] - 110, MUTED)
    line("sans-bold", 26, site, CARD[1] - 70, CREAM)
    # JPEG, the format every link preview reads: ~100 KB where a PNG of the grain was ~600 KB.
    return to_bytes(image, "JPEG", **CARD_JPEG)
