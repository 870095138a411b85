"""Greenlets kept for SQLAlchemy's asyncio calls (storage/greenlets.py): each call runs to
its end in one of them, its waits awaited on the event loop, its errors raised to its
caller, a cancelled call unwound; and no more are started than calls ran at once.

The statements of a PostgreSQL transaction run this way; SQLite runs its statements inline
(no greenlet), so there the database test checks the same transactions on the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import weakref
from contextvars import ContextVar
from typing import Any

import pytest
from sqlalchemy import literal, select, text
from sqlalchemy.util import await_

from storage.db import Database
from storage.greenlets import Workers

HANG = 10


def waits_for(*awaitables: Any) -> list[Any]:
    """A synchronous call that waits (as a driver does) for each awaitable in turn."""
    return [await_(each) for each in awaitables]


def fails_after(awaitable: Any) -> None:
    await_(awaitable)
    raise LookupError("the call failed after its wait")


def recovers(awaitable: Any) -> str:
    try:
        await_(awaitable)
    except KeyError:
        return "recovered"
    return "not thrown"


async def raises_key_error() -> None:
    raise KeyError("the driver's error")


async def value(n: int) -> int:
    await asyncio.sleep(0)
    return n


async def test_calls_wait_on_the_loop_and_run_side_by_side() -> None:
    workers = Workers()
    first_waits, second_waits = asyncio.Event(), asyncio.Event()

    async def first() -> list[Any]:
        return await workers.run(waits_for, value(1), first_waits.wait(), value(2))

    async def second() -> list[Any]:
        # Runs while the first is inside its call, waiting: lets it go on, then waits itself.
        return await workers.run(waits_for, value(3), _set(first_waits), second_waits.wait())

    async def _set(event: asyncio.Event) -> None:
        event.set()
        second_waits.set()

    async with asyncio.timeout(HANG):
        done = await asyncio.gather(first(), second())
    assert list(done) == [[1, True, 2], [3, None, True]]
    assert workers.made == 2  # two calls at once, two greenlets
    for n in range(50):
        assert await workers.run(waits_for, value(n)) == [n]
    assert workers.made == 2  # kept, not started again


CALLER: ContextVar[str] = ContextVar("caller", default="nobody")


def caller_seen(awaitable: Any) -> str:
    before = CALLER.get()
    await_(awaitable)
    return f"{before}/{CALLER.get()}"


async def test_each_call_sees_its_callers_context() -> None:
    workers = Workers()
    both_inside = asyncio.Barrier(2)

    async def as_caller(name: str) -> str:
        CALLER.set(name)
        return await workers.run(caller_seen, both_inside.wait())

    async with asyncio.timeout(HANG):
        seen = await asyncio.gather(as_caller("lan"), as_caller("hoa"))
    assert list(seen) == ["lan/lan", "hoa/hoa"]
    assert await as_caller_later(workers) == "minh/minh"
    assert workers.made == 2


async def as_caller_later(workers: Workers) -> str:
    CALLER.set("minh")
    return await workers.run(caller_seen, value(0))


async def test_errors_reach_the_caller_and_the_greenlet_is_kept() -> None:
    workers = Workers()
    with pytest.raises(LookupError, match="failed after its wait"):
        await workers.run(fails_after, value(1))
    # An error of what was awaited is thrown into the call, which may handle it.
    assert await workers.run(recovers, raises_key_error()) == "recovered"
    assert await workers.run(waits_for, value(7)) == [7]
    assert workers.made == 1


async def test_a_cancelled_call_is_unwound_and_its_greenlet_kept() -> None:
    workers = Workers()
    never = asyncio.Event()
    unwound: list[str] = []

    def waits_forever() -> None:
        try:
            await_(never.wait())
        finally:
            unwound.append("finally ran")

    started = asyncio.create_task(workers.run(waits_forever))
    await asyncio.sleep(0)  # it is inside its call, waiting
    started.cancel()
    with pytest.raises(asyncio.CancelledError):
        await started
    assert unwound == ["finally ran"]
    assert await workers.run(waits_for, value(5)) == [5]
    assert workers.made == 1


class Rows:
    """Stands for a large result."""


def returns_rows(awaitable: Any) -> Rows:
    await_(awaitable)
    return Rows()


async def test_nothing_of_a_call_is_kept_with_its_greenlet() -> None:
    workers = Workers()
    rows = await workers.run(returns_rows, value(1))
    gone = weakref.ref(rows)
    del rows
    gc.collect()
    assert gone() is None
    assert workers.made == 1


async def sleeping(db: Database) -> bool:
    """Whether the server runs a pg_sleep (on another connection than this read's)."""
    async with db.read() as conn:
        found = await conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE state = 'active' AND query LIKE 'SELECT pg_sleep%'"
            )
        )
        return bool(found.scalar_one())


async def test_a_read_cancelled_mid_statement_leaves_the_database_usable(
    database_url: str,
) -> None:
    db = Database(database_url, pool_size=2)
    postgres = not db.is_sqlite
    # PostgreSQL: a statement that waits on the server; SQLite has none that waits.
    slow = text("SELECT pg_sleep(30)") if postgres else select(1)
    running = asyncio.Event()

    async def read() -> None:
        async with db.read() as conn:
            running.set()
            await conn.execute(slow)
            await asyncio.Event().wait()  # SQLite: cancelled here instead

    try:
        async with asyncio.timeout(HANG):
            task = asyncio.create_task(read())
            await running.wait()
            while postgres and not await sleeping(db):
                pass  # until the server runs the statement (the read awaits its answer)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            assert task.cancelled()
            for n in range(20):
                async with db.read() as conn:
                    assert (await conn.execute(select(literal(n)))).scalar_one() == n
    finally:
        await db.close()
