"""Column types shared by the schema: UTC datetimes on every engine."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


@cache
def _sqlite_text_datetime() -> type[TypeEngine[Any]]:
    """SQLite's DATETIME column with its own conversions turned off: UTCDateTime converts
    each value once (to and from text) instead of handing it through two layers, which
    cost a few microseconds per value and a step binds and reads dozens of them. The
    column is still DATETIME in the schema; the text is the format SQLite's type writes."""
    from sqlalchemy.dialects.sqlite import DATETIME  # loaded already when SQLite runs

    class TextDateTime(DATETIME):
        def bind_processor(self, dialect: Dialect) -> None:
            return None

        def result_processor(self, dialect: Dialect, coltype: object) -> None:
            return None

    return TextDateTime


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC; SQLite keeps them naive, as text, so tz is attached on
    read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return _sqlite_text_datetime()()
        return super().load_dialect_impl(dialect)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # SQLite's DATETIME text, always with microseconds: "2026-12-05 19:28:51.043307"
            # (the "+00:00" cut: slicing is cheaper than a naive copy of the value).
            return value.isoformat(" ", "microseconds")[:-6]
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str) and len(value) == 26:  # as written above: read as UTC
            return datetime.fromisoformat(value + "+00:00")
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        if moment.tzinfo is UTC:  # asyncpg's timestamptz: nothing to convert
            return moment
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)
