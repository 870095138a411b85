"""Criteria sets per unit and field, inherited down the tree, and reviewers' scores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select, update

from storage.db import Connection
from storage.rows import Row
from storage.schema import criteria, scores, units


class Criterion(Row):
    """One criterion of a unit's set for a field."""

    id: int
    unit_id: int
    field: str
    name: str
    weight: float
    max_score: float
    position: int


class NewCriterion(BaseModel):
    """One line of a criteria import."""

    name: str
    weight: float
    max_score: float


class Score(Row):
    """One reviewer's score of one criterion."""

    criterion_id: int
    reviewer_id: int
    score: float


def ancestor_ids(unit_path: str) -> list[int]:
    """The unit ids of a path, root first ("/1/5/23/" -> [1, 5, 23])."""
    return [int(part) for part in unit_path.strip("/").split("/") if part]


async def replace_set(
    conn: Connection, unit_id: int, field: str, items: Sequence[NewCriterion]
) -> int:
    """Make `items` the unit's set for a field; criteria left out stay for old scores."""
    existing = {
        r.name: r.id
        for r in await conn.execute(
            select(criteria.c.id, criteria.c.name).where(
                criteria.c.unit_id == unit_id, criteria.c.field == field
            )
        )
    }
    await conn.execute(
        update(criteria)
        .where(criteria.c.unit_id == unit_id, criteria.c.field == field)
        .values(active=False)
    )
    for position, item in enumerate(items):
        values = {
            "weight": item.weight,
            "max_score": item.max_score,
            "position": position,
            "active": True,
        }
        if item.name in existing:
            await conn.execute(
                update(criteria).where(criteria.c.id == existing[item.name]).values(**values)
            )
        else:
            await conn.execute(
                criteria.insert().values(unit_id=unit_id, field=field, name=item.name, **values)
            )
    return len(items)


async def effective_set(
    conn: Connection, unit_path: str, field: str
) -> tuple[int | None, list[Criterion]]:
    """The set that applies to a unit for a field: its own, else its nearest ancestor's."""
    chain = ancestor_ids(unit_path)
    rows = await conn.execute(
        select(criteria)
        .where(
            criteria.c.unit_id.in_(chain), criteria.c.field == field, criteria.c.active.is_(True)
        )
        .order_by(criteria.c.position)
    )
    by_unit: dict[int, list[Criterion]] = {}
    for row in rows:
        item = Criterion.model_validate(row)
        by_unit.setdefault(item.unit_id, []).append(item)
    for unit_id in reversed(chain):
        if unit_id in by_unit:
            return unit_id, by_unit[unit_id]
    return None, []


async def get_criterion(conn: Connection, criterion_id: int) -> Criterion | None:
    """One criterion by id."""
    row = (await conn.execute(select(criteria).where(criteria.c.id == criterion_id))).first()
    return Criterion.model_validate(row) if row else None


async def unit_name(conn: Connection, unit_id: int) -> str:
    """A unit's name (to say where an inherited set comes from)."""
    return str((await conn.execute(select(units.c.name).where(units.c.id == unit_id))).scalar_one())


async def save_score(
    conn: Connection,
    nomination_id: int,
    criterion_id: int,
    reviewer_id: int,
    score: float,
    now: datetime,
) -> None:
    """Store a reviewer's score of a criterion, replacing their earlier one."""
    changed = await conn.execute(
        update(scores)
        .where(
            scores.c.nomination_id == nomination_id,
            scores.c.criterion_id == criterion_id,
            scores.c.reviewer_id == reviewer_id,
        )
        .values(score=score, at=now)
    )
    if changed.rowcount == 0:
        await conn.execute(
            scores.insert().values(
                nomination_id=nomination_id,
                criterion_id=criterion_id,
                reviewer_id=reviewer_id,
                score=score,
                at=now,
            )
        )


async def scores_of(conn: Connection, nomination_id: int) -> list[Score]:
    """Every score given to a nomination."""
    rows = await conn.execute(
        select(scores.c.criterion_id, scores.c.reviewer_id, scores.c.score).where(
            scores.c.nomination_id == nomination_id
        )
    )
    return [Score.model_validate(r) for r in rows]


def weighted_total(items: Sequence[Criterion], given: Sequence[Score]) -> tuple[float, float, int]:
    """(total, maximum, criteria scored): Σ weight × mean score over Σ weight × max score."""
    total = maximum = 0.0
    scored = 0
    for item in items:
        maximum += item.weight * item.max_score
        mine = [s.score for s in given if s.criterion_id == item.id]
        if mine:
            total += item.weight * sum(mine) / len(mine)
            scored += 1
    return total, maximum, scored
