"""Notifications a transaction makes reach the listeners of every instance at its commit,
each once and with its own payload, and none after a rollback (storage/notify.py)."""

from __future__ import annotations

import asyncio

import pytest

from storage import notify
from storage.db import Database


class Heard:
    def __init__(self) -> None:
        self.payloads: list[str] = []
        self.changed = asyncio.Event()

    def __call__(self, payload: str) -> None:
        self.payloads.append(payload)
        self.changed.set()

    async def until(self, count: int) -> list[str]:
        async with asyncio.timeout(10):
            while len(self.payloads) < count:
                self.changed.clear()
                await self.changed.wait()
        return self.payloads


async def test_every_note_of_a_commit_is_heard_once_and_none_of_a_rollback(
    database_url: str,
) -> None:
    here, there = Database(database_url), Database(database_url)
    heard_here, heard_there = Heard(), Heard()
    here.listen(notify.OUTBOX, heard_here)
    here.listen(notify.DELIVERED, heard_here)
    there.listen(notify.OUTBOX, heard_there)
    there.listen(notify.DELIVERED, heard_there)
    try:
        await here.start_listening()
        await there.start_listening()
        with pytest.raises(RuntimeError):
            async with here.write() as conn:
                conn.notify(notify.OUTBOX, "rolled-back")
                raise RuntimeError("the step failed")
        # Three notes in one transaction, one of them twice, then one alone.
        async with here.write() as conn:
            conn.notify(notify.OUTBOX, "web")
            conn.notify(notify.DELIVERED, "web w1 w2")
            conn.notify(notify.OUTBOX, "web")
            conn.notify(notify.DELIVERED, "web w3")
        async with here.write(single=True) as conn:
            conn.notify(notify.OUTBOX, "telegram")
        expected = ["web", "web w1 w2", "web w3", "telegram"]
        assert await heard_here.until(4) == expected
        if not here.is_sqlite:  # another instance hears them through PostgreSQL
            assert await heard_there.until(4) == expected
        await asyncio.sleep(0.2)  # nothing more arrives
        assert heard_here.payloads == expected
        assert heard_there.payloads == ([] if here.is_sqlite else expected)
    finally:
        await here.close()
        await there.close()
