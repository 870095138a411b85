"""Set-based queries for digests and reminders: whole-tree aggregates, never one per reviewer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.sql.selectable import Join

from storage.db import Connection
from storage.rows import Identity, Row
from storage.schema import (
    conversations,
    digest_marks,
    identities,
    memberships,
    nominations,
    people,
    review_levels,
    sla_reminders,
    units,
)
from storage.scoping import Subtrees
from storage.sql import insert_ignoring_conflicts

WAITING = ("submitted", "answered", "forwarded")
REVIEWER_ROLES = ("reviewer", "official", "admin")
DECIDING_UNIT = func.coalesce(review_levels.c.unit_id, nominations.c.unit_id)


class UnitNode(Row):
    """A unit's place in the tree."""

    id: int
    parent_id: int | None
    path: str


class UnitWaiting(NamedTuple):
    """Waiting nominations decided by one unit (not its subtree); a plain tuple, as there
    is one per unit of a province."""

    unit_id: int
    waiting: int
    overdue: int


class WaitingItem(Row):
    """A waiting nomination, its deciding unit and since when it waits."""

    id: int
    code: str
    status: str
    unit_id: int
    updated_at: datetime


class DigestLine(NamedTuple):
    """What a digest line says about one nomination (a plain tuple: thousands per digest run)."""

    id: int
    code: str
    nominee_name: str
    field: str
    unit_name: str


class ReviewerScope(Row):
    """A unit where a person holds reviewer rank."""

    person_id: int
    unit_id: int


class DraftOwner(Row):
    """A member's nomination draft left untouched."""

    identity_id: int
    channel: str
    external_id: str
    data: dict[str, object]
    updated_at: datetime


def _waiting_base() -> Join:
    return nominations.outerjoin(review_levels, review_levels.c.nomination_id == nominations.c.id)


async def unit_tree(conn: Connection) -> list[UnitNode]:
    """Every unit with its parent and path."""
    rows = await conn.execute(select(units.c.id, units.c.parent_id, units.c.path))
    return [UnitNode.model_validate(r) for r in rows]


async def waiting_by_unit(
    conn: Connection, overdue_before: datetime, scope: Subtrees | None = None
) -> list[UnitWaiting]:
    """Per deciding unit: how many nominations wait, and how many since before the cutoff
    (of nominations submitted in a scope only, when given).

    Counted by the unit each was submitted in, from the (status, unit, updated) index
    alone, then the few forwarded ones moved to the level deciding them now: joining every
    waiting nomination to review_levels read each table row and took three times longer
    (bench/console.py)."""
    overdue = func.count().filter(nominations.c.updated_at <= overdue_before)
    inside = scope.condition(conn, nominations.c.unit_id) if scope is not None else None
    where = [nominations.c.status.in_(WAITING), *([inside] if inside is not None else [])]
    # SQLite groups by sorting unless rows come in the group's order: by status and unit,
    # the index's own order, it sorts nothing (half the time; the statuses are added up
    # below). PostgreSQL groups by unit in a hash, cheaper than sending three times the rows.
    grouping = [nominations.c.unit_id]
    if conn.dialect.name == "sqlite":
        grouping.insert(0, nominations.c.status)
    by_origin = await conn.execute(
        select(nominations.c.unit_id, func.count(), overdue).where(*where).group_by(*grouping)
    )
    moved = await conn.execute(
        select(nominations.c.unit_id, review_levels.c.unit_id, func.count(), overdue)
        .join(review_levels, review_levels.c.nomination_id == nominations.c.id)
        .where(*where)
        .group_by(nominations.c.unit_id, review_levels.c.unit_id)
    )
    totals: dict[int, list[int]] = {}
    for unit_id, waiting, late in by_origin.all():
        held = totals.setdefault(int(unit_id), [0, 0])
        held[0] += int(waiting)
        held[1] += int(late or 0)
    for origin, deciding, waiting, late in moved.all():
        for unit_id, sign in ((int(origin), -1), (int(deciding), 1)):
            held = totals.setdefault(unit_id, [0, 0])
            held[0] += sign * int(waiting)
            held[1] += sign * int(late or 0)
    return [UnitWaiting(u, w, o) for u, (w, o) in totals.items() if w]


class OverdueCode(NamedTuple):
    """An overdue nomination's code for a digest line.

    A plain tuple rather than a row model: a province has tens of thousands of these and
    validating each one would cost more than the query.
    """

    updated_at: datetime
    id: int
    code: str
    unit_id: int


async def oldest_overdue_by_unit(
    conn: Connection, overdue_before: datetime, per_unit: int
) -> list[OverdueCode]:
    """The longest-waiting overdue nominations of each deciding unit (a few per unit)."""
    ranked = (
        select(
            nominations.c.id,
            nominations.c.code,
            DECIDING_UNIT.label("unit_id"),
            nominations.c.updated_at,
            func.row_number()
            .over(partition_by=DECIDING_UNIT, order_by=(nominations.c.updated_at, nominations.c.id))
            .label("rank"),
        )
        .select_from(_waiting_base())
        .where(nominations.c.status.in_(WAITING), nominations.c.updated_at <= overdue_before)
        .subquery()
    )
    rows = await conn.execute(
        select(ranked.c.updated_at, ranked.c.id, ranked.c.code, ranked.c.unit_id).where(
            ranked.c.rank <= per_unit
        )
    )
    return [OverdueCode(*r) for r in rows]


async def waiting_since(conn: Connection, since: datetime) -> list[WaitingItem]:
    """Waiting nominations that entered the queue after a time (new, answered, forwarded)."""
    rows = await conn.execute(
        select(
            nominations.c.id,
            nominations.c.code,
            nominations.c.status,
            DECIDING_UNIT.label("unit_id"),
            nominations.c.updated_at,
        )
        .select_from(_waiting_base())
        .where(nominations.c.status.in_(WAITING), nominations.c.updated_at > since)
        .order_by(nominations.c.updated_at, nominations.c.id)
    )
    return [WaitingItem.model_validate(r) for r in rows]


async def digest_lines(conn: Connection, ids: Sequence[int]) -> dict[int, DigestLine]:
    """Code, nominee, field and submitting unit of the nominations digests will list."""
    found: dict[int, DigestLine] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), 500):
        rows = await conn.execute(
            select(
                nominations.c.id,
                nominations.c.code,
                nominations.c.nominee_name,
                nominations.c.field,
                units.c.name,
            )
            .join(units, units.c.id == nominations.c.unit_id)
            .where(nominations.c.id.in_(wanted[start : start + 500]))
        )
        found.update({int(r[0]): DigestLine(int(r[0]), r[1], r[2], r[3], r[4]) for r in rows})
    return found


async def overdue_unreminded(conn: Connection, overdue_before: datetime) -> list[WaitingItem]:
    """Overdue waiting nominations whose current wait has had no SLA reminder yet."""
    reminded = (
        select(sla_reminders.c.nomination_id)
        .where(
            sla_reminders.c.nomination_id == nominations.c.id,
            sla_reminders.c.waiting_since == nominations.c.updated_at,
        )
        .exists()
    )
    rows = await conn.execute(
        select(
            nominations.c.id,
            nominations.c.code,
            nominations.c.status,
            DECIDING_UNIT.label("unit_id"),
            nominations.c.updated_at,
        )
        .select_from(_waiting_base())
        .where(
            nominations.c.status.in_(WAITING),
            nominations.c.updated_at <= overdue_before,
            ~reminded,
        )
        .order_by(nominations.c.updated_at, nominations.c.id)
    )
    return [WaitingItem.model_validate(r) for r in rows]


async def mark_reminded(conn: Connection, items: Sequence[WaitingItem], now: datetime) -> None:
    """Remember that these waits had their SLA reminder."""
    if items:
        await conn.execute(
            insert_ignoring_conflicts(conn, sla_reminders),
            [{"nomination_id": i.id, "waiting_since": i.updated_at, "sent_at": now} for i in items],
        )


async def reviewer_scopes(conn: Connection) -> list[ReviewerScope]:
    """Every (person, unit) where someone holds reviewer rank."""
    rows = await conn.execute(
        select(memberships.c.person_id, memberships.c.unit_id)
        .where(memberships.c.role.in_(REVIEWER_ROLES))
        .distinct()
    )
    return [ReviewerScope.model_validate(r) for r in rows]


async def marks(conn: Connection) -> dict[int, datetime]:
    """Each reviewer's last scheduled digest time."""
    rows = await conn.execute(select(digest_marks.c.person_id, digest_marks.c.last_digest_at))
    return {int(r.person_id): r.last_digest_at for r in rows}


async def set_marks(conn: Connection, person_ids: Sequence[int], at: datetime) -> None:
    """Move the reviewers' watermarks to this digest."""
    if not person_ids:
        return
    await conn.execute(digest_marks.delete().where(digest_marks.c.person_id.in_(person_ids)))
    await conn.execute(
        digest_marks.insert(), [{"person_id": p, "last_digest_at": at} for p in person_ids]
    )


async def latest_reachable(conn: Connection, person_ids: Sequence[int]) -> dict[int, Identity]:
    """Each person's most recently active identity that can still be written to."""
    found: dict[int, Identity] = {}
    ids = list(person_ids)
    for start in range(0, len(ids), 500):
        rows = await conn.execute(
            select(identities)
            .join(people, people.c.id == identities.c.person_id)
            .where(
                identities.c.person_id.in_(ids[start : start + 500]),
                identities.c.unreachable_at.is_(None),
                people.c.consent_withdrawn_at.is_(None),
            )
            .order_by(identities.c.last_inbound_at.desc(), identities.c.id.desc())
        )
        for row in rows:
            identity = Identity.model_validate(row)
            assert identity.person_id is not None
            found.setdefault(identity.person_id, identity)
    return found


async def stale_drafts(
    conn: Connection, flow: str, untouched_since: datetime, not_before: datetime
) -> list[DraftOwner]:
    """Reachable members whose draft of a flow was left between two times."""
    rows = await conn.execute(
        select(
            conversations.c.identity_id,
            identities.c.channel,
            identities.c.external_id,
            conversations.c.data,
            conversations.c.updated_at,
        )
        .join(identities, identities.c.id == conversations.c.identity_id)
        .join(people, people.c.id == identities.c.person_id)
        .where(
            conversations.c.flow == flow,
            conversations.c.updated_at <= untouched_since,
            conversations.c.updated_at > not_before,
            identities.c.unreachable_at.is_(None),
            people.c.consent_withdrawn_at.is_(None),
        )
    )
    return [DraftOwner.model_validate(r) for r in rows]
