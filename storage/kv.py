"""Small durable values under a key (token pairs, cursors)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from storage.db import Connection
from storage.schema import kv
from storage.sql import insert_ignoring_conflicts, upsert


async def get_value(conn: Connection, key: str) -> Any:
    """The stored value, or None."""
    row = (await conn.execute(select(kv.c.value).where(kv.c.key == key))).first()
    return row[0] if row else None


async def put_value(conn: Connection, key: str, value: Any, now: datetime) -> None:
    """Store or replace a value."""
    await conn.execute(upsert(conn, kv, ["key"]), {"key": key, "value": value, "updated_at": now})


async def lock_value(conn: Connection, key: str, now: datetime) -> Any:
    """The stored value, its row locked until the transaction ends (PostgreSQL: another
    instance asking waits here); the row is made first (holding `{}`) if missing, so there
    is always one to lock."""
    empty = {"key": key, "value": {}, "updated_at": now}
    await conn.execute(insert_ignoring_conflicts(conn, kv), empty)
    row = (
        await conn.execute(select(kv.c.value).where(kv.c.key == key).with_for_update())
    ).first()
    return row[0] if row else None
