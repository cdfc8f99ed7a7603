"""Pictures drawn with Pillow: the share cards link previews show (og:image), and the type, colours,
grain and stars they are made of. No files from outside the machine.

Fonts: the first of FONTS found on the machine (Debian's DejaVu or Liberation), else Pillow's own.
"""

import io
import math
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation")]
FONTS = {
    "serif-bold": ["DejaVuSerif-Bold.ttf", "LiberationSerif-Bold.ttf"],
    "serif": ["DejaVuSerif.ttf", "LiberationSerif-Regular.ttf"],
    "serif-italic": ["DejaVuSerif-Italic.ttf", "LiberationSerif-Italic.ttf"],
    "sans-bold": ["DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf"],
    "sans": ["DejaVuSans.ttf", "LiberationSans-Regular.ttf"],
    "condensed": ["DejaVuSansCondensed-Bold.ttf", "LiberationSansNarrow-Bold.ttf", "DejaVuSans-Bold.ttf"],
}
INK = (21, 18, 15)
CREAM = (243, 237, 227)
MUTED = (207, 197, 182)
STAR = (245, 184, 74)
ACCENT = (224, 82, 44)


@cache
def font(kind: str, size: int) -> ImageFont.ImageFont:
    for name in FONTS[kind]:
        for folder in FONT_DIRS:
            if (folder / name).exists():
                return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size=size)


def grain(image: Image.Image, amount: int = 18, seed: int = 0) -> Image.Image:
    """Film grain: monochrome noise, softened a little, blended in."""
    noise = Image.effect_noise(image.size, amount * 2).filter(ImageFilter.GaussianBlur(0.6))
    noise = Image.merge("RGB", [noise] * 3)
    return Image.blend(image, noise, amount / 255)


def wrap(draw: ImageDraw.ImageDraw, text: str, face, width: int, max_lines: int = 4) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=face) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(",.;:") + "…"
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
    draw.text((left, 70), kicker.upper(), font=font("sans-bold", 24), fill=ACCENT)
    face = font("serif-bold", 58 if len(title) < 60 else 48)
    y = 118
    for line in wrap(draw, title, face, width, 4):
        draw.text((left, y), line, font=face, fill=CREAM)
        y += int(face.size * 1.18)
    y += 14
    draw.text((left, y), subtitle, font=font("serif-italic", 32), fill=MUTED)
    y += 58
    if rating is not None:
        stars(image, left, y, 40, float(rating))
        y += 64
    draw.text((left, CARD[1] - 110), byline, font=font("sans", 26), fill=MUTED)
    draw.text((left, CARD[1] - 70), site, font=font("sans-bold", 26), fill=CREAM)
    # JPEG, the format every link preview reads: ~100 KB where a PNG of the grain was ~600 KB.
    return to_bytes(image, "JPEG", **CARD_JPEG)
