"""Commendation records on approved nominations."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import func, select

from storage.db import Connection
from storage.rows import Row
from storage.schema import commendations


class NewCommendation(BaseModel):
    """What an official records: form, decision number and date, issuing body."""

    nomination_id: int
    form: str
    decision_no: str
    decided_on: date
    issuer: str


async def record(conn: Connection, new: NewCommendation, recorded_by: int, now: datetime) -> None:
    """Store a commendation."""
    await conn.execute(
        commendations.insert().values(recorded_by=recorded_by, recorded_at=now, **new.model_dump())
    )


async def count_for(conn: Connection, nomination_id: int) -> int:
    """How many commendations a nomination has."""
    return int(
        (
            await conn.execute(
                select(func.count())
                .select_from(commendations)
                .where(commendations.c.nomination_id == nomination_id)
            )
        ).scalar_one()
    )


class Commendation(NewCommendation, Row):
    """A stored commendation."""

    id: int
    recorded_by: int
    recorded_at: datetime


async def of_nomination(conn: Connection, nomination_id: int) -> list[Commendation]:
    """A nomination's commendations, oldest first (the console's card)."""
    rows = await conn.execute(
        select(commendations)
        .where(commendations.c.nomination_id == nomination_id)
        .order_by(commendations.c.id)
    )
    return [Commendation.model_validate(r) for r in rows]
