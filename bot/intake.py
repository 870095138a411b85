"""Intake: record an inbound event durably, then hand it to the runner."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from handlers.runner import Runner
from handlers.types import Inbound
from storage import inbox
from storage.db import Connection, Database

Clock = Callable[[], datetime]
# Written in the same transaction as the events (a polling cursor, platform chores).
AlsoWrite = Callable[[Connection], Awaitable[None]]


class Intake:
    """The one door inbound events come through; adapters acknowledge after recording."""

    def __init__(self, db: Database, runner: Runner, clock: Clock) -> None:
        self._db = db
        self._runner = runner
        self._clock = clock
        self._waiting: list[tuple[Inbound, asyncio.Future[int | None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(
        self, inbounds: Sequence[Inbound], also: AlsoWrite | None = None
    ) -> list[int | None]:
        """Write events to the inbox in one transaction; None for each repeat delivery."""
        ids: list[int | None] = []
        # One event alone is one INSERT: no BEGIN/COMMIT round trips on PostgreSQL.
        async with self._db.write(single=len(inbounds) == 1 and also is None) as conn:
            for inbound in inbounds:
                ids.append(
                    await inbox.record_inbound(
                        conn,
                        inbound.channel,
                        inbound.external_id,
                        inbound.sender_id,
                        inbound.model_dump(mode="json"),
                        self._clock(),
                    )
                )
            if also is not None:
                await also(conn)
        return ids

    def submit(self, item_id: int, inbound: Inbound) -> None:
        """Hand a recorded event to the runner, behind the sender's earlier ones."""
        self._runner.submit(item_id, (inbound.channel, inbound.sender_id), inbound)

    async def accept(self, inbound: Inbound, also: AlsoWrite | None = None) -> int | None:
        """Write the event to the inbox and queue it; None when it was a repeat delivery.

        `also` runs in the same transaction (and may raise to refuse the event: nothing is
        recorded then)."""
        [item_id] = await self.record([inbound], also)
        if item_id is not None:
            self.submit(item_id, inbound)
        return item_id

    async def accept_batched(self, inbound: Inbound) -> int | None:
        """`accept`, but events arriving together share one transaction.

        Webhooks must answer within seconds even in a burst; on SQLite every write
        transaction queues for the one write lock, so 200 events in 200 transactions wait
        behind each other (and behind the runner). One writer records whatever has piled
        up while the previous batch was being written.
        """
        future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._waiting.append((inbound, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_batches(), name="intake:batch")
        return await future

    async def _write_batches(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                ids = await self.record([inbound for inbound, _ in batch])
            except Exception as error:  # each waiting webhook answers with the failure
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (inbound, future), item_id in zip(batch, ids, strict=True):
                if item_id is not None:
                    self.submit(item_id, inbound)
                if not future.done():
                    future.set_result(item_id)

    async def accept_and_wait(
        self, inbound: Inbound, timeout: float = 30.0, also: AlsoWrite | None = None
    ) -> int | None:
        """Record the event and wait until it is handled (the web chat answers in-line)."""
        item_id = await self.accept(inbound, also)
        if item_id is not None:
            await self._runner.wait_handled(item_id, timeout)
        return item_id
