"""What an export adds to each nomination of a scope: evidence count, the level deciding it,
the last decision (who, when, why) and the scores, each fetched once for the whole scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from storage.criteria import Criterion, Score
from storage.db import Connection
from storage.schema import (
    criteria,
    evidence,
    nominations,
    people,
    review_events,
    review_levels,
    scores,
    units,
)

# Review actions that decide a nomination (as opposed to asking, answering, forwarding).
DECISIONS = ("approve", "reject", "merge")


@dataclass
class ReviewFacts:
    """One nomination's review as an export shows it."""

    evidence: int = 0
    level: str = ""
    level_path: str = ""
    decided_by: str | None = None
    decided_at: datetime | None = None
    # The last decision's note: a rejection's reason.
    decision: str | None = None
    note: str | None = None
    scores: list[Score] = field(default_factory=list)


async def review_facts(conn: Connection, scope_path: str) -> dict[int, ReviewFacts]:
    """Per nomination of the scope: evidence, deciding level, last decision and scores."""
    facts: dict[int, ReviewFacts] = {}
    deciding = units.alias("deciding")
    in_scope = units.c.path.startswith(scope_path, autoescape=True)
    levels = await conn.execute(
        select(nominations.c.id, deciding.c.name, deciding.c.path)
        .join(units, units.c.id == nominations.c.unit_id)
        .outerjoin(review_levels, review_levels.c.nomination_id == nominations.c.id)
        .join(deciding, deciding.c.id == func.coalesce(review_levels.c.unit_id, units.c.id))
        .where(in_scope)
    )
    for nomination_id, level, path in levels:
        facts[int(nomination_id)] = ReviewFacts(level=level, level_path=path)
    counts = await conn.execute(
        select(evidence.c.nomination_id, func.count())
        .join(nominations, nominations.c.id == evidence.c.nomination_id)
        .join(units, units.c.id == nominations.c.unit_id)
        .where(in_scope)
        .group_by(evidence.c.nomination_id)
    )
    for row in counts:
        facts.setdefault(int(row[0]), ReviewFacts()).evidence = int(row[1])
    decided = await conn.execute(
        select(
            review_events.c.nomination_id,
            review_events.c.action,
            review_events.c.note,
            review_events.c.at,
            people.c.full_name,
        )
        .join(nominations, nominations.c.id == review_events.c.nomination_id)
        .join(units, units.c.id == nominations.c.unit_id)
        .join(people, people.c.id == review_events.c.actor_id)
        .where(in_scope, review_events.c.action.in_(DECISIONS))
        .order_by(review_events.c.id)
    )
    for row in decided:  # in order: the last decision stays
        found = facts.setdefault(int(row[0]), ReviewFacts())
        found.decision, found.note, found.decided_at, found.decided_by = row[1:5]
    scored = await conn.execute(
        select(scores.c.nomination_id, scores.c.criterion_id, scores.c.reviewer_id, scores.c.score)
        .join(nominations, nominations.c.id == scores.c.nomination_id)
        .join(units, units.c.id == nominations.c.unit_id)
        .where(in_scope)
    )
    for row in scored:
        facts.setdefault(int(row[0]), ReviewFacts()).scores.append(
            Score(criterion_id=row[1], reviewer_id=row[2], score=row[3])
        )
    return facts


async def active_criteria(conn: Connection) -> list[Criterion]:
    """Every active criterion of every unit (a small table), to find each nomination's set."""
    rows = await conn.execute(
        select(criteria).where(criteria.c.active.is_(True)).order_by(criteria.c.position)
    )
    return [Criterion.model_validate(r) for r in rows]


def effective_sets(items: Sequence[Criterion]) -> dict[tuple[int, str], list[Criterion]]:
    """The active criteria grouped by (unit, field), in their order."""
    sets: dict[tuple[int, str], list[Criterion]] = {}
    for item in items:
        sets.setdefault((item.unit_id, item.field), []).append(item)
    return sets
