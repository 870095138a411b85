"""Connections kept between transactions (storage/held.py): a server that dropped them
costs no transaction, and no more are ever asked of the pool than it holds.

On PostgreSQL each transaction takes a connection kept from the last one instead of going
through SQLAlchemy's pool; on SQLite the same transactions run on the file's connections.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from storage import kv
from storage.db import Database
from tests.support.databases import Databases, PostgresDatabases

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
# A guard against a hang, far above what the transactions take: the pool's own wait for a
# connection it has no room for is 30 s.
HANG = 10


async def read_until(db: Database, opened: asyncio.Event, release: asyncio.Event) -> None:
    async with db.read() as conn:
        await conn.execute(select(1))
        opened.set()
        await release.wait()


def drop_connections(databases: Databases, db: Database) -> None:
    """What a server restart does to every connection the database handle holds."""
    if isinstance(databases, PostgresDatabases):
        assert databases.drop_connections(db.url) > 0
        return
    writer = db._writer
    assert writer is not None
    writer.connection.dbapi_connection.close()  # type: ignore[union-attr]


async def reads_at_once(db: Database, count: int) -> None:
    """`count` reads open together (as many connections in use), then ended."""
    release = asyncio.Event()
    opened = [asyncio.Event() for _ in range(count)]
    readers = [asyncio.create_task(read_until(db, each, release)) for each in opened]
    for each in opened:
        await each.wait()
    release.set()
    await asyncio.gather(*readers)


def reconnections(caplog: pytest.LogCaptureFixture) -> int:
    return sum("connection was gone" in record.getMessage() for record in caplog.records)


async def test_every_kept_connection_is_replaced_after_the_server_dropped_them(
    databases: Databases, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database(database_url, pool_size=3)
    try:
        async with db.write() as conn:
            await kv.put_value(conn, "before", 1, NOW)
        await reads_at_once(db, 3)  # three connections kept for reads
        drop_connections(databases, db)
        # The first read finds its connection gone and runs again on a new one; the other
        # two kept are given back to the pool with it, so three reads at once afterwards
        # meet no dead connection (the first write's connection is the write pool's).
        async with db.read() as conn:
            assert await kv.get_value(conn, "before") == 1
        await reads_at_once(db, 3)
        async with db.write() as conn:
            await kv.put_value(conn, "after", 2, NOW)
        async with db.read() as conn:
            assert await kv.get_value(conn, "after") == 2
        # PostgreSQL: once for reads, once for writes. SQLite: its kept writer only.
        assert reconnections(caplog) == (1 if db.is_sqlite else 2)
    finally:
        await db.close()


async def test_transactions_beyond_the_pool_wait_for_a_connection_given_back(
    database_url: str,
) -> None:
    # Two connections for single statements and reads, one of them the instance lock's for
    # as long as the process runs: a second read waits for the first to end, then runs on
    # the connection it gave back (the pool itself has no room for a third).
    db = Database(database_url, pool_size=2)
    try:
        await db.register_instance()
        opened, release = asyncio.Event(), asyncio.Event()
        first = asyncio.create_task(read_until(db, opened, release))
        await opened.wait()
        second_release = asyncio.Event()
        second = asyncio.create_task(read_until(db, asyncio.Event(), second_release))
        second_release.set()
        release.set()
        await asyncio.wait_for(asyncio.gather(first, second), HANG)
        async with db.write(single=True) as conn:
            await kv.put_value(conn, "after", 1, NOW)
    finally:
        await db.close()


async def test_a_transaction_whose_end_fails_gives_its_connection_back(database_url: str) -> None:
    # One connection for transactions: had the failed one kept it, the next would wait for
    # ever. PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (sent before COMMIT);
    # SQLite tells this process's listeners only, whatever the size.
    db = Database(database_url, pool_size=1)
    try:
        with contextlib.suppress(DBAPIError):
            async with db.write() as conn:
                await kv.put_value(conn, "told", 1, NOW)
                conn.notify("test", "x" * 8000)
        async with asyncio.timeout(HANG):
            async with db.write() as conn:
                await kv.put_value(conn, "next", 2, NOW)
            async with db.read() as conn:
                told = await kv.get_value(conn, "told")
                assert (told, await kv.get_value(conn, "next")) == (
                    (1, 2) if db.is_sqlite else (None, 2)
                )
    finally:
        await db.close()


async def test_a_transaction_that_finds_every_connection_in_use_fails_after_the_wait(
    database_url: str,
) -> None:
    # PostgreSQL: one connection for reads, held by a read that does not end; the next read
    # fails after the wait (as the pool's own wait would), not never. SQLite: readers never
    # wait for one another.
    db = Database(database_url, pool_size=1, pool_wait=0.2)
    try:
        opened, release = asyncio.Event(), asyncio.Event()
        holding = asyncio.create_task(read_until(db, opened, release))
        await opened.wait()
        async with asyncio.timeout(HANG):
            if db.is_sqlite:
                await read_until(db, asyncio.Event(), released())
            else:
                with pytest.raises(PoolTimeout, match="1 database connections"):
                    await read_until(db, asyncio.Event(), released())
        release.set()
        await holding
        await read_until(db, asyncio.Event(), released())  # its place came back
    finally:
        await db.close()


def released() -> asyncio.Event:
    event = asyncio.Event()
    event.set()
    return event
