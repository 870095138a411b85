"""Decisions that can still be undone: made, held until they stand, or undone."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from storage.db import Connection
from storage.rows import Row
from storage.schema import decisions


class Decision(Row):
    """A decision another person will see, and until when its maker may undo it."""

    id: int
    kind: str
    actor_id: int
    object_id: int
    label: str
    detail: dict[str, Any]
    batch: str
    made_at: datetime
    undo_until: datetime
    undone_at: datetime | None


async def record(
    conn: Connection,
    *,
    kind: str,
    actor_id: int,
    object_id: int,
    label: str,
    detail: dict[str, Any],
    batch: str,
    now: datetime,
    undo_until: datetime,
) -> Decision:
    """Keep a decision just made; its held messages carry `batch`."""
    result = await conn.execute(
        decisions.insert()
        .values(
            kind=kind,
            actor_id=actor_id,
            object_id=object_id,
            label=label[:200],
            detail=detail,
            batch=batch,
            made_at=now,
            undo_until=undo_until,
        )
        .returning(*decisions.c)
    )
    return Decision.model_validate(result.one())


async def get(conn: Connection, decision_id: int) -> Decision | None:
    """One decision."""
    row = (await conn.execute(select(decisions).where(decisions.c.id == decision_id))).first()
    return Decision.model_validate(row) if row else None


async def latest_undoable(
    conn: Connection,
    actor_id: int,
    now: datetime,
    *,
    kinds: Collection[str] = (),
    object_id: int | None = None,
) -> Decision | None:
    """The person's latest decision still within its undo window and not undone (of these
    kinds, on this object, when given)."""
    query = select(decisions).where(
        decisions.c.actor_id == actor_id,
        decisions.c.undo_until > now,
        decisions.c.undone_at.is_(None),
    )
    if kinds:
        query = query.where(decisions.c.kind.in_(list(kinds)))
    if object_id is not None:
        query = query.where(decisions.c.object_id == object_id)
    row = (await conn.execute(query.order_by(decisions.c.id.desc()).limit(1))).first()
    return Decision.model_validate(row) if row else None


async def mark_undone(conn: Connection, decision_id: int, now: datetime) -> bool:
    """Mark a decision undone, once and only within its window (False otherwise)."""
    result = await conn.execute(
        update(decisions)
        .where(
            decisions.c.id == decision_id,
            decisions.c.undone_at.is_(None),
            decisions.c.undo_until > now,
        )
        .values(undone_at=now)
    )
    return result.rowcount == 1


async def latest_for(conn: Connection, kind: str, object_id: int) -> Decision | None:
    """The latest decision of a kind on an object that was not undone."""
    row = (
        await conn.execute(
            select(decisions)
            .where(
                decisions.c.kind == kind,
                decisions.c.object_id == object_id,
                decisions.c.undone_at.is_(None),
            )
            .order_by(decisions.c.id.desc())
            .limit(1)
        )
    ).first()
    return Decision.model_validate(row) if row else None


async def of_batch(conn: Connection, batch: str) -> Decision | None:
    """The decision whose held messages carry this batch (a bulk send's)."""
    row = (await conn.execute(select(decisions).where(decisions.c.batch == batch))).first()
    return Decision.model_validate(row) if row else None
