"""Ports the core needs from the composition root: where files live, and making files
(charts, spreadsheets).

The core may not import Pillow or openpyxl (ARCHITECTURE.md); bot/media.py and
bot/documents.py implement these protocols and the Application puts them in CoreConfig.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

Cell = str | int | float | datetime | None
# Files made for one reader (spreadsheets, charts, data downloads, card previews) are stored
# as "x<epoch seconds of making>-<random>.<ext>": the retention purge reads their age from
# the name and deletes them after EXPORT_RETENTION_HOURS.
EXPORT_PREFIX = "x"


def export_made_at(name: str) -> datetime | None:
    """When a temporary file named by the Documents port was made; None for other files."""
    stamp, dash, _ = name.partition("-")
    if not (stamp.startswith(EXPORT_PREFIX) and dash):
        return None
    digits = stamp[len(EXPORT_PREFIX) :]
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 12:
        return None
    return datetime.fromtimestamp(int(digits), UTC)


# The media type of every spreadsheet the bot makes (exports, downloads, the console's files).
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a title, a header row and rows; datetimes are written as dates."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]] = field(default_factory=list)
    # Lines printed above the table (what it is, of which unit and period, made when and by
    # whom); the first is the title.
    heading: Sequence[str] = ()


@runtime_checkable
class Media(Protocol):
    """The bot's files (evidence, charts, spreadsheets, cards) under generated names, in one
    store every instance sees (a shared folder today; object storage could follow)."""

    async def put(self, data: bytes, ext: str, prefix: str = "") -> str:
        """Store a new file (readable by the bot's user only); its generated name."""
        ...

    async def read(self, name: str) -> bytes | None:
        """A stored file's bytes; None when there is none by that name."""
        ...

    async def exists(self, name: str) -> bool:
        """Whether a file by that name is stored."""
        ...

    async def delete(self, name: str) -> None:
        """Remove a file (nothing when it is gone already)."""
        ...

    async def names(self, suffix: str) -> list[str]:
        """Names of the stored files ending in `suffix` (the retention job)."""
        ...


@runtime_checkable
class Documents(Protocol):
    """Writes generated files under the media folder; returns the stored file's name."""

    async def chart_png(self, title: str, subtitle: str, bars: Sequence[tuple[str, int]]) -> str:
        """A horizontal bar chart drawn for a phone."""
        ...

    async def workbook_xlsx(self, sheets: Sequence[Sheet]) -> str:
        """A spreadsheet, one sheet per entry, each a filterable table."""
        ...

    async def card_jpeg(self, title: str, subtitle: str, story: str, photo: str | None) -> str:
        """A ready-to-share image card (a temporary file until kept); `photo` is a stored
        file's name."""
        ...

    async def keep(self, name: str) -> str:
        """A temporary file kept for good (a card once published): its new name."""
        ...

    async def data_json(self, data: Mapping[str, object]) -> str:
        """A personal data download as a JSON file (temporary)."""
        ...

    async def forget(self, texts: Sequence[str]) -> int:
        """Delete the temporary files (spreadsheets, downloads) that mention any of the texts
        (an erased member's name or phone); how many went."""
        ...

    async def photo_jpeg(self, photo: str, side: int) -> str | None:
        """A stored photo for a public page: compressed JPEG at most `side` pixels a side;
        None when it cannot be read."""
        ...
