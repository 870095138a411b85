"""Members of units and their roles, as admins manage them (the console's member pages)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, select, update

from storage.db import Connection
from storage.rows import Row
from storage.schema import identities, memberships, people, units
from storage.scoping import Subtrees


class MemberLine(Row):
    """One role of one person in one unit."""

    id: int
    person_id: int
    name: str
    unit_id: int
    unit_name: str
    unit_path: str
    role: str
    created_at: datetime


_LINE = (
    memberships.c.id,
    memberships.c.person_id,
    people.c.full_name.label("name"),
    memberships.c.unit_id,
    units.c.name.label("unit_name"),
    units.c.path.label("unit_path"),
    memberships.c.role,
    memberships.c.created_at,
)


def _members(
    conn: Connection, scope: Subtrees | None, unit_id: int, name_key: str | None
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    inside = (
        scope.condition(conn, memberships.c.unit_id)
        if scope is not None
        else memberships.c.unit_id == unit_id
    )
    if inside is not None:
        where.append(inside)
    if name_key:
        where.append(func.lower(people.c.full_name).contains(name_key, autoescape=True))
    return where


async def members_page(
    conn: Connection,
    scope: Subtrees | None,
    unit_id: int,
    name: str | None,
    offset: int,
    limit: int,
) -> tuple[list[MemberLine], int]:
    """A page of roles held in a unit (or, given, in a scope), by name, and how many there
    are."""
    where = _members(conn, scope, unit_id, name)
    joined = memberships.join(people, people.c.id == memberships.c.person_id).join(
        units, units.c.id == memberships.c.unit_id
    )
    total = int(
        (await conn.execute(select(func.count()).select_from(joined).where(*where))).scalar_one()
    )
    rows = await conn.execute(
        select(*_LINE)
        .select_from(joined)
        .where(*where)
        .order_by(people.c.full_name, memberships.c.id)
        .offset(offset)
        .limit(limit)
    )
    return [MemberLine.model_validate(r) for r in rows], total


async def get_membership(conn: Connection, membership_id: int) -> MemberLine | None:
    """One role of one person, with its unit."""
    row = (
        await conn.execute(
            select(*_LINE)
            .join(people, people.c.id == memberships.c.person_id)
            .join(units, units.c.id == memberships.c.unit_id)
            .where(memberships.c.id == membership_id)
        )
    ).first()
    return MemberLine.model_validate(row) if row else None


async def change_role(conn: Connection, line: MemberLine, role: str) -> bool:
    """Give the person `role` in the unit instead of the one this row holds; False when the
    row changed meanwhile. Holding the new role there already, the old row just goes."""
    held = (
        await conn.execute(
            select(memberships.c.id).where(
                memberships.c.person_id == line.person_id,
                memberships.c.unit_id == line.unit_id,
                memberships.c.role == role,
            )
        )
    ).first()
    if held is not None:
        return await remove(conn, line)
    result = await conn.execute(
        update(memberships)
        .where(memberships.c.id == line.id, memberships.c.role == line.role)
        .values(role=role)
    )
    return result.rowcount == 1


async def remove(conn: Connection, line: MemberLine) -> bool:
    """Take this role away; False when it was gone already."""
    result = await conn.execute(
        delete(memberships).where(memberships.c.id == line.id, memberships.c.role == line.role)
    )
    return result.rowcount == 1


async def apps_of(conn: Connection, person_ids: Sequence[int]) -> dict[int, list[str]]:
    """The chat apps each person has joined on (channel names)."""
    if not person_ids:
        return {}
    rows = await conn.execute(
        select(identities.c.person_id, identities.c.channel)
        .where(identities.c.person_id.in_(list(person_ids)))
        .distinct()
        .order_by(identities.c.channel)
    )
    found: dict[int, list[str]] = {}
    for person_id, channel in rows:
        found.setdefault(int(person_id), []).append(str(channel))
    return found


async def roles_of(conn: Connection, person_id: int) -> list[str]:
    """Every role a person holds, in any unit."""
    rows = await conn.execute(
        select(memberships.c.role).where(memberships.c.person_id == person_id)
    )
    return [str(r[0]) for r in rows]
