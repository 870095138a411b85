"""A person's chat accounts: unlinking one, and finding people in an admin's scope."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select, update

from storage.db import Connection
from storage.schema import identities, link_codes, memberships, people, units


async def unlink_identity(conn: Connection, identity_id: int, person_id: int, now: datetime) -> bool:
    """Detach an account from a person; it is a stranger again and gets nothing meant for them.

    False when the account was not (or no longer) the person's.
    """
    result = await conn.execute(
        update(identities)
        .where(identities.c.id == identity_id, identities.c.person_id == person_id)
        .values(person_id=None, unreachable_at=now)
    )
    return int(result.rowcount) == 1


async def drop_link_codes(conn: Connection, person_id: int) -> int:
    """Forget a person's unused link codes (after a sign-out everywhere)."""
    result = await conn.execute(
        delete(link_codes).where(link_codes.c.person_id == person_id, link_codes.c.used_at.is_(None))
    )
    return int(result.rowcount)


async def people_in_scopes(
    conn: Connection, scope_paths: Sequence[str]
) -> list[tuple[int, str, str]]:
    """(person id, full name, unit name) of everyone holding a role within the scopes."""
    if not scope_paths:
        return []
    rows = await conn.execute(
        select(people.c.id, people.c.full_name, units.c.name)
        .join(memberships, memberships.c.person_id == people.c.id)
        .join(units, units.c.id == memberships.c.unit_id)
        .where(or_(*(units.c.path.startswith(path) for path in scope_paths)))
        .order_by(people.c.id, units.c.path)
    )
    found: dict[int, tuple[int, str, str]] = {}
    for person_id, name, unit in rows:
        found.setdefault(int(person_id), (int(person_id), str(name), str(unit)))
    return list(found.values())
