"""The database handle: a failed write transaction leaves nothing behind and spoils nothing.

SQLite writes go through one kept-open connection, so a transaction that fails half-way
must not leave that connection in a state the next writer inherits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storage import kv
from storage.db import Database
from storage.migrate import upgrade
from storage.schema import kv as kv_table

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


class Boom(RuntimeError):
    """Raised by the test inside a transaction."""


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await upgrade(url)
    return Database(url)


async def write_then_raise(db: Database) -> None:
    async with db.write() as conn:
        await kv.put_value(conn, "a", 1, NOW)
        raise Boom


async def write_then_conflict(db: Database) -> None:
    async with db.write() as conn:
        await kv.put_value(conn, "c", 3, NOW)
        await conn.execute(kv_table.insert().values(key="a", value=9, updated_at=NOW))


async def count(db: Database) -> int:
    async with db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(kv_table))).scalar_one())


async def test_an_exception_rolls_back_and_the_next_write_commits(db: Database) -> None:
    with pytest.raises(Boom):
        await write_then_raise(db)
    assert await count(db) == 0
    async with db.write() as conn:
        await kv.put_value(conn, "b", 2, NOW)
    async with db.read() as conn:
        assert await kv.get_value(conn, "a") is None
        assert await kv.get_value(conn, "b") == 2
    await db.close()


async def test_a_failed_statement_does_not_spoil_the_connection(db: Database) -> None:
    async with db.write() as conn:
        await kv.put_value(conn, "a", 1, NOW)
    with pytest.raises(IntegrityError):
        await write_then_conflict(db)
    async with db.write() as conn:
        await kv.put_value(conn, "a", 4, NOW)
    async with db.read() as conn:
        assert await kv.get_value(conn, "a") == 4
        assert await kv.get_value(conn, "c") is None
    assert await count(db) == 1
    await db.close()
