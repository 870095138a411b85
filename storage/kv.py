"""Small durable values under a key (token pairs, cursors)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update

from storage.db import Connection
from storage.prepared import Prepared
from storage.schema import kv


async def get_value(conn: Connection, key: str) -> Any:
    """The stored value, or None."""
    row = (await conn.execute(select(kv.c.value).where(kv.c.key == key))).first()
    return row[0] if row else None


_PUT = Prepared(
    update(kv).where(kv.c.key == bindparam("the_key")).values(updated_at=bindparam("now"))
)


async def put_value(conn: Connection, key: str, value: Any, now: datetime) -> None:
    """Store or replace a value."""
    result = await conn.run(_PUT, {"the_key": key, "value": value, "now": now})
    if result.rowcount == 0:
        await conn.execute(kv.insert().values(key=key, value=value, updated_at=now))
