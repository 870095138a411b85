"""Generated files: bar charts and share cards (Pillow), spreadsheets (openpyxl).

Files go under the media folder (0600) with random names; the web chat serves them through
signed links. Spreadsheets carry their making time in their name (`x<epoch>-…`), so that the
retention job can delete them a few hours later without a table of its own.
"""

from __future__ import annotations

import asyncio
import io
import textwrap
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from PIL import Image, ImageDraw, ImageFont

from bot.web.evidence import MAX_PIXELS, image_size
from handlers.ports import EXPORT_PREFIX, Media, Sheet

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
    """The photo for a card, or None when there is none or it is not a readable image."""
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


def render_workbook(sheets: Sequence[Sheet]) -> bytes:
    """An .xlsx with one filterable table per sheet; datetimes become real date cells."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for n, sheet in enumerate(sheets, start=1):
        title = _sheet_title(sheet.title, used)
        ws = book.create_sheet(title)
        ws.append(list(sheet.headers))
        for row in sheet.rows:
            ws.append([_cell(v) for v in row])
        for column, header in enumerate(sheet.headers, start=1):
            letter = get_column_letter(column)
            ws.column_dimensions[letter].width = max(12, min(50, len(header) + 4))
            for cell in ws[letter][1:]:
                if isinstance(cell.value, datetime):
                    cell.number_format = "dd/mm/yyyy hh:mm"
        if sheet.rows:
            ref = f"A1:{get_column_letter(len(sheet.headers))}{len(sheet.rows) + 1}"
            table = Table(displayName=f"Bang{n}", ref=ref)
            table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
            ws.add_table(table)
        else:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.headers))}1"
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique in the book.
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:28] or "Sheet"
    candidate, n = clean, 2
    while candidate in used:
        candidate, n = f"{clean} {n}", n + 1
    used.add(candidate)
    return candidate


def _cell(value: object) -> object:
    # Excel has no time zones: dates are written as the local wall-clock time, naive.
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


class FileDocuments:
    """The Documents port: renders files and keeps them in the media store."""

    def __init__(self, media: Media, clock: Callable[[], datetime]) -> None:
        self._media = media
        self._clock = clock

    async def chart_png(self, title: str, bars: Sequence[tuple[str, int]]) -> str:
        """Render and store a bar chart."""
        data = await asyncio.to_thread(render_chart, title, bars)
        return await self._media.put(data, "png")

    async def workbook_xlsx(self, sheets: Sequence[Sheet]) -> str:
        """Render and store a spreadsheet."""
        data = await asyncio.to_thread(render_workbook, sheets)
        made = int(self._clock().timestamp())
        return await self._media.put(data, "xlsx", f"{EXPORT_PREFIX}{made}-")

    async def card_png(self, title: str, subtitle: str, story: str, photo: str | None) -> str:
        """Render and store a share card (the photo is a stored media file's name)."""
        picture = await self._media.read(photo) if photo else None
        data = await asyncio.to_thread(render_card, title, subtitle, story, picture)
        return await self._media.put(data, "png")
