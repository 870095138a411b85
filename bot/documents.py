"""Generated files in the media store (bot/media.py) under random names: bar charts, share
cards and page photos (Pillow), spreadsheets (openpyxl), personal data downloads (JSON). The
web chat serves them through signed links.

Files made for one reader (spreadsheets, charts, downloads, card previews) carry their making
time in their name (`x<epoch>-…`), so that the retention purge deletes them a few hours later
without a table of its own; a card is stored again under a lasting name once published.

Pillow (bot/charts.py, bot/cards.py) and openpyxl (bot/sheets.py) are imported on first use,
in the worker thread: answering a message needs neither, and together they weigh about 10 MB
of memory.
"""

from __future__ import annotations

import asyncio
import html
import io
import json
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import PurePath

from handlers.ports import EXPORT_PREFIX, Media, Sheet, export_made_at

# Files a reader asked for that may name people (the erasure looks through them).
_READABLE = (".xlsx", ".json")


def mentions(name: str, data: bytes, needles: Sequence[str]) -> bool:
    """Whether a generated spreadsheet or download contains any of the texts (composed or
    not; in a spreadsheet also as XML entities or character references, which openpyxl
    writes for every non-ASCII letter when lxml is installed)."""
    wanted = [unicodedata.normalize("NFC", n) for n in needles]
    suffix = PurePath(name).suffix
    if suffix == ".json":
        text = data.decode("utf-8", errors="replace")
        return any(n in unicodedata.normalize("NFC", text) for n in wanted)
    if suffix != ".xlsx":
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            for member in book.namelist():
                if member.endswith(".xml"):
                    raw = book.read(member).decode("utf-8", errors="replace")
                    text = unicodedata.normalize("NFC", html.unescape(raw))
                    if any(n in text for n in wanted):
                        return True
    except (OSError, zipfile.BadZipFile):
        return True  # unreadable: not worth keeping either
    return False


class FileDocuments:
    """The Documents port: renders files and keeps them in the media store."""

    def __init__(self, media: Media, clock: Callable[[], datetime]) -> None:
        self._media = media
        self._clock = clock

    def _temporary(self) -> str:
        return f"{EXPORT_PREFIX}{int(self._clock().timestamp())}-"

    async def chart_png(self, title: str, subtitle: str, bars: Sequence[tuple[str, int]]) -> str:
        """Render and store a bar chart (temporary)."""
        data = await asyncio.to_thread(_chart, title, subtitle, bars)
        return await self._media.put(data, "png", self._temporary())

    async def workbook_xlsx(self, sheets: Sequence[Sheet]) -> str:
        """Render and store a spreadsheet (temporary)."""
        data = await asyncio.to_thread(_workbook, sheets)
        return await self._media.put(data, "xlsx", self._temporary())

    async def card_jpeg(self, title: str, subtitle: str, story: str, photo: str | None) -> str:
        """Render and store a share card (temporary until kept; the photo is a stored media
        file's name)."""
        picture = await self._media.read(photo) if photo else None
        data = await asyncio.to_thread(_card, title, subtitle, story, picture)
        return await self._media.put(data, "jpg", self._temporary())

    async def photo_jpeg(self, photo: str, side: int) -> str | None:
        """Render and store a stored photo for a public page; None when it cannot be read."""
        stored = await self._media.read(photo)
        data = await asyncio.to_thread(_photo, stored, side) if stored is not None else None
        return None if data is None else await self._media.put(data, "jpg")

    async def keep(self, name: str) -> str:
        """Store a temporary file again under a lasting name, out of the purge's reach (a
        published card); the store has no rename, and a card is small."""
        if export_made_at(name) is None:
            return name
        data = await self._media.read(name)
        if data is None:
            return name
        kept = await self._media.put(data, PurePath(name).suffix.lstrip("."))
        await self._media.delete(name)
        return kept

    async def data_json(self, data: Mapping[str, object]) -> str:
        """Store a personal data download as readable JSON (temporary)."""
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
        return await self._media.put(text, "json", self._temporary())

    async def forget(self, texts: Sequence[str]) -> int:
        """Delete temporary spreadsheets and downloads that mention any of the texts."""
        wanted = [n for n in texts if n]
        if not wanted:
            return 0
        gone = 0
        for suffix in _READABLE:
            for name in await self._media.names(suffix):
                if export_made_at(name) is None:
                    continue
                data = await self._media.read(name)
                if data is not None and await asyncio.to_thread(mentions, name, data, wanted):
                    await self._media.delete(name)
                    gone += 1
        return gone


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
