"""Generated files under the media folder (0600) with random names: bar charts, share cards
and page photos (Pillow), spreadsheets (openpyxl), personal data downloads (JSON). The web
chat serves them through signed links.

Files made for one reader (spreadsheets, charts, downloads, card previews) carry their making
time in their name (`x<epoch>-…`), so that the retention purge deletes them a few hours later
without a table of its own; a card is renamed out of them once published.

Pillow (bot/charts.py, bot/cards.py) and openpyxl (bot/sheets.py) are imported on first use,
in the worker thread: answering a message needs neither, and together they weigh about 10 MB
of memory.
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import secrets
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from bot.files import write_private
from handlers.ports import EXPORT_PREFIX, Sheet, export_made_at


def _save(media_dir: Path, data: bytes, ext: str, prefix: str = "") -> str:
    name = f"{prefix}{secrets.token_urlsafe(16)}.{ext}"
    write_private(media_dir / name, data)
    return name


def mentions(path: Path, needles: Sequence[str]) -> bool:
    """Whether a generated spreadsheet or download contains any of the texts (composed or
    not; in a spreadsheet also as XML entities or character references, which openpyxl
    writes for every non-ASCII letter when lxml is installed)."""
    wanted = [unicodedata.normalize("NFC", n) for n in needles]
    if path.suffix == ".json":
        text = path.read_text(encoding="utf-8", errors="replace")
        return any(n in unicodedata.normalize("NFC", text) for n in wanted)
    if path.suffix != ".xlsx":
        return False
    try:
        with zipfile.ZipFile(path) as book:
            for member in book.namelist():
                if member.endswith(".xml"):
                    raw = book.read(member).decode("utf-8", errors="replace")
                    text = unicodedata.normalize("NFC", html.unescape(raw))
                    if any(n in text for n in wanted):
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

    async def chart_png(self, title: str, subtitle: str, bars: Sequence[tuple[str, int]]) -> str:
        """Render and store a bar chart (temporary)."""
        return await asyncio.to_thread(self._chart, title, subtitle, bars, self._temporary())

    async def workbook_xlsx(self, sheets: Sequence[Sheet]) -> str:
        """Render and store a spreadsheet (temporary)."""
        return await asyncio.to_thread(self._workbook, sheets, self._temporary())

    async def card_jpeg(self, title: str, subtitle: str, story: str, photo: str | None) -> str:
        """Render and store a share card (temporary until kept; the photo is a stored media
        file's name)."""
        return await asyncio.to_thread(
            self._card, title, subtitle, story, photo, self._temporary()
        )

    async def photo_jpeg(self, photo: str, side: int) -> str | None:
        """Render and store a stored photo for a public page; None when it cannot be read."""
        return await asyncio.to_thread(self._photo, photo, side)

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

    # The first import happens here, in the worker thread, not on the event loop.
    def _chart(
        self, title: str, subtitle: str, bars: Sequence[tuple[str, int]], prefix: str
    ) -> str:
        from bot.charts import render_chart

        return _save(self._media_dir, render_chart(title, subtitle, bars), "png", prefix)

    def _workbook(self, sheets: Sequence[Sheet], prefix: str) -> str:
        from bot.sheets import render_workbook

        return _save(self._media_dir, render_workbook(sheets), "xlsx", prefix)

    def _card(self, title: str, subtitle: str, story: str, photo: str | None, prefix: str) -> str:
        from bot.cards import render_card

        path = self._media_dir / photo if photo else None
        return _save(self._media_dir, render_card(title, subtitle, story, path), "jpg", prefix)

    def _photo(self, photo: str, side: int) -> str | None:
        from bot.cards import render_photo

        data = render_photo(self._media_dir / Path(photo).name, side)
        return None if data is None else _save(self._media_dir, data, "jpg")
