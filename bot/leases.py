"""Roles one instance at a time plays, passed on when their holder stops or dies.

Sending a channel's outbox (`send:<channel>`: one sender per platform, so rate limits and a
chat's order hold across instances) and polling a platform (`poll:<channel>`: Telegram answers
409 to a second poller) are leases in the `leases` table. Every instance asks for every lease
each `term / 3`; one statement takes the free or lapsed ones and renews its own. A holder that
cannot renew (database unreachable) gives its roles up locally once its term has run out, so
by the time another instance may take them it has stopped using them. A clean stop deletes
its rows and tells the others (NOTIFY), who take over at once; a crash leaves them to lapse.

On SQLite one process is all there is: it holds every lease from the start, without a row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import leases, notify
from storage.db import Database

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Hook = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class Role:
    """What this instance does when it gets a lease, and when it loses it."""

    gained: Hook
    lost: Hook


class Leases:
    """The leases this instance wants; renews them in the background and plays their roles."""

    def __init__(self, db: Database, clock: Clock, term: timedelta) -> None:
        self._db = db
        self._clock = clock
        self.term = term
        self._roles: dict[str, Role] = {}
        self.held: set[str] = set()
        self._until: datetime | None = None  # our held leases run out then, unless renewed
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False
        self._round = asyncio.Lock()
        # Another instance gave a lease up: ask at once rather than at the next round.
        db.listen(notify.LEASES, lambda _name: self._wake.set())

    def add(self, name: str, gained: Hook, lost: Hook) -> None:
        """Want a lease; `gained` runs when this instance gets it, `lost` when it goes."""
        self._roles[name] = Role(gained, lost)

    async def start(self, *, alone: bool) -> None:
        """Take what is free (everything when no other instance runs), then keep renewing."""
        if self._db.is_sqlite:
            for name in self._roles:
                await self._gain(name)
            return
        await self.renew(force=alone)
        self._task = asyncio.create_task(self._keep(), name="leases")

    async def stop(self) -> None:
        """Play no role any more and give the leases up, so that others take them at once."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
        mine = [n for n in reversed(self._roles) if n in self.held]  # polling stops first
        for name in mine:
            await self._lose(name)
        if mine and not self._db.is_sqlite:
            try:
                async with self._db.write() as conn:
                    await leases.give_up(conn, mine, self._db.instance)
                    for name in mine:
                        conn.notify(notify.LEASES, name)
            except Exception:  # they lapse after their term instead
                log.exception("giving up leases failed")

    async def renew(self, *, force: bool = False) -> None:
        """One round: renew ours, take the free or lapsed ones, play or drop roles to match."""
        if self._db.is_sqlite:
            return  # one process: it holds every lease from the start
        async with self._round:
            now = self._clock()
            try:
                async with self._db.write(single=True) as conn:
                    got = await leases.acquire(
                        conn, sorted(self._roles), self._db.instance, now, self.term, force=force
                    )
            except Exception:
                log.exception("renewing leases failed")
                # Stop a round before the term runs out: by the time another instance may
                # take the leases, this one no longer uses them.
                if self._until is not None and self._clock() >= self._until - self.term / 3:
                    got = set()
                else:
                    return
            else:
                self._until = now + self.term
            # In the order the roles were added: sending starts before polling brings work.
            for name in [n for n in self._roles if n in self.held - got]:
                await self._lose(name)
            for name in [n for n in self._roles if n in got - self.held]:
                await self._gain(name)

    async def _gain(self, name: str) -> None:
        log.info("this instance now holds %s", name)
        self.held.add(name)
        try:
            await self._roles[name].gained()
        except Exception:
            log.exception("taking up %s failed", name)

    async def _lose(self, name: str) -> None:
        log.info("this instance no longer holds %s", name)
        self.held.discard(name)
        try:
            await self._roles[name].lost()
        except Exception:
            log.exception("giving up %s failed", name)

    async def _keep(self) -> None:
        every = self.term.total_seconds() / 3
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), every)
            self._wake.clear()
            if not self._stopping:
                await self.renew()
