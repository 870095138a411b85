"""Generated files: bar charts and share cards (Pillow), spreadsheets (openpyxl), personal
data downloads (JSON).

Files go under the media folder (0600) with random names; the web chat serves them through
signed links. Files made for one reader (spreadsheets, charts, downloads, card previews) carry
their making time in their name (`x<epoch>-…`), so that the retention purge deletes them a few
hours later without a table of its own; a card is renamed out of them once published.
Spreadsheet cells are always text or numbers, never formulas: a nominee's name typed as
`=HYPERLINK(…)` is shown as typed, not run by the official's spreadsheet program.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import secrets
import textwrap
import zipfile
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from PIL import Image, ImageDraw, ImageFont

from bot.files import write_private
from bot.web.evidence import MAX_PIXELS, image_size
from handlers.ports import EXPORT_PREFIX, Sheet, export_made_at

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


def _save(media_dir: Path, data: bytes, ext: str, prefix: str = "") -> str:
    name = f"{prefix}{secrets.token_urlsafe(16)}.{ext}"
    write_private(media_dir / name, data)
    return name


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


def render_card(title: str, subtitle: str, story: str, photo: Path | None) -> bytes:
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


def _picture(photo: Path | None) -> Image.Image | None:
    """The photo for a card, or None when there is none or it is not a readable image."""
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
            for cell in ws[ws.max_row]:
                _as_text(cell)
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


# What spreadsheet programs read as the start of a formula (or of a DDE call) in a cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_text(cell: object) -> None:
    """A string cell stays a string: openpyxl makes "=…" a formula; this makes it text, and
    marks cells that look like formulas as quoted text, so editing them keeps them text."""
    value = getattr(cell, "value", None)
    if isinstance(value, str):
        cell.data_type = "s"  # type: ignore[attr-defined]
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True  # type: ignore[attr-defined]


def mentions(path: Path, needles: Sequence[str]) -> bool:
    """Whether a generated spreadsheet or download contains any of the texts."""
    if path.suffix == ".json":
        text = path.read_text(encoding="utf-8", errors="replace")
        return any(n in text for n in needles)
    if path.suffix != ".xlsx":
        return False
    escaped = [escape(n, {'"': "&quot;"}) for n in needles] + list(needles)
    try:
        with zipfile.ZipFile(path) as book:
            for member in book.namelist():
                if member.endswith(".xml"):
                    text = book.read(member).decode("utf-8", errors="replace")
                    if any(n in text for n in escaped):
                        return True
    except (OSError, zipfile.BadZipFile):
        return True  # unreadable: not worth keeping either
    return False


def _forget(media_dir: Path, needles: Sequence[str]) -> int:
    wanted = [n for n in needles if n]
    if not wanted or not media_dir.is_dir():
        return 0
    gone = 0
    for path in media_dir.iterdir():
        if export_made_at(path.name) is not None and mentions(path, wanted):
            path.unlink(missing_ok=True)
            gone += 1
    return gone


def _rename(media_dir: Path, name: str) -> str:
    if export_made_at(name) is None:
        return name
    kept = f"{secrets.token_urlsafe(16)}{Path(name).suffix}"
    os.replace(media_dir / name, media_dir / kept)
    return kept


class FileDocuments:
    """The Documents port on the local media folder."""

    def __init__(self, media_dir: Path, clock: Callable[[], datetime]) -> None:
        self._media_dir = media_dir
        self._clock = clock

    def _temporary(self) -> str:
        return f"{EXPORT_PREFIX}{int(self._clock().timestamp())}-"

    async def chart_png(self, title: str, bars: Sequence[tuple[str, int]]) -> str:
        """Render and store a bar chart (temporary)."""
        data = await asyncio.to_thread(render_chart, title, bars)
        return await asyncio.to_thread(_save, self._media_dir, data, "png", self._temporary())

    async def workbook_xlsx(self, sheets: Sequence[Sheet]) -> str:
        """Render and store a spreadsheet (temporary)."""
        data = await asyncio.to_thread(render_workbook, sheets)
        return await asyncio.to_thread(_save, self._media_dir, data, "xlsx", self._temporary())

    async def card_png(self, title: str, subtitle: str, story: str, photo: str | None) -> str:
        """Render and store a share card (temporary until kept; the photo is a stored media
        file's name)."""
        path = self._media_dir / photo if photo else None
        data = await asyncio.to_thread(render_card, title, subtitle, story, path)
        return await asyncio.to_thread(_save, self._media_dir, data, "png", self._temporary())

    async def keep(self, name: str) -> str:
        """Rename a temporary file out of the purge's reach (a published card)."""
        return await asyncio.to_thread(_rename, self._media_dir, name)

    async def data_json(self, data: Mapping[str, object]) -> str:
        """Store a personal data download as readable JSON (temporary)."""
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
        return await asyncio.to_thread(_save, self._media_dir, text, "json", self._temporary())

    async def forget(self, texts: Sequence[str]) -> int:
        """Delete temporary spreadsheets and downloads that mention any of the texts."""
        return await asyncio.to_thread(_forget, self._media_dir, list(texts))
