"""Bar charts and share cards as PNG (Pillow); loaded only by a process that draws one."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.web.evidence import MAX_PIXELS, image_size

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)
BAR_COLOUR = (179, 38, 30)
INK = (33, 33, 33)
MAX_BARS = 15

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _font(size: int) -> Font:
    """A font with Vietnamese glyphs where the system has one (DejaVu), else Pillow's own."""
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size=size)


def render_chart(title: str, bars: Sequence[tuple[str, int]]) -> bytes:
    """A horizontal bar chart as PNG bytes (the largest values, at most MAX_BARS)."""
    shown = list(bars)[:MAX_BARS]
    title_font, label_font = _font(24), _font(17)
    width, left, row = 900, 330, 34
    height = 80 + row * max(len(shown), 1) + 20
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((20, 20), title, font=title_font, fill=INK)
    top = max((value for _, value in shown), default=0) or 1
    for n, (label, value) in enumerate(shown):
        y = 70 + n * row
        text = label if len(label) <= 34 else label[:33] + "…"
        draw.text((20, y + 6), text, font=label_font, fill=INK)
        length = int((width - left - 80) * value / top)
        draw.rectangle((left, y + 4, left + max(length, 2), y + row - 6), fill=BAR_COLOUR)
        draw.text((left + length + 8, y + 6), str(value), font=label_font, fill=INK)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def render_card(title: str, subtitle: str, story: str, photo: bytes | None) -> bytes:
    """A 1080×1080 share card: photo on top, the name, the unit and a short story."""
    size = 1080
    image = Image.new("RGB", (size, size), (255, 248, 240))
    draw = ImageDraw.Draw(image)
    top = 40
    picture = _picture(photo)
    if picture is not None:
        picture.thumbnail((size - 80, 520))
        image.paste(picture, ((size - picture.width) // 2, top))
        top += picture.height + 30
    draw.rectangle((0, 0, size, 14), fill=BAR_COLOUR)
    draw.text((60, top), title, font=_font(46), fill=BAR_COLOUR)
    draw.text((60, top + 64), subtitle, font=_font(28), fill=INK)
    lines = textwrap.wrap(story, width=52)[: max(1, (size - top - 160) // 38)]
    draw.multiline_text((60, top + 120), "\n".join(lines), font=_font(28), fill=INK, spacing=10)
    draw.text((60, size - 70), "Gương Sáng", font=_font(30), fill=BAR_COLOUR)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _picture(photo: bytes | None) -> Image.Image | None:
    """The photo for a card (a stored file's bytes), or None when there is none or it is not
    a readable image."""
    if photo is None:
        return None
    size = image_size(photo)
    if size is None or size[0] * size[1] > MAX_PIXELS:
        return None  # a bomb never reaches the decoder (evidence is checked at upload too)
    try:
        with Image.open(io.BytesIO(photo)) as source:
            return source.convert("RGB")
    except (OSError, ValueError):
        return None
