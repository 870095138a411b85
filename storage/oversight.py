"""Whole-subtree aggregates for watching units (the console's unit page): nominations by unit
and status for a period or a call, and who reviews where."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, func, select

from storage.db import Connection
from storage.reviews import WAITING
from storage.schema import memberships, nominations, people, units
from storage.scoping import Subtrees

REVIEWER_ROLES = ("reviewer", "official", "admin")


# The unit page's columns: each a name and the statuses it adds up.
COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("waiting", WAITING),
    ("needs_info", ("needs_info",)),
    ("approved", ("approved",)),
    ("rejected", ("rejected",)),
    ("merged", ("merged",)),
)
# (unit id, (one count per column…, every nomination)): a plain tuple rather than a row model
# (a province has thousands), one row per unit rather than one per unit and status (five
# times fewer rows to read back, which was most of the page's time; bench/console.py).
UnitCount = tuple[int, tuple[int, ...]]


class ReviewerPost(NamedTuple):
    """A person holding reviewer rank or above in a unit (a plain tuple: a province has a
    thousand)."""

    person_id: int
    name: str
    unit_id: int
    role: str


async def counts_by_unit(
    conn: Connection,
    scope: Subtrees,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    campaign_id: int | None = None,
) -> list[UnitCount]:
    """Per submitting unit, its nominations in each column and in all, in a period or a call.

    Both engines read (unit, status, date) from one index, already grouped (there is no
    index on the date alone: without statistics SQLite took it for a period and sorted half
    the table to group it, five times slower; bench/console.py)."""
    where: list[ColumnElement[bool]] = []
    inside = scope.condition(conn, nominations.c.unit_id)
    if inside is not None:
        where.append(inside)
    if since is not None:
        where.append(nominations.c.submitted_at >= since)
    if until is not None:
        where.append(nominations.c.submitted_at < until)
    if campaign_id is not None:
        where.append(nominations.c.campaign_id == campaign_id)
    # count(*) FILTER (WHERE …), not sum(CASE …): one test per row instead of an expression
    # to evaluate and add, half the statement's time on SQLite (bench/console.py).
    columns = [
        func.count().filter(nominations.c.status.in_(statuses)).label(name)
        for name, statuses in COLUMNS
    ]
    rows = await conn.execute(
        select(nominations.c.unit_id, *columns, func.count().label("total"))
        .where(*where)
        .group_by(nominations.c.unit_id)
    )
    # Sums come back as ints on both engines; one tuple a row, no per-value conversion.
    return [(r[0], tuple(r[1:])) for r in rows.all()]


async def reviewers_in(conn: Connection, scope: Subtrees) -> list[ReviewerPost]:
    """People holding reviewer rank or above in a scope's units."""
    query = (
        select(
            memberships.c.person_id,
            people.c.full_name.label("name"),
            memberships.c.unit_id,
            memberships.c.role,
        )
        .join(people, people.c.id == memberships.c.person_id)
        .where(memberships.c.role.in_(REVIEWER_ROLES))
        .order_by(people.c.full_name, memberships.c.id)
    )
    inside = scope.condition(conn, memberships.c.unit_id)
    if inside is not None:
        query = query.where(inside)
    return [
        ReviewerPost(int(r[0]), str(r[1]), int(r[2]), str(r[3]))
        for r in (await conn.execute(query)).all()
    ]


async def subtree(conn: Connection, path: str) -> list[tuple[int, int | None, str, str, str]]:
    """(id, parent id, path, name, kind) of a unit and every unit below it, in tree order."""
    rows = await conn.execute(
        select(units.c.id, units.c.parent_id, units.c.path, units.c.name, units.c.kind)
        .where(units.c.path.startswith(path, autoescape=True))
        .order_by(units.c.path)
    )
    return [(r[0], r[1], r[2], r[3], r[4]) for r in rows.all()]
