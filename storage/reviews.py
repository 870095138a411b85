"""The review of nominations: deciding level, conditional decisions, history, merges."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from storage.db import Connection
from storage.nominations import NewEvidence
from storage.rows import Row
from storage.schema import (
    evidence,
    merges,
    nominations,
    people,
    review_events,
    review_levels,
    units,
)

# Statuses in which a nomination waits in a reviewer's queue.
WAITING = ("submitted", "answered", "forwarded")
# A nomination's deciding unit: the level it was forwarded to, else its own unit.
DECIDING_UNIT = func.coalesce(review_levels.c.unit_id, nominations.c.unit_id)


class ReviewItem(Row):
    """A nomination as a reviewer sees it, with its deciding level and reporter."""

    id: int
    code: str
    reporter_id: int
    reporter_name: str
    unit_id: int
    unit_name: str
    unit_path: str
    deciding_unit_id: int
    deciding_name: str
    deciding_path: str
    deciding_parent_id: int | None
    campaign_id: int | None
    kind: str
    nominee_name: str
    nominee_key: str
    birth_year: int | None
    place: str
    field: str
    achievement: str
    contact_phone: str | None
    status: str
    submitted_at: datetime
    updated_at: datetime


class ReviewEvent(Row):
    """One step of a nomination's review history."""

    id: int
    nomination_id: int
    unit_id: int
    actor_id: int
    action: str
    note: str | None
    at: datetime


class OpenQuestion(BaseModel):
    """A reviewer's question a reporter has yet to answer."""

    nomination_id: int
    code: str
    nominee_name: str
    question: str
    asked_by: int


def in_subtree(path_column: ColumnElement[str], scope_paths: Sequence[str]) -> ColumnElement[bool]:
    """SQL: the path lies in one of the scopes (each a unit's whole subtree).

    A prefix match rather than a range, because PostgreSQL's language collations do not sort
    "/" and digits the way byte order does.
    """
    return or_(*(path_column.startswith(scope, autoescape=True) for scope in scope_paths))


def _item_query() -> tuple[Select[Any], Any]:
    """The reviewer's view of nominations, and the alias of the deciding unit."""
    origin = units.alias("origin")
    deciding = units.alias("deciding")
    return (
        select(
            nominations.c.id,
            nominations.c.code,
            nominations.c.reporter_id,
            people.c.full_name.label("reporter_name"),
            nominations.c.unit_id,
            origin.c.name.label("unit_name"),
            origin.c.path.label("unit_path"),
            deciding.c.id.label("deciding_unit_id"),
            deciding.c.name.label("deciding_name"),
            deciding.c.path.label("deciding_path"),
            deciding.c.parent_id.label("deciding_parent_id"),
            nominations.c.campaign_id,
            nominations.c.kind,
            nominations.c.nominee_name,
            nominations.c.nominee_key,
            nominations.c.birth_year,
            nominations.c.place,
            nominations.c.field,
            nominations.c.achievement,
            nominations.c.contact_phone,
            nominations.c.status,
            nominations.c.submitted_at,
            nominations.c.updated_at,
        )
        .select_from(nominations)
        .join(people, people.c.id == nominations.c.reporter_id)
        .join(origin, origin.c.id == nominations.c.unit_id)
        .outerjoin(review_levels, review_levels.c.nomination_id == nominations.c.id)
        .join(deciding, deciding.c.id == DECIDING_UNIT)
    ), deciding


async def next_waiting(
    conn: Connection, scope_paths: Sequence[str], skip: Sequence[int] = ()
) -> ReviewItem | None:
    """The longest-waiting nomination whose deciding unit lies in one of the scopes."""
    if not scope_paths:
        return None
    query, deciding = _item_query()
    query = query.where(nominations.c.status.in_(WAITING), in_subtree(deciding.c.path, scope_paths))
    if skip:
        query = query.where(nominations.c.id.not_in(list(skip)))
    row = (
        await conn.execute(query.order_by(nominations.c.updated_at, nominations.c.id).limit(1))
    ).first()
    return ReviewItem.model_validate(row) if row else None


async def count_waiting(conn: Connection, scope_paths: Sequence[str]) -> int:
    """How many nominations wait in these scopes."""
    if not scope_paths:
        return 0
    deciding = units.alias("deciding")
    query = (
        select(func.count())
        .select_from(nominations)
        .outerjoin(review_levels, review_levels.c.nomination_id == nominations.c.id)
        .join(deciding, deciding.c.id == DECIDING_UNIT)
        .where(nominations.c.status.in_(WAITING), in_subtree(deciding.c.path, scope_paths))
    )
    return int((await conn.execute(query)).scalar_one())


async def get_item(conn: Connection, nomination_id: int) -> ReviewItem | None:
    """One nomination as a reviewer sees it."""
    query, _ = _item_query()
    row = (await conn.execute(query.where(nominations.c.id == nomination_id))).first()
    return ReviewItem.model_validate(row) if row else None


async def find_by_code(conn: Connection, code: str) -> ReviewItem | None:
    """One nomination by its code (GS-2026-000123), as a reviewer sees it."""
    query, _ = _item_query()
    row = (await conn.execute(query.where(nominations.c.code == code.strip().upper()))).first()
    return ReviewItem.model_validate(row) if row else None


async def change_status(
    conn: Connection,
    nomination_id: int,
    from_statuses: Sequence[str],
    to_status: str,
    now: datetime,
) -> bool:
    """Move a nomination between statuses only if it is still in one of `from_statuses`.

    The conditional update is what makes exactly one of two concurrent decisions win: the
    second finds the status changed and updates nothing.
    """
    result = await conn.execute(
        update(nominations)
        .where(nominations.c.id == nomination_id, nominations.c.status.in_(list(from_statuses)))
        .values(status=to_status, updated_at=now)
    )
    return result.rowcount == 1


async def move_level(conn: Connection, nomination_id: int, unit_id: int, now: datetime) -> None:
    """Make another unit the deciding level (forwarding upward)."""
    exists = (
        await conn.execute(
            select(review_levels.c.nomination_id).where(
                review_levels.c.nomination_id == nomination_id
            )
        )
    ).first()
    if exists:
        await conn.execute(
            update(review_levels)
            .where(review_levels.c.nomination_id == nomination_id)
            .values(unit_id=unit_id, since=now)
        )
    else:
        await conn.execute(
            review_levels.insert().values(nomination_id=nomination_id, unit_id=unit_id, since=now)
        )


async def add_event(
    conn: Connection,
    *,
    nomination_id: int,
    unit_id: int,
    actor_id: int,
    action: str,
    note: str | None,
    now: datetime,
) -> int:
    """Append a step to a nomination's review history; its id."""
    result = await conn.execute(
        review_events.insert()
        .values(
            nomination_id=nomination_id,
            unit_id=unit_id,
            actor_id=actor_id,
            action=action,
            note=note,
            at=now,
        )
        .returning(review_events.c.id)
    )
    return int(result.scalar_one())


async def events_since(conn: Connection, nomination_id: int, event_id: int) -> int:
    """How many steps a nomination's history gained after this one (someone acted)."""
    return int(
        (
            await conn.execute(
                select(func.count())
                .select_from(review_events)
                .where(
                    review_events.c.nomination_id == nomination_id,
                    review_events.c.id > event_id,
                )
            )
        ).scalar_one()
    )


async def delete_event(conn: Connection, event_id: int) -> None:
    """Take a step out of the history (its decision was undone before it stood)."""
    await conn.execute(review_events.delete().where(review_events.c.id == event_id))


async def level_of(conn: Connection, nomination_id: int) -> int | None:
    """The unit a nomination was forwarded to (None: its own unit decides)."""
    value = (
        await conn.execute(
            select(review_levels.c.unit_id).where(review_levels.c.nomination_id == nomination_id)
        )
    ).scalar_one_or_none()
    return int(value) if value is not None else None


async def restore_level(
    conn: Connection, nomination_id: int, unit_id: int | None, now: datetime
) -> None:
    """Put the deciding level back as it was (None: the nomination's own unit)."""
    if unit_id is None:
        await conn.execute(
            review_levels.delete().where(review_levels.c.nomination_id == nomination_id)
        )
    else:
        await move_level(conn, nomination_id, unit_id, now)


async def events_of(conn: Connection, nomination_id: int) -> list[ReviewEvent]:
    """A nomination's review history, oldest first."""
    rows = await conn.execute(
        select(review_events)
        .where(review_events.c.nomination_id == nomination_id)
        .order_by(review_events.c.id)
    )
    return [ReviewEvent.model_validate(r) for r in rows]


async def reporters_of(conn: Connection, nomination_id: int) -> list[int]:
    """Everyone who reported this nominee: its reporter and those of duplicates merged in."""
    own = select(nominations.c.reporter_id).where(nominations.c.id == nomination_id)
    merged = (
        select(nominations.c.reporter_id)
        .join(merges, merges.c.nomination_id == nominations.c.id)
        .where(merges.c.into_id == nomination_id)
    )
    rows = await conn.execute(own.union(merged))
    return sorted({int(r[0]) for r in rows})


async def open_questions(conn: Connection, reporter_id: int) -> list[OpenQuestion]:
    """Nominations this person reported (or co-reported) that wait for an answer."""
    # Reporters of duplicates merged into a nomination may answer for it too.
    duplicate = nominations.alias("duplicate")
    co_reported = (
        select(merges.c.into_id)
        .join(duplicate, duplicate.c.id == merges.c.nomination_id)
        .where(duplicate.c.reporter_id == reporter_id)
    )
    asked = review_events.alias("asked")
    latest = (
        select(func.max(asked.c.id))
        .where(asked.c.nomination_id == nominations.c.id, asked.c.action == "needs_info")
        .correlate(nominations)
        .scalar_subquery()
    )
    rows = await conn.execute(
        select(
            nominations.c.id,
            nominations.c.code,
            nominations.c.nominee_name,
            review_events.c.note,
            review_events.c.actor_id,
        )
        .select_from(nominations)
        .join(review_events, review_events.c.id == latest)
        .where(
            or_(nominations.c.reporter_id == reporter_id, nominations.c.id.in_(co_reported)),
            nominations.c.status == "needs_info",
        )
        .order_by(nominations.c.id)
    )
    return [
        OpenQuestion(
            nomination_id=r.id,
            code=r.code,
            nominee_name=r.nominee_name,
            question=r.note or "",
            asked_by=r.actor_id,
        )
        for r in rows
    ]


async def add_evidence(
    conn: Connection,
    nomination_id: int,
    files: Sequence[NewEvidence],
    added_by: int,
    now: datetime,
) -> None:
    """Attach more files to a nomination (a reporter's answer)."""
    for file in files:
        await conn.execute(
            evidence.insert().values(
                nomination_id=nomination_id, added_at=now, added_by=added_by, **file.model_dump()
            )
        )


async def similar_candidates(
    conn: Connection, area_path: str, exclude_id: int
) -> list[tuple[int, str, str, str]]:
    """(id, code, nominee_key, status) of live nominations whose unit lies in an area."""
    rows = await conn.execute(
        select(
            nominations.c.id, nominations.c.code, nominations.c.nominee_key, nominations.c.status
        )
        .join(units, units.c.id == nominations.c.unit_id)
        .where(
            in_subtree(units.c.path, [area_path]),
            nominations.c.id != exclude_id,
            nominations.c.status.not_in(["merged", "rejected"]),
        )
        .order_by(nominations.c.id)
    )
    return [(r.id, r.code, r.nominee_key, r.status) for r in rows]


class MergeMoves(BaseModel):
    """What a merge moved, so that undoing it moves exactly that back."""

    evidence_ids: list[int]
    followers: list[int]


async def record_merge(
    conn: Connection, nomination_id: int, into_id: int, by: int, now: datetime
) -> MergeMoves:
    """Keep a merge: the duplicate's evidence moves to the kept nomination."""
    await conn.execute(
        merges.insert().values(
            nomination_id=nomination_id, into_id=into_id, merged_by=by, merged_at=now
        )
    )
    moved = [
        int(r[0])
        for r in await conn.execute(
            select(evidence.c.id).where(evidence.c.nomination_id == nomination_id)
        )
    ]
    followers = [
        int(r[0])
        for r in await conn.execute(
            select(merges.c.nomination_id).where(merges.c.into_id == nomination_id)
        )
    ]
    await conn.execute(
        update(evidence)
        .where(evidence.c.nomination_id == nomination_id)
        .values(nomination_id=into_id)
    )
    # Duplicates merged earlier into this one follow it.
    await conn.execute(
        update(merges).where(merges.c.into_id == nomination_id).values(into_id=into_id)
    )
    return MergeMoves(evidence_ids=moved, followers=followers)


async def undo_merge(
    conn: Connection, nomination_id: int, into_id: int, moves: MergeMoves
) -> None:
    """Take a merge back: its files and followers return to the duplicate."""
    await conn.execute(
        merges.delete().where(merges.c.nomination_id == nomination_id, merges.c.into_id == into_id)
    )
    if moves.evidence_ids:
        await conn.execute(
            update(evidence)
            .where(evidence.c.id.in_(moves.evidence_ids))
            .values(nomination_id=nomination_id)
        )
    if moves.followers:
        await conn.execute(
            update(merges)
            .where(merges.c.nomination_id.in_(moves.followers))
            .values(into_id=nomination_id)
        )
