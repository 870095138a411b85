"""Generated files: bar charts, share cards and page photos (Pillow), spreadsheets (openpyxl).

Files are kept in the media store (bot/media.py) under random names; the web chat serves them
through signed links. Spreadsheets carry their making time in their name (`x<epoch>-…`), so
that the retention job can delete them a few hours later without a table of its own.

Pillow (bot/charts.py, bot/cards.py) and openpyxl (bot/sheets.py) are imported on first use,
in the worker thread: answering a message needs neither, and together they weigh about 10 MB
of memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime

from handlers.ports import EXPORT_PREFIX, Media, Sheet


class FileDocuments:
    """The Documents port: renders files and keeps them in the media store."""

    def __init__(self, media: Media, clock: Callable[[], datetime]) -> None:
        self._media = media
        self._clock = clock

    async def chart_png(self, title: str, subtitle: str, bars: Sequence[tuple[str, int]]) -> str:
        """Render and store a bar chart."""
        data = await asyncio.to_thread(_chart, title, subtitle, bars)
        return await self._media.put(data, "png")

    async def workbook_xlsx(self, sheets: Sequence[Sheet]) -> str:
        """Render and store a spreadsheet."""
        made = int(self._clock().timestamp())
        data = await asyncio.to_thread(_workbook, sheets)
        return await self._media.put(data, "xlsx", f"{EXPORT_PREFIX}{made}-")

    async def card_jpeg(self, title: str, subtitle: str, story: str, photo: str | None) -> str:
        """Render and store a share card (the photo is a stored media file's name)."""
        picture = await self._media.read(photo) if photo else None
        data = await asyncio.to_thread(_card, title, subtitle, story, picture)
        return await self._media.put(data, "jpg")

    async def photo_jpeg(self, photo: str, side: int) -> str | None:
        """Render and store a stored photo for a public page; None when it cannot be read."""
        stored = await self._media.read(photo)
        data = await asyncio.to_thread(_photo, stored, side) if stored is not None else None
        return None if data is None else await self._media.put(data, "jpg")


# The first import happens here, in the worker thread, not on the event loop.
def _chart(title: str, subtitle: str, bars: Sequence[tuple[str, int]]) -> bytes:
    from bot.charts import render_chart

    return render_chart(title, subtitle, bars)


def _workbook(sheets: Sequence[Sheet]) -> bytes:
    from bot.sheets import render_workbook

    return render_workbook(sheets)


def _card(title: str, subtitle: str, story: str, photo: bytes | None) -> bytes:
    from bot.cards import render_card

    return render_card(title, subtitle, story, photo)


def _photo(photo: bytes, side: int) -> bytes | None:
    from bot.cards import render_photo

    return render_photo(photo, side)
