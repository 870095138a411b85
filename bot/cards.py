"""Pictures of published exemplars (Pillow): the share card, and the honour page's photo.

The card (1080×1080 JPEG) is what a shared link previews on Zalo and Facebook and what the
public channel posts; the page itself shows the chosen photo once, as a compressed
progressive JPEG sized for a phone.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from bot.charts import BRAND, INK, Font, font, wrap
from bot.web.evidence import MAX_PIXELS, image_size
from handlers.text import keep_whole

CARD_SIZE = 1080
# Photos on the pages are progressive JPEG at this quality: about 60–120 KB at 800 px.
PHOTO_QUALITY = 76
# The card keeps its text crisp: a higher quality and no chroma subsampling (red on cream).
CARD_QUALITY = 88


def picture(photo: bytes | None) -> Image.Image | None:
    """A stored photo (its bytes) decoded, or None when there is none or it is not a readable
    image."""
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


def story_lines(
    draw: ImageDraw.ImageDraw, story: str, face: Font, width: int, room: int
) -> list[str]:
    """The card's story in at most `room` lines of `width` pixels.

    Wrapped at spaces only: a code or a phone number is never cut at its hyphen or space."""
    return wrap(draw, keep_whole(story), face, width, room)


def render_card(
    title: str, subtitle: str, story: str, photo: bytes | None, *, png: bool = False
) -> bytes:
    """A 1080×1080 share card (JPEG): photo on top, the name, the unit, the story's start.

    `png`: the same card as PNG, the format it had before (bench/honour_page.py's baseline)."""
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
    lines = story_lines(draw, story, regular, inner, room)
    draw.multiline_text((60, top + 120), "\n".join(lines), font=regular, fill=INK, spacing=10)
    draw.text((60, size - 70), "Gương Sáng", font=font(30, bold=True), fill=BRAND)
    buffer = io.BytesIO()
    if png:
        image.save(buffer, "PNG", optimize=True)
    else:
        image.save(buffer, "JPEG", quality=CARD_QUALITY, subsampling=0, optimize=True)
    return buffer.getvalue()


def render_photo(photo: bytes, side: int) -> bytes | None:
    """A stored photo for a public page: at most `side` pixels a side, progressive JPEG,
    without metadata; None when it cannot be read."""
    shown = picture(photo)
    if shown is None:
        return None
    shown.thumbnail((side, side))
    buffer = io.BytesIO()
    shown.save(buffer, "JPEG", quality=PHOTO_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()
