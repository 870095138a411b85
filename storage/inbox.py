"""The inbox: every inbound event, recorded before it is acknowledged."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select, update

from storage.db import Connection
from storage.rows import InboxItem
from storage.schema import inbox
from storage.sql import insert_ignoring_conflicts

# Built once: every event runs these.
_ITEM = select(inbox).where(inbox.c.id == bindparam("item_id"))
_MARK = (
    update(inbox)
    .where(inbox.c.id == bindparam("item_id"))
    .values(status=bindparam("new_status"), handled_at=bindparam("now"))
)


@cache
def _returning_id(statement: Any) -> Any:
    return statement.returning(inbox.c.id)


async def record_inbound(
    conn: Connection,
    channel: str,
    external_id: str,
    sender_id: str,
    payload: dict[str, Any],
    now: datetime,
) -> int | None:
    """Insert the event; None when this (channel, external id) was recorded before."""
    result = await conn.execute(
        _returning_id(insert_ignoring_conflicts(conn, inbox)),
        {
            "channel": channel,
            "external_id": external_id,
            "sender_id": sender_id,
            "payload": payload,
            "received_at": now,
            "status": "pending",
        },
    )
    new_id = result.scalar_one_or_none()
    return int(new_id) if new_id is not None else None


async def pending_inbox(conn: Connection) -> list[InboxItem]:
    """Events recorded but not handled yet (after a restart), oldest first."""
    rows = await conn.execute(select(inbox).where(inbox.c.status == "pending").order_by(inbox.c.id))
    return [InboxItem.model_validate(r) for r in rows]


async def get_inbox_item(conn: Connection, item_id: int) -> InboxItem | None:
    """One inbox row."""
    row = (await conn.execute(_ITEM, {"item_id": item_id})).first()
    return InboxItem.model_validate(row) if row else None


async def mark_handled(conn: Connection, item_id: int, status: str, now: datetime) -> None:
    """Close an inbox row: done, or failed when its handler raised."""
    await conn.execute(_MARK, {"item_id": item_id, "new_status": status, "now": now})


_CLOSE = (
    update(inbox)
    .where(inbox.c.id == bindparam("item_id"), inbox.c.status == "pending")
    .values(status=bindparam("new_status"), handled_at=bindparam("now"))
)


async def close_pending(conn: Connection, item_id: int, status: str, now: datetime) -> bool:
    """Close an inbox row still pending; False when it was handled before (or is unknown)."""
    result = await conn.execute(_CLOSE, {"item_id": item_id, "new_status": status, "now": now})
    return int(result.rowcount) == 1


async def album_parts_pending(
    conn: Connection, channel: str, sender_id: str, group_id: str, except_external_id: str
) -> int:
    """How many other parts of an album (media group) from this sender wait to be handled."""
    rows = await conn.execute(
        select(inbox.c.payload).where(
            inbox.c.channel == channel,
            inbox.c.sender_id == sender_id,
            inbox.c.status == "pending",
            inbox.c.external_id != except_external_id,
        )
    )
    return sum(
        1
        for (payload,) in rows
        if any(a.get("group_id") == group_id for a in payload.get("attachments") or [])
    )
