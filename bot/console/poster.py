"""Invite posters: a QR code that opens the chat app with the invite (segno), the code in large
letters, the unit's name and what to do, as PNG or as PDF (Pillow writes PDF), one poster a
page or a sheet of six cards to cut apart.

Where each QR code leads: bot/console/invite_links.py. Pillow and segno are imported only by
the process that draws a poster (bot/console/invites.py imports this module when asked).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from PIL import Image, ImageDraw

from bot.charts import BRAND, INK, Font, font
from handlers.messages import t

# A4 at 150 dots per inch.
PAGE = (1240, 1754)
DPI = 150


@dataclass(frozen=True)
class Poster:
    """One invite on paper."""

    code: str
    unit: str
    role: str
    until: str
    link: str
    carries_code: bool
    app: str


def spaced(code: str) -> str:
    """ABCD EFGH JKLM: the code in groups of four, easier to read and type."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def qr_image(link: str, size: int) -> Image.Image:
    """The QR code of a link, about `size` pixels a side, quiet zone included."""
    code = segno.make(link, error="m", micro=False)
    modules = code.symbol_size(scale=1, border=4)[0]
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=max(1, size // modules), border=4)
    buffer.seek(0)
    with Image.open(buffer) as image:
        return image.convert("RGB")


def _centred(
    draw: ImageDraw.ImageDraw,
    y: int,
    text: str,
    font: Font,
    width: int,
    x0: int = 0,
    fill: tuple[int, int, int] = INK,
) -> int:
    """Draw a line centred between x0 and x0 + width; the y below it."""
    left, top, right, bottom = (int(v) for v in draw.textbbox((0, 0), text, font=font))
    draw.text((x0 + (width - (right - left)) // 2, y), text, font=font, fill=fill)
    return y + (bottom - top) + 12


def _instruction(poster: Poster) -> str:
    key = "console.poster.scan_filled" if poster.carries_code else "console.poster.scan_type"
    return t(key, app=t(f"console.app.{poster.app}"))


def render_page(poster: Poster) -> Image.Image:
    """A full A4 poster."""
    width, height = PAGE
    image = Image.new("RGB", PAGE, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 150), fill=BRAND)
    _centred(draw, 40, t("console.poster.brand"), font(64, bold=True), width, fill=(255, 255, 255))
    y = 200
    y = _centred(draw, y, t("console.poster.headline"), font(46, bold=True), width, fill=BRAND)
    for line in textwrap.wrap(poster.unit, 30)[:3]:
        y = _centred(draw, y, line, font(52, bold=True), width)
    qr = qr_image(poster.link, 700)
    image.paste(qr, ((width - qr.width) // 2, y + 20))
    y += qr.height + 50
    for line in textwrap.wrap(_instruction(poster), 44):
        y = _centred(draw, y, line, font(34), width)
    y = _centred(draw, y + 10, spaced(poster.code), font(96, bold=True), width, fill=BRAND)
    role = t("console.poster.role", role=t(f"role.{poster.role}"), until=poster.until)
    _centred(draw, y + 10, role, font(30), width)
    _centred(draw, height - 80, t("console.poster.footer"), font(26), width)
    return image


def render_card(poster: Poster, size: tuple[int, int]) -> Image.Image:
    """A small card of the sheet: the QR, the unit and the code."""
    width, height = size
    card = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, width - 1, height - 1), outline=(150, 150, 150), width=2)
    y = _centred(draw, 18, t("console.poster.brand"), font(30, bold=True), width, fill=BRAND)
    for line in textwrap.wrap(poster.unit, 26)[:2]:
        y = _centred(draw, y, line, font(26, bold=True), width)
    qr = qr_image(poster.link, 300)
    card.paste(qr, ((width - qr.width) // 2, y))
    y += qr.height + 6
    y = _centred(draw, y, spaced(poster.code), font(40, bold=True), width, fill=BRAND)
    for line in textwrap.wrap(_instruction(poster), 40)[:3]:
        y = _centred(draw, y, line, font(18), width)
    return card


def render_sheet(posters: Sequence[Poster]) -> list[Image.Image]:
    """A4 pages of six cards each (two across, three down)."""
    pages = []
    cell = (PAGE[0] // 2, PAGE[1] // 3)
    for start in range(0, len(posters), 6):
        page = Image.new("RGB", PAGE, "white")
        for n, poster in enumerate(posters[start : start + 6]):
            page.paste(render_card(poster, cell), ((n % 2) * cell[0], (n // 2) * cell[1]))
        pages.append(page)
    return pages


def png(poster: Poster) -> bytes:
    """One poster as PNG."""
    buffer = io.BytesIO()
    render_page(poster).save(buffer, "PNG", optimize=True, dpi=(DPI, DPI))
    return buffer.getvalue()


def pdf(posters: Sequence[Poster], *, sheet: bool) -> bytes:
    """Posters as one PDF: a poster a page, or sheets of six cards."""
    pages = render_sheet(posters) if sheet else [render_page(p) for p in posters]
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:], resolution=DPI)
    return buffer.getvalue()
