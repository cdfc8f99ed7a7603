"""The demo's stills, posters and portraits, drawn with Pillow from the site's type and grain
(`reviews/artwork.py`). Each is a composition (a figure against a light), typography where a real
one has it, and grain; alt text is written from the same parameters that draw the picture, so it
describes what is there.
"""

import random

from PIL import Image, ImageDraw, ImageFilter

from reviews.artwork import CREAM, MUTED, font, grain


def hex_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))


def mix(a, b, t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def vignette(image: Image.Image, strength: float = 0.55) -> Image.Image:
    width, height = image.size
    mask = Image.radial_gradient("L").resize((width, height))  # 0 at the centre, 255 at the edges
    mask = mask.point(lambda v: min(255, int(v * strength * 1.4)))
    return Image.composite(Image.new("RGB", image.size, (0, 0, 0)), image, mask)


MOTIFS = {
    "stage": "a lone figure under a spotlight on an empty stage, red curtains at the edges",
    "doorway": "a figure silhouetted in a doorway of hot light, smoke drifting across the frame",
    "street": "a figure under a street lamp on a wet night street, the light doubled in the puddles",
    "neon": "a figure on a rooftop against a city skyline lit by neon",
    "corridor": "a long corridor in one-point perspective, a figure small at its far end",
}


def _gradient(size, top, bottom) -> Image.Image:
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def _glow(image: Image.Image, centre, radius, colour, strength=1.0) -> Image.Image:
    width, height = image.size
    glow = Image.new("L", image.size, 0)
    cx, cy = centre
    ImageDraw.Draw(glow).ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=int(255 * strength))
    glow = glow.filter(ImageFilter.GaussianBlur(radius / 2))
    return Image.composite(Image.new("RGB", image.size, colour), image, glow)


def _figure(draw: ImageDraw.ImageDraw, x: float, ground: float, height: float, colour=(8, 6, 5)) -> None:
    """A standing figure in silhouette, feet on `ground`, centred on `x`."""
    head = height * 0.12
    draw.ellipse((x - head / 2, ground - height, x + head / 2, ground - height + head), fill=colour)
    shoulders, hips = height * 0.26, height * 0.17
    top = ground - height + head * 1.05
    draw.polygon(
        [(x - shoulders / 2, top + head * 0.3), (x + shoulders / 2, top + head * 0.3),
         (x + hips / 2, ground - height * 0.45), (x + hips * 0.45, ground), (x + hips * 0.12, ground),
         (x, ground - height * 0.38), (x - hips * 0.12, ground), (x - hips * 0.45, ground),
         (x - hips / 2, ground - height * 0.45)],
        fill=colour,
    )  # fmt: skip
    draw.rectangle((x - head * 0.22, top - head * 0.1, x + head * 0.22, top + head * 0.4), fill=colour)


def still(size, dark: str, light: str, motif: str, seed: int = 1) -> Image.Image:
    """A frame from a film that does not exist: `motif` (one of MOTIFS) in the colours `dark` and `light`."""
    width, height = size
    dark_rgb, light_rgb = hex_rgb(dark), hex_rgb(light)
    rng = random.Random(seed)
    image = _gradient(size, dark_rgb, mix(dark_rgb, light_rgb, 0.35))
    draw = ImageDraw.Draw(image)
    ground = height * 0.82
    if motif == "stage":
        image = _glow(image, (width / 2, ground - height * 0.25), height * 0.45, light_rgb, 0.9)
        draw = ImageDraw.Draw(image)
        beam = Image.new("L", size, 0)
        cone = [(width * 0.46, 0), (width * 0.54, 0), (width * 0.66, ground), (width * 0.34, ground)]
        ImageDraw.Draw(beam).polygon(cone, fill=90)
        image.paste(mix(light_rgb, CREAM, 0.5), mask=beam.filter(ImageFilter.GaussianBlur(20)))
        draw = ImageDraw.Draw(image)
        for side in (0, 1):  # curtains
            for fold in range(6):
                x0 = (fold * width * 0.025) if side == 0 else width - (fold + 1) * width * 0.025
                shade = mix((90, 8, 12), (30, 2, 4), fold % 2)
                draw.rectangle((x0, 0, x0 + width * 0.025, height), fill=shade)
        draw.rectangle((0, ground, width, height), fill=mix(dark_rgb, (0, 0, 0), 0.4))
        _figure(draw, width / 2, ground, height * 0.42)
    elif motif == "doorway":
        door = (width * 0.58, height * 0.22, width * 0.74, ground)
        image = _glow(image, (width * 0.66, height * 0.5), height * 0.5, light_rgb, 0.8)
        draw = ImageDraw.Draw(image)
        wall = mix(dark_rgb, light_rgb, 0.12)
        draw.rectangle((0, 0, door[0], height), fill=wall)
        draw.rectangle((door[2], 0, width, height), fill=wall)
        draw.rectangle((door[0], 0, door[2], door[1]), fill=wall)
        draw.rectangle(door, fill=mix(light_rgb, CREAM, 0.55))
        _figure(draw, width * 0.66, ground, height * 0.5)
        smoke = Image.new("L", size, 0)
        smoke_draw = ImageDraw.Draw(smoke)
        for _ in range(40):
            x, y, r = rng.uniform(0, width), rng.uniform(height * 0.2, height), rng.uniform(40, 160)
            smoke_draw.ellipse((x - r, y - r / 3, x + r, y + r / 3), fill=rng.randint(10, 40))
        image.paste(mix(light_rgb, CREAM, 0.3), mask=smoke.filter(ImageFilter.GaussianBlur(30)))
    elif motif in ("street", "neon"):
        if motif == "neon":
            for i in range(18):  # skyline
                bw, bh = rng.uniform(width * 0.04, width * 0.09), rng.uniform(height * 0.2, height * 0.6)
                bx = i * width / 16 - width * 0.03
                draw.rectangle((bx, ground - bh, bx + bw, ground), fill=mix(dark_rgb, (0, 0, 0), 0.3))
                for _ in range(int(bh / 30)):
                    wx, wy = rng.uniform(bx + 4, bx + bw - 8), rng.uniform(ground - bh + 6, ground - 10)
                    lit = light_rgb if rng.random() < 0.4 else mix(light_rgb, CREAM, 0.6)
                    draw.rectangle((wx, wy, wx + 5, wy + 7), fill=lit)
            draw.rectangle((0, ground, width, height), fill=(6, 4, 8))
            _figure(draw, width * 0.3, ground + height * 0.06, height * 0.55)
        else:
            lamp = (width * 0.62, height * 0.18)
            image = _glow(image, lamp, height * 0.35, mix(light_rgb, CREAM, 0.4), 0.9)
            draw = ImageDraw.Draw(image)
            draw.rectangle((lamp[0] - 4, lamp[1], lamp[0] + 4, ground), fill=(10, 10, 12))
            draw.rectangle((0, ground, width, height), fill=mix(dark_rgb, (0, 0, 0), 0.2))
            for _ in range(25):  # reflections in the wet street
                x, w = rng.uniform(width * 0.45, width * 0.8), rng.uniform(10, 60)
                y = rng.uniform(ground + 5, height - 5)
                draw.line((x, y, x + w, y), fill=mix(light_rgb, CREAM, rng.random() * 0.5), width=2)
            _figure(draw, width * 0.55, ground, height * 0.5)
            rain = Image.new("L", size, 0)
            rain_draw = ImageDraw.Draw(rain)
            for _ in range(400):
                x, y = rng.uniform(0, width), rng.uniform(0, height)
                rain_draw.line((x, y, x - 6, y + 26), fill=70, width=1)
            image.paste(CREAM, mask=rain)
    else:  # corridor
        vanishing = (width * 0.5, height * 0.45)
        image = _glow(image, vanishing, height * 0.18, light_rgb, 1.0)
        draw = ImageDraw.Draw(image)
        for i in range(1, 9):  # door frames receding
            t = i / 9
            w, h = width * (1 - t) * 0.5, height * (1 - t) * 0.55
            draw.rectangle((vanishing[0] - w, vanishing[1] - h, vanishing[0] + w, vanishing[1] + h * 0.9),
                           outline=mix(dark_rgb, light_rgb, t * 0.6), width=max(2, int(10 * (1 - t))))  # fmt: skip
        _figure(draw, vanishing[0], vanishing[1] + height * 0.1, height * 0.16)
    image = vignette(image, 0.65)
    return grain(image, 20, seed)


def still_alt(motif: str, dark: str, light: str) -> str:
    return f"Illustration drawn for the demo, in the manner of a film still: {MOTIFS[motif]}."


def poster(
    size, dark: str, light: str, motif: str, title: str, tagline: str, names: list, seed: int = 1
) -> Image.Image:
    """A one-sheet: the still's scene, the title large at the foot, a tagline, the billing block."""
    width, height = size
    image = still((width, height), dark, light, motif, seed)
    shade = Image.linear_gradient("L").resize(size).point(lambda v: max(0, v - 90) * 2)
    image = Image.composite(Image.new("RGB", size, (5, 4, 3)), image, shade)
    draw = ImageDraw.Draw(image)
    small = font("sans-bold", max(12, width // 34))
    draw.text((width / 2, height * 0.06), "  ".join(n.upper() for n in names[:3]), font=small, fill=MUTED, anchor="mm")
    italic = font("serif-italic", max(14, width // 26))
    draw.text((width / 2, height * 0.11), tagline, font=italic, fill=CREAM, anchor="mm")
    size_px = width // 5
    face = font("condensed", size_px)
    while draw.textlength(title, font=face) > width * 0.88 and size_px > 20:
        size_px -= 4
        face = font("condensed", size_px)
    draw.text((width / 2, height * 0.83), title, font=face, fill=CREAM, anchor="mm")
    billing = font("condensed", max(9, width // 60))
    note = "A REEL VERDICTS DEMO ILLUSTRATION · NOT THE FILM'S POSTER"
    draw.text((width / 2, height * 0.92), note, font=billing, fill=MUTED, anchor="mm")
    return image


def poster_alt(motif: str, title: str, tagline: str) -> str:
    return (
        f"Illustrated poster drawn for the demo, not the film's real one: {MOTIFS[motif]}; "
        f"the title {title} in tall cream capitals at the foot, and the line “{tagline}” at the top."
    )


PORTRAIT_LIGHTS = ["#e0522c", "#3a8fd6", "#d6a23a", "#8a5cd6", "#2fae8a", "#d63a6e"]


def portrait(size, name: str) -> tuple[Image.Image, str]:
    """A head-and-shoulders silhouette lit from behind, in a colour chosen by the name; and its alt text."""
    width, height = size
    light = PORTRAIT_LIGHTS[sum(map(ord, name)) % len(PORTRAIT_LIGHTS)]
    image = _gradient(size, (18, 15, 13), mix(hex_rgb(light), (18, 15, 13), 0.55))
    image = _glow(image, (width * 0.5, height * 0.4), width * 0.45, hex_rgb(light), 0.8)
    draw = ImageDraw.Draw(image)
    cx = width / 2
    draw.ellipse((cx - width * 0.17, height * 0.2, cx + width * 0.17, height * 0.56), fill=(14, 11, 9))
    draw.rectangle((cx - width * 0.08, height * 0.5, cx + width * 0.08, height * 0.68), fill=(14, 11, 9))
    draw.ellipse((cx - width * 0.45, height * 0.64, cx + width * 0.45, height * 1.25), fill=(14, 11, 9))
    image = grain(vignette(image, 0.5), 18, len(name))
    colour = {"#e0522c": "ember", "#3a8fd6": "blue", "#d6a23a": "amber", "#8a5cd6": "violet",
              "#2fae8a": "green", "#d63a6e": "rose"}[light]  # fmt: skip
    return image, (
        f"Placeholder portrait drawn for the demo, not a photograph of {name}: "
        f"a head-and-shoulders silhouette against {colour} light."
    )
