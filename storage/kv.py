"""Small durable values under a key (token pairs, cursors)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from storage.db import Connection
from storage.schema import kv
from storage.sql import upsert


async def get_value(conn: Connection, key: str) -> Any:
    """The stored value, or None."""
    row = (await conn.execute(select(kv.c.value).where(kv.c.key == key))).first()
    return row[0] if row else None


async def put_value(conn: Connection, key: str, value: Any, now: datetime) -> None:
    """Store or replace a value."""
    await conn.execute(upsert(conn, kv, ["key"]), {"key": key, "value": value, "updated_at": now})
