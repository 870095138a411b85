"""Link codes: a person's short-lived, single-use code to add another chat app's account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from storage.db import Connection
from storage.invites import code_hash
from storage.rows import LinkCode
from storage.schema import link_codes


async def create_link_code(
    conn: Connection, person_id: int, code: str, expires_at: datetime, now: datetime
) -> None:
    """Store a new code under its hash; the person's earlier unused codes stop working."""
    await conn.execute(
        delete(link_codes).where(
            link_codes.c.person_id == person_id, link_codes.c.used_at.is_(None)
        )
    )
    await conn.execute(
        link_codes.insert().values(
            code_hash=code_hash(code), person_id=person_id, expires_at=expires_at, created_at=now
        )
    )


async def find_link_code(conn: Connection, code: str) -> LinkCode | None:
    """The link code behind a typed code, valid or not."""
    row = (
        await conn.execute(select(link_codes).where(link_codes.c.code_hash == code_hash(code)))
    ).first()
    return LinkCode.model_validate(row) if row else None


async def use_link_code(conn: Connection, code_id: int, identity_id: int, now: datetime) -> bool:
    """Spend the code, only if unused and unexpired (one statement: no race)."""
    result = await conn.execute(
        update(link_codes)
        .where(
            link_codes.c.id == code_id,
            link_codes.c.used_at.is_(None),
            link_codes.c.expires_at > now,
        )
        .values(used_at=now, used_by=identity_id)
    )
    return result.rowcount == 1
