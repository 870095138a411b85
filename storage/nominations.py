"""Nominations and their evidence."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from pydantic import BaseModel
from sqlalchemy import bindparam, func, select, update

from storage.db import Connection
from storage.rows import Evidence, Nomination
from storage.schema import counters, evidence, nominations
from storage.sql import dialect_insert


class NewNomination(BaseModel):
    """What a member submits."""

    reporter_id: int
    unit_id: int
    campaign_id: int | None
    kind: str
    nominee_name: str
    nominee_key: str
    birth_year: int | None
    place: str
    field: str
    achievement: str
    contact_phone: str | None
    consent_public: bool


class NewEvidence(BaseModel):
    """A file attached to a nomination."""

    kind: str
    channel: str
    file_ref: str
    mime: str | None = None
    size: int | None = None
    file_name: str | None = None


# What a nomination's code starts with until `number` gives it its own (never committed).
PROVISIONAL = "GS-~"


@cache
def _next_counter(dialect: str) -> Any:
    statement = dialect_insert(dialect, counters).values(name=bindparam("counter"), value=1)
    return statement.on_conflict_do_update(
        index_elements=[counters.c.name], set_={"value": counters.c.value + 1}
    ).returning(counters.c.value)


async def next_counter(conn: Connection, name: str) -> int:
    """The next value of a named counter, inside the caller's write transaction.

    One atomic statement: a concurrent submission waits for the row lock and then counts on
    from the committed value, so no two get the same number (read-then-write gave both one).
    """
    value = (await conn.execute(_next_counter(conn.dialect.name), {"counter": name})).scalar_one()
    return int(value)


async def create_nomination(
    conn: Connection,
    new: NewNomination,
    files: list[NewEvidence],
    now: datetime,
    year: int,
) -> Nomination:
    """Store a submitted nomination with its evidence and give it a code (GS-2026-000123)."""
    return await number(conn, await insert_nomination(conn, new, files, now), year)


async def insert_nomination(
    conn: Connection, new: NewNomination, files: list[NewEvidence], now: datetime
) -> Nomination:
    """Store a submitted nomination with its evidence under a provisional code, which
    `number` replaces in the same transaction: as late in it as the caller can, since other
    submissions wait for the year's counter from its bump to the commit."""
    row = (
        await conn.execute(
            nominations.insert()
            .values(
                code=f"{PROVISIONAL}{secrets.token_hex(8)}",  # the column is unique
                status="submitted",
                submitted_at=now,
                updated_at=now,
                **new.model_dump(),
            )
            .returning(*nominations.c)
        )
    ).one()
    for file in files:
        await conn.execute(
            evidence.insert().values(
                nomination_id=row.id,
                added_at=now,
                added_by=new.reporter_id,
                **file.model_dump(),
            )
        )
    return Nomination.model_validate(row)


async def number(conn: Connection, nomination: Nomination, year: int) -> Nomination:
    """Give a nomination inserted in this transaction its code, from the year's counter."""
    seq = await next_counter(conn, f"nomination:{year}")
    code = f"GS-{year}-{seq:06d}"
    await conn.execute(
        update(nominations).where(nominations.c.id == nomination.id).values(code=code)
    )
    return nomination.model_copy(update={"code": code})


async def nominations_by_reporter(
    conn: Connection, reporter_id: int, limit: int = 20
) -> list[Nomination]:
    """A member's own nominations, newest first."""
    rows = await conn.execute(
        select(nominations)
        .where(nominations.c.reporter_id == reporter_id)
        .order_by(nominations.c.id.desc())
        .limit(limit)
    )
    return [Nomination.model_validate(r) for r in rows]


async def count_by_reporter(conn: Connection, reporter_id: int) -> int:
    """How many nominations a member has submitted."""
    return int(
        (
            await conn.execute(
                select(func.count())
                .select_from(nominations)
                .where(nominations.c.reporter_id == reporter_id)
            )
        ).scalar_one()
    )


async def count_submitted_since(conn: Connection, reporter_id: int, since: datetime) -> int:
    """How many nominations a member has submitted since a moment (the daily cap)."""
    return int(
        (
            await conn.execute(
                select(func.count())
                .select_from(nominations)
                .where(
                    nominations.c.reporter_id == reporter_id,
                    nominations.c.submitted_at >= since,
                )
            )
        ).scalar_one()
    )


async def evidence_of(conn: Connection, nomination_id: int) -> list[Evidence]:
    """The files attached to a nomination, in the order they came."""
    rows = await conn.execute(
        select(evidence).where(evidence.c.nomination_id == nomination_id).order_by(evidence.c.id)
    )
    return [Evidence.model_validate(r) for r in rows]


# Evidence the bot fetches from a chat platform to re-encode (pictures only: a photo, or a
# document the platform says is an image).
async def evidence_to_fetch(
    conn: Connection, channels: Sequence[str], limit: int
) -> list[Evidence]:
    """Platform pictures not fetched yet, oldest first."""
    picture = (evidence.c.kind == "photo") | (
        (evidence.c.kind == "document") & evidence.c.mime.startswith("image/")
    )
    rows = await conn.execute(
        select(evidence)
        .where(evidence.c.fetched_at.is_(None), evidence.c.channel.in_(list(channels)), picture)
        .order_by(evidence.c.id)
        .limit(limit)
    )
    return [Evidence.model_validate(r) for r in rows]


async def set_clean_copy(
    conn: Connection, evidence_id: int, clean_file: str | None, now: datetime
) -> bool:
    """Record the clean copy of a platform picture (None: none could be made); False when
    the evidence is gone meanwhile (its clean copy is then not needed)."""
    result = await conn.execute(
        update(evidence)
        .where(evidence.c.id == evidence_id, evidence.c.fetched_at.is_(None))
        .values(clean_file=clean_file, fetched_at=now)
    )
    return int(result.rowcount) == 1
