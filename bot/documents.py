"""Generated files: bar charts, share cards and page photos (Pillow), spreadsheets (openpyxl).

Files go under the media folder (0600) with random names; the web chat serves them through
signed links. Spreadsheets carry their making time in their name (`x<epoch>-…`), so that the
retention job can delete them a few hours later without a table of its own.

Pillow (bot/charts.py, bot/cards.py) and openpyxl (bot/sheets.py) are imported on first use,
in the worker thread: answering a message needs neither, and together they weigh about 10 MB
of memory.
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


class FileDocuments:
    """The Documents port on the local media folder."""

    def __init__(self, media_dir: Path, clock: Callable[[], datetime]) -> None:
        self._media_dir = media_dir
        self._clock = clock

    async def chart_png(self, title: str, subtitle: str, bars: Sequence[tuple[str, int]]) -> str:
        """Render and store a bar chart."""
        return await asyncio.to_thread(self._chart, title, subtitle, bars)

    async def workbook_xlsx(self, sheets: Sequence[Sheet]) -> str:
        """Render and store a spreadsheet."""
        prefix = f"{EXPORT_PREFIX}{int(self._clock().timestamp())}-"
        return await asyncio.to_thread(self._workbook, sheets, prefix)

    async def card_jpeg(self, title: str, subtitle: str, story: str, photo: str | None) -> str:
        """Render and store a share card (the photo is a stored media file's name)."""
        return await asyncio.to_thread(self._card, title, subtitle, story, photo)

    async def photo_jpeg(self, photo: str, side: int) -> str | None:
        """Render and store a stored photo for a public page; None when it cannot be read."""
        return await asyncio.to_thread(self._photo, photo, side)

    # The first import happens here, in the worker thread, not on the event loop.
    def _chart(self, title: str, subtitle: str, bars: Sequence[tuple[str, int]]) -> str:
        from bot.charts import render_chart

        return _save(self._media_dir, render_chart(title, subtitle, bars), "png")

    def _workbook(self, sheets: Sequence[Sheet], prefix: str) -> str:
        from bot.sheets import render_workbook

        return _save(self._media_dir, render_workbook(sheets), "xlsx", prefix)

    def _card(self, title: str, subtitle: str, story: str, photo: str | None) -> str:
        from bot.cards import render_card

        path = self._media_dir / photo if photo else None
        return _save(self._media_dir, render_card(title, subtitle, story, path), "jpg")

    def _photo(self, photo: str, side: int) -> str | None:
        from bot.cards import render_photo

        data = render_photo(self._media_dir / Path(photo).name, side)
        return None if data is None else _save(self._media_dir, data, "jpg")
