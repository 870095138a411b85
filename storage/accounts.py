"""A person's chat accounts: unlinking one, and finding people in an admin's scope."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select, update

from storage import web_sessions
from storage.db import Connection
from storage.schema import identities, link_codes, memberships, people, units
from storage.schema import web_sessions as web_sessions_table

WEB = "web"


async def unlink_identity(
    conn: Connection, identity_id: int, person_id: int, now: datetime
) -> bool:
    """Detach an account from a person; it is a stranger again and gets nothing meant for them.

    False when the account was not (or no longer) the person's.
    """
    web_sessions.changed(conn, web_sessions.ACCOUNT, identity_id)
    result = await conn.execute(
        update(identities)
        .where(identities.c.id == identity_id, identities.c.person_id == person_id)
        .values(person_id=None, unreachable_at=now)
    )
    return int(result.rowcount) == 1


async def drop_link_codes(conn: Connection, person_id: int) -> int:
    """Forget a person's unused link codes (after a sign-out everywhere)."""
    result = await conn.execute(
        delete(link_codes).where(
            link_codes.c.person_id == person_id, link_codes.c.used_at.is_(None)
        )
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


async def end_web_account(conn: Connection, identity_id: int, now: datetime) -> int:
    """Sign a web chat account out: its sessions end and it no longer speaks for anyone.

    A web chat account is one browser (a device); once signed out it is a stranger that no
    browser holds. Returns how many sessions were live.
    """
    ended = await web_sessions.revoke_for_identity(conn, identity_id, now)
    await conn.execute(
        update(identities)
        .where(identities.c.id == identity_id, identities.c.channel == WEB)
        .values(person_id=None, unreachable_at=now)
    )
    return ended


async def abandoned_web_accounts(
    conn: Connection, now: datetime, idle_floor: datetime
) -> list[int]:
    """Web chat accounts still linked to a person though no live session holds them."""
    live = (
        select(web_sessions_table.c.id)
        .where(
            web_sessions_table.c.identity_id == identities.c.id,
            web_sessions_table.c.revoked_at.is_(None),
            web_sessions_table.c.expires_at > now,
            web_sessions_table.c.last_seen_at > idle_floor,
        )
        .exists()
    )
    rows = await conn.execute(
        select(identities.c.id).where(
            identities.c.channel == WEB, identities.c.person_id.is_not(None), ~live
        )
    )
    return [int(r[0]) for r in rows]


async def create_web_account(conn: Connection, external_id: str, now: datetime) -> int:
    """A new web chat account (a browser) with the id the server chose; its identity id."""
    return int(
        (
            await conn.execute(
                identities.insert()
                .values(channel=WEB, external_id=external_id, created_at=now)
                .returning(identities.c.id)
            )
        ).scalar_one()
    )
