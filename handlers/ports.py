"""Ports the core needs from the composition root: where files live, and making files
(charts, spreadsheets).

The core may not import Pillow or openpyxl (ARCHITECTURE.md); bot/media.py and
bot/documents.py implement these protocols and the Application puts them in CoreConfig.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

Cell = str | int | float | datetime | None
# Spreadsheets are stored as "x<epoch seconds of making>-<random>.xlsx": the retention job
# reads their age from the name.
EXPORT_PREFIX = "x"


def export_made_at(name: str) -> datetime | None:
    """When a spreadsheet named by the Documents port was made; None for other files."""
    stamp, dash, _ = name.partition("-")
    if not (stamp.startswith(EXPORT_PREFIX) and dash and name.endswith(".xlsx")):
        return None
    digits = stamp[len(EXPORT_PREFIX) :]
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 12:
        return None
    return datetime.fromtimestamp(int(digits), UTC)


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
        """A ready-to-share image card; `photo` is a stored file's name."""
        ...

    async def photo_jpeg(self, photo: str, side: int) -> str | None:
        """A stored photo for a public page: compressed JPEG at most `side` pixels a side;
        None when it cannot be read."""
        ...
