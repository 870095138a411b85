"""Generated files: bar charts, share cards and page photos (Pillow), spreadsheets (openpyxl).

Files go under the media folder (0600) with random names; the web chat serves them through
signed links. Spreadsheets carry their making time in their name (`x<epoch>-…`), so that the
retention job can delete them a few hours later without a table of its own.

Pillow and openpyxl are imported only when a file is made (bot/charts.py, bot/cards.py,
bot/sheets.py): answering a message never loads them.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from bot.files import write_private
from handlers.ports import EXPORT_PREFIX, Sheet


def _save(media_dir: Path, data: bytes, ext: str, prefix: str = "") -> str:
    name = f"{prefix}{secrets.token_urlsafe(16)}.{ext}"
    write_private(media_dir / name, data)
    return name


def render_workbook(sheets: Sequence[Sheet]) -> bytes:
    """An .xlsx of these sheets (bot/sheets.py), loading openpyxl on first use."""
    from bot.sheets import render_workbook as render

    return render(sheets)


def _chart(title: str, subtitle: str, bars: Sequence[tuple[str, int]]) -> bytes:
    from bot.charts import render_chart

    return render_chart(title, subtitle, bars)


def _card(title: str, subtitle: str, story: str, photo: Path | None) -> bytes:
    from bot.cards import render_card

    return render_card(title, subtitle, story, photo)


def _photo(photo: Path, side: int) -> bytes | None:
    from bot.cards import render_photo

    return render_photo(photo, side)


class FileDocuments:
    """The Documents port on the local media folder."""

    def __init__(self, media_dir: Path, clock: Callable[[], datetime]) -> None:
        self._media_dir = media_dir
        self._clock = clock

    async def chart_png(self, title: str, subtitle: str, bars: Sequence[tuple[str, int]]) -> str:
        """Render and store a bar chart."""
        data = await asyncio.to_thread(_chart, title, subtitle, bars)
        return await asyncio.to_thread(_save, self._media_dir, data, "png")

    async def workbook_xlsx(self, sheets: Sequence[Sheet]) -> str:
        """Render and store a spreadsheet."""
        data = await asyncio.to_thread(render_workbook, sheets)
        made = int(self._clock().timestamp())
        prefix = f"{EXPORT_PREFIX}{made}-"
        return await asyncio.to_thread(_save, self._media_dir, data, "xlsx", prefix)

    async def card_jpeg(self, title: str, subtitle: str, story: str, photo: str | None) -> str:
        """Render and store a share card (the photo is a stored media file's name)."""
        path = self._media_dir / photo if photo else None
        data = await asyncio.to_thread(_card, title, subtitle, story, path)
        return await asyncio.to_thread(_save, self._media_dir, data, "jpg")

    async def photo_jpeg(self, photo: str, side: int) -> str | None:
        """Render and store a stored photo for a public page; None when it cannot be read."""
        data = await asyncio.to_thread(_photo, self._media_dir / Path(photo).name, side)
        if data is None:
            return None
        return await asyncio.to_thread(_save, self._media_dir, data, "jpg")
