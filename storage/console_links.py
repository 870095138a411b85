"""One-time links into the web console: stored as hashes, spent once, within minutes."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update

from storage.db import Connection
from storage.schema import console_links


def link_hash(token: str) -> str:
    """What is stored of a link's token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


async def create_link(
    conn: Connection, token: str, person_id: int, now: datetime, expires_at: datetime
) -> None:
    """Keep a new link for a person; their earlier unused links stop working."""
    await conn.execute(
        delete(console_links).where(
            console_links.c.person_id == person_id, console_links.c.used_at.is_(None)
        )
    )
    await conn.execute(
        console_links.insert().values(
            token_hash=link_hash(token), person_id=person_id, created_at=now, expires_at=expires_at
        )
    )


async def spend_link(conn: Connection, token: str, now: datetime) -> int | None:
    """The person a live link names, spending it (one statement: used once, never twice)."""
    result = await conn.execute(
        update(console_links)
        .where(
            console_links.c.token_hash == link_hash(token),
            console_links.c.used_at.is_(None),
            console_links.c.expires_at > now,
        )
        .values(used_at=now)
        .returning(console_links.c.person_id)
    )
    row = result.first()
    return int(row[0]) if row else None


async def count_purgeable(conn: Connection, before: datetime) -> int:
    """Links the purge would delete: used or expired before a time."""
    result = await conn.execute(
        select(func.count())
        .select_from(console_links)
        .where(or_(console_links.c.used_at < before, console_links.c.expires_at < before))
    )
    return int(result.scalar_one())


async def purge_links(conn: Connection, before: datetime) -> int:
    """Delete links used or expired before a time."""
    result = await conn.execute(
        delete(console_links).where(
            or_(console_links.c.used_at < before, console_links.c.expires_at < before)
        )
    )
    return int(result.rowcount)


async def drop_links(conn: Connection, person_id: int) -> int:
    """Delete a person's unused links (signed out everywhere, or a role taken away)."""
    result = await conn.execute(
        delete(console_links).where(
            console_links.c.person_id == person_id, console_links.c.used_at.is_(None)
        )
    )
    return int(result.rowcount)
