"""Intake: record an inbound event durably, then hand it to the runner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from handlers.runner import Runner
from handlers.types import Inbound
from storage import inbox
from storage.db import Database

Clock = Callable[[], datetime]


class Intake:
    """The one door inbound events come through; adapters acknowledge after `accept`."""

    def __init__(self, db: Database, runner: Runner, clock: Clock) -> None:
        self._db = db
        self._runner = runner
        self._clock = clock

    async def accept(self, inbound: Inbound) -> int | None:
        """Write the event to the inbox; None when it was a repeat delivery."""
        async with self._db.write() as conn:
            item_id = await inbox.record_inbound(
                conn,
                inbound.channel,
                inbound.external_id,
                inbound.sender_id,
                inbound.model_dump(mode="json"),
                self._clock(),
            )
        if item_id is not None:
            self._runner.submit(item_id, (inbound.channel, inbound.sender_id))
        return item_id

    async def accept_and_wait(self, inbound: Inbound, timeout: float = 30.0) -> int | None:
        """Record the event and wait until it is handled (the web chat answers in-line)."""
        item_id = await self.accept(inbound)
        if item_id is not None:
            await self._runner.wait_handled(item_id, timeout)
        return item_id
