"""Fixed-window counters in the database, so that limits hold across instances."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam, case, delete, func, select

from storage.db import Connection
from storage.schema import rate_windows
from storage.sql import dialect_insert
from storage.types import UTCDateTime

_NOW = bindparam("now", type_=UTCDateTime())
_FLOOR = bindparam("floor", type_=UTCDateTime())


@cache
def _upsert(dialect: str) -> Any:
    statement = dialect_insert(dialect, rate_windows).values(
        key=bindparam("the_key"), window_start=_NOW, count=1
    )
    # SET sees the row as it was: both columns test the same old window start.
    still_open = rate_windows.c.window_start > _FLOOR
    return statement.on_conflict_do_update(
        index_elements=[rate_windows.c.key],
        set_={
            "count": case((still_open, rate_windows.c.count + 1), else_=1),
            "window_start": case((still_open, rate_windows.c.window_start), else_=_NOW),
        },
    ).returning(rate_windows.c.count)


async def hit(conn: Connection, key: str, window: timedelta, now: datetime) -> int:
    """Count one more event under `key` in its current window; the count so far."""
    result = await conn.execute(
        _upsert(conn.dialect.name), {"the_key": key, "now": now, "floor": now - window}
    )
    return int(result.scalar_one())


async def purge_windows(conn: Connection, before: datetime) -> int:
    """Forget windows that began before a time."""
    result = await conn.execute(delete(rate_windows).where(rate_windows.c.window_start < before))
    return int(result.rowcount)


async def count_windows(conn: Connection, before: datetime) -> int:
    """Windows that began before a time (what the purge would forget)."""
    started = rate_windows.c.window_start < before
    query = select(func.count()).select_from(rate_windows).where(started)
    return int((await conn.execute(query)).scalar_one())
