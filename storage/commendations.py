"""Commendation records on approved nominations."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from storage.db import Connection
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
