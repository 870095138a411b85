"""The inbox: every inbound event, recorded before it is acknowledged."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, literal_column, select, update

from storage.db import Connection
from storage.rows import InboxItem
from storage.schema import inbox
from storage.sql import insert_ignoring_conflicts

# Built once: every event runs these.
_ITEM = select(inbox).where(inbox.c.id == bindparam("item_id"))


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


async def pending_inbox(conn: Connection, before: datetime | None = None) -> list[InboxItem]:
    """Events recorded but not handled yet, oldest first; only those received before
    `before` when given (left by an instance that died)."""
    statement = select(inbox).where(inbox.c.status == "pending").order_by(inbox.c.id)
    if before is not None:
        statement = statement.where(inbox.c.received_at < before)
    return [InboxItem.model_validate(r) for r in await conn.execute(statement)]


async def get_inbox_item(conn: Connection, item_id: int) -> InboxItem | None:
    """One inbox row."""
    row = (await conn.execute(_ITEM, {"item_id": item_id})).first()
    return InboxItem.model_validate(row) if row else None


_PENDING = inbox.alias("pending")
# The sender's oldest event still pending, up to a given one. FOR UPDATE (PostgreSQL): another
# instance's step for the same sender waits for this one's commit, then finds the next.
_NEXT = (
    select(_PENDING.c.id)
    .where(
        _PENDING.c.channel == bindparam("on_channel"),
        _PENDING.c.sender_id == bindparam("sender"),
        _PENDING.c.status == literal_column("'pending'"),
        _PENDING.c.id <= bindparam("upto"),
    )
    .order_by(_PENDING.c.id)
    .limit(1)
    .with_for_update()
)
CLOSE_NEXT = (
    update(inbox)
    .where(inbox.c.id == _NEXT.scalar_subquery())
    .values(status="done", handled_at=bindparam("now"))
    .returning(inbox.c.id)
)


async def close_next(
    conn: Connection, channel: str, sender_id: str, upto: int, now: datetime
) -> int | None:
    """Close the sender's oldest pending event up to `upto`, in the caller's transaction (a
    rollback reopens it); its id, or None when none is left (handled elsewhere meanwhile).

    Whichever instance recorded a sender's events, they are handled in the order they were
    recorded: a step for a later one first takes the earlier ones still pending.
    """
    result = await conn.execute(
        CLOSE_NEXT, {"on_channel": channel, "sender": sender_id, "upto": upto, "now": now}
    )
    found = result.scalar_one_or_none()
    return int(found) if found is not None else None


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
