"""The audit trail: who did what, when and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select

from storage.db import Connection
from storage.rows import Row
from storage.schema import audit_log, memberships, people
from storage.scoping import Subtrees


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


class Entry(Row):
    """One line of the audit log, with the actor's name."""

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    action: str
    object_type: str
    object_id: int | None
    detail: dict[str, Any]


async def entries(
    conn: Connection,
    *,
    actors_in: Subtrees,
    action: str | None,
    since: datetime | None,
    until: datetime | None,
    offset: int,
    limit: int,
) -> tuple[list[Entry], int]:
    """A page of the log, newest first, and how many entries match: every entry for a
    scope of every unit, else the entries of people holding a role in the scope."""
    where: list[ColumnElement[bool]] = []
    inside = actors_in.condition(conn, memberships.c.unit_id)
    if inside is not None:
        where.append(audit_log.c.actor_id.in_(select(memberships.c.person_id).where(inside)))
    if action:
        where.append(audit_log.c.action == action)
    if since is not None:
        where.append(audit_log.c.at >= since)
    if until is not None:
        where.append(audit_log.c.at < until)
    total = int(
        (await conn.execute(select(func.count()).select_from(audit_log).where(*where))).scalar_one()
    )
    rows = await conn.execute(
        select(
            audit_log.c.id,
            audit_log.c.at,
            audit_log.c.actor_id,
            people.c.full_name.label("actor_name"),
            audit_log.c.action,
            audit_log.c.object_type,
            audit_log.c.object_id,
            audit_log.c.detail,
        )
        .outerjoin(people, people.c.id == audit_log.c.actor_id)
        .where(*where)
        .order_by(audit_log.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [Entry.model_validate(r) for r in rows], total


async def actions(conn: Connection) -> list[str]:
    """Every kind of entry the log holds (the filter's choices)."""
    rows = await conn.execute(select(audit_log.c.action).distinct().order_by(audit_log.c.action))
    return [str(r[0]) for r in rows]
