"""PostgreSQL connections kept checked out of SQLAlchemy's pool between transactions.

SQLAlchemy's asyncio layer runs every call (checkout, statement, commit, check-in) in a new
greenlet, and on Python 3.11 and later a new greenlet maps a fresh 16 KiB block for its
frames and unmaps it when it ends: a system call pair, page faults, and on a process with
threads a TLB flush on every core. Through the pool a one-statement read made three of them
(checkout, statement, check-in); kept checked out it makes one. Measured on the 2-core
machine (one-row select, loopback PostgreSQL): 150 µs of the bot's CPU per read through the
pool, 85 µs kept. The pool still opens, resets and replaces connections; this only keeps
each one between two transactions, never more than the pool holds, handed out in the
order asked for. The statements and commits themselves run in greenlets kept for them too
(storage/greenlets.py).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from sqlalchemy.exc import TimeoutError as PoolTimeout

if TYPE_CHECKING:  # imported when PostgreSQL is used (storage/db.py)
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


# How long a transaction waits for a connection before it fails: the pool's own default,
# which this wait replaces (the pool is only asked when a place is free).
WAIT_SECONDS = 30.0


class Held:
    """Up to `size` connections of one engine, each used by one transaction at a time.

    `take` gives one (waiting while all are in use); a transaction that ended cleanly `give`s
    it back as it is, one that failed `drop`s it (closed: the pool resets or replaces it).
    """

    def __init__(
        self, engine: AsyncEngine, size: int, *, autocommit: bool, wait: float = WAIT_SECONDS
    ) -> None:
        from storage.greenlets import Workers

        self.engine = engine
        # The statements and commits of the transactions run in greenlets kept for them.
        self.calls: Workers = Workers()
        self._wait = wait
        # Every statement commits itself: nothing to commit or roll back at the end.
        self.autocommit = autocommit
        self._size = size
        # Last in, first out: under a light load the same few connections serve, warm.
        self._free: asyncio.LifoQueue[AsyncConnection | None] | None = None

    def _queue(self) -> asyncio.LifoQueue[AsyncConnection | None]:
        # Made on first use, inside the event loop that will use it.
        if self._free is None:
            self._free = asyncio.LifoQueue()
            for _ in range(self._size):
                self._free.put_nowait(None)  # a place for a connection not opened yet
        return self._free

    async def take(self) -> AsyncConnection:
        """A connection for one transaction; `give` or `drop` it when the transaction ends."""
        free = self._queue()
        try:
            async with asyncio.timeout(self._wait):
                kept = await free.get()
        except TimeoutError:
            raise PoolTimeout(
                f"all {self._size} database connections stayed in use for {self._wait:g} s"
            ) from None
        if kept is not None and not kept.closed and not kept.invalidated:
            return kept
        try:
            if kept is not None:
                await kept.close()  # invalidated: back to the pool, which discards it
            return await self.engine.connect()
        except BaseException:
            free.put_nowait(None)
            raise

    def give(self, conn: AsyncConnection) -> None:
        """Back after a transaction that committed: kept open for the next one."""
        self._queue().put_nowait(conn)

    async def drop(self, conn: AsyncConnection, *, gone: bool = False) -> None:
        """Back after a transaction that failed or rolled back: returned to the pool, whose
        check-in rolls back or, for a broken connection, discards it. `gone`: the server
        dropped it (a restart, a failover), so the others kept are as likely gone: they go
        back to the pool too (which, having seen the disconnect, replaces them all)."""
        free = self._queue()
        stale, places = [conn], 1
        while gone and not free.empty():  # no await in between: nobody takes one meanwhile
            kept = free.get_nowait()
            places += 1
            if kept is not None:
                stale.append(kept)
        try:
            for each in stale:
                await each.close()
        finally:
            # Only now: an empty place given earlier would open a connection the pool
            # has no room for until these are back.
            for _ in range(places):
                free.put_nowait(None)

    async def close(self) -> None:
        """Return the connections kept to the pool (before the engine is disposed)."""
        if self._free is None:
            return
        while not self._free.empty():
            kept = self._free.get_nowait()
            if kept is not None:
                await kept.close()
        self._free = None
