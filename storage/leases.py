"""Leases: named roles one instance at a time plays, held until renewed or expired."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete, select, true

from storage.db import Connection
from storage.schema import leases
from storage.sql import dialect_insert
from storage.types import UTCDateTime


@cache
def _acquire(dialect: str, force: bool) -> Any:
    statement = dialect_insert(dialect, leases)
    now = bindparam("now", type_=UTCDateTime())
    # Ours already, or its holder let it lapse; `force` (no other instance runs) takes any.
    free = (leases.c.holder == statement.excluded.holder) | (leases.c.expires_at < now)
    return statement.on_conflict_do_update(
        index_elements=[leases.c.name],
        set_={"holder": statement.excluded.holder, "expires_at": statement.excluded.expires_at},
        where=true() if force else free,
    ).returning(leases.c.name)


async def acquire(
    conn: Connection,
    names: Sequence[str],
    holder: str,
    now: datetime,
    term: timedelta,
    *,
    force: bool = False,
) -> set[str]:
    """Take or renew these leases until `now + term`; the names now held by `holder`.

    One statement for all: a lease another holder keeps alive is left to it (the conflict
    update's condition fails and the row is not returned)."""
    if not names:
        return set()
    rows = [{"name": n, "holder": holder, "expires_at": now + term, "now": now} for n in names]
    result = await conn.execute(_acquire(conn.dialect.name, force), rows)
    return {str(r.name) for r in result}


async def give_up(conn: Connection, names: Sequence[str], holder: str) -> None:
    """Release leases this holder has (a clean stop: others may take them at once)."""
    if names:
        await conn.execute(
            delete(leases).where(leases.c.name.in_(list(names)), leases.c.holder == holder)
        )


async def holders(conn: Connection) -> dict[str, tuple[str, datetime]]:
    """Every lease: its holder and expiry (health, tests)."""
    rows = await conn.execute(select(leases.c.name, leases.c.holder, leases.c.expires_at))
    return {str(r.name): (str(r.holder), r.expires_at) for r in rows}
