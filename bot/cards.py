"""Pictures of published exemplars (Pillow): the share card, and the honour page's photo.

The card (1080×1080 PNG) is what a shared link previews on Zalo and Facebook; the page itself
shows the chosen photo once, as a compressed progressive JPEG sized for a phone.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

from bot.charts import BRAND, INK, font, wrap
from bot.web.evidence import MAX_PIXELS, image_size

CARD_SIZE = 1080
# The page's photo: 2.2× a 360 px screen is sharp on most phones, and about 60–120 KB.
PAGE_PHOTO_SIDE = 800
PAGE_PHOTO_QUALITY = 76


def picture(photo: Path | None) -> Image.Image | None:
    """A stored photo decoded, or None when there is none or it is not a readable image."""
    if photo is None or not photo.is_file():
        return None
    size = image_size(photo.read_bytes())
    if size is None or size[0] * size[1] > MAX_PIXELS:
        return None  # a bomb never reaches the decoder (evidence is checked at upload too)
    try:
        with Image.open(photo) as source:
            return source.convert("RGB")
    except (OSError, ValueError):
        return None


def render_card(title: str, subtitle: str, story: str, photo: Path | None) -> bytes:
    """A 1080×1080 share card: photo on top, the name, the unit and the story's beginning."""
    size = CARD_SIZE
    image = Image.new("RGB", (size, size), (255, 248, 240))
    draw = ImageDraw.Draw(image)
    top = 40
    shown = picture(photo)
    if shown is not None:
        shown.thumbnail((size - 80, 520))
        image.paste(shown, ((size - shown.width) // 2, top))
        top += shown.height + 30
    draw.rectangle((0, 0, size, 14), fill=BRAND)
    inner = size - 120
    heading, regular = font(46, bold=True), font(28)
    draw.text((60, top), "".join(wrap(draw, title, heading, inner, 1)), font=heading, fill=BRAND)
    sub = "".join(wrap(draw, subtitle, regular, inner, 1))
    draw.text((60, top + 64), sub, font=regular, fill=INK)
    room = max(1, (size - top - 160 - 120) // 38)
    # Wrapped at spaces only: a code or a phone number is never cut at its hyphen or space.
    lines = wrap(draw, story, regular, inner, room)
    draw.multiline_text((60, top + 120), "\n".join(lines), font=regular, fill=INK, spacing=10)
    draw.text((60, size - 70), "Gương Sáng", font=font(30, bold=True), fill=BRAND)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def render_page_photo(photo: Path) -> bytes | None:
    """The honour page's photo: at most PAGE_PHOTO_SIDE a side, progressive JPEG, no metadata."""
    shown = picture(photo)
    if shown is None:
        return None
    shown.thumbnail((PAGE_PHOTO_SIDE, PAGE_PHOTO_SIDE))
    buffer = io.BytesIO()
    shown.save(buffer, "JPEG", quality=PAGE_PHOTO_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()
