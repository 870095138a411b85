"""The audit trail: who did what, when and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from storage.db import Connection
from storage.schema import audit_log


async def record(
    conn: Connection,
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: int | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one entry, in the transaction of the action it records."""
    await conn.execute(
        audit_log.insert().values(
            at=at,
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            detail=detail or {},
        )
    )


async def count_recent(
    conn: Connection, *, action: str, object_type: str, object_id: int, since: datetime
) -> int:
    """How many entries of an action on one object since a time (attempt limits)."""
    query = (
        select(func.count())
        .select_from(audit_log)
        .where(
            audit_log.c.action == action,
            audit_log.c.object_type == object_type,
            audit_log.c.object_id == object_id,
            audit_log.c.at >= since,
        )
    )
    return int((await conn.execute(query)).scalar_one())


async def count_action_since(conn: Connection, action: str, since: datetime) -> int:
    """How many entries of an action since a time, on any object (limits across accounts)."""
    query = (
        select(func.count())
        .select_from(audit_log)
        .where(audit_log.c.action == action, audit_log.c.at >= since)
    )
    return int((await conn.execute(query)).scalar_one())
