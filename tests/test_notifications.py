"""Notifications a transaction makes reach the listeners of every instance at its commit,
each once and with its own payload, and none after a rollback (storage/notify.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from storage import notify
from storage.db import Database
from storage.schema import kv

NOW = datetime(2026, 12, 1, tzinfo=UTC)
PUT = insert(kv).values(key=bindparam("key"), value={}, updated_at=NOW)


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


LAST = "last"


async def last_note(db: Database) -> None:
    """A note committed after the others: PostgreSQL delivers notifications in the order
    their transactions committed, so once it is heard, every earlier one that will ever be
    heard has been."""
    async with db.write() as conn:
        conn.notify(notify.OUTBOX, LAST)


async def rolled_back(db: Database) -> None:
    async with db.write() as conn:
        conn.notify(notify.OUTBOX, "rolled-back")
        raise RuntimeError("the step failed")


async def put_told(db: Database, key: str, payload: str) -> None:
    async with db.write(single=True) as conn:
        conn.notify(notify.OUTBOX, payload)
        await conn.execute_telling(PUT, {"key": key})


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
            await rolled_back(here)
        # Three notes in one transaction, one of them twice, then one alone.
        async with here.write() as conn:
            conn.notify(notify.OUTBOX, "web")
            conn.notify(notify.DELIVERED, "web w1 w2")
            conn.notify(notify.OUTBOX, "web")
            conn.notify(notify.DELIVERED, "web w3")
        async with here.write(single=True) as conn:
            conn.notify(notify.OUTBOX, "telegram")
        await last_note(here)
        expected = ["web", "web w1 w2", "web w3", "telegram", LAST]
        assert await heard_here.until(5) == expected
        if not here.is_sqlite:  # another instance hears them through PostgreSQL
            assert await heard_there.until(5) == expected
        # Delivered in commit order: nothing left out came after the last note either.
        assert heard_here.payloads == expected
        assert heard_there.payloads == ([] if here.is_sqlite else expected)
    finally:
        await here.close()
        await there.close()


async def test_notes_told_with_a_statement_go_once_and_not_when_it_fails(
    database_url: str,
) -> None:
    here, there = Database(database_url), Database(database_url)
    heard_here, heard_there = Heard(), Heard()
    here.listen(notify.OUTBOX, heard_here)
    there.listen(notify.OUTBOX, heard_there)
    try:
        await here.start_listening()
        await there.start_listening()
        async with here.write(single=True) as conn:
            conn.notify(notify.OUTBOX, "with the statement")
            await conn.execute_telling(PUT, {"key": "a"})
            conn.notify(notify.OUTBOX, "after it")  # told at commit, as always
        with pytest.raises(IntegrityError):  # the same key again: nothing is told
            await put_told(here, "a", "failed")
        async with here.write() as conn:  # in a transaction: told at commit
            conn.notify(notify.OUTBOX, "in a transaction")
            await conn.execute_telling(PUT, {"key": "b"})
        await last_note(here)
        expected = ["with the statement", "after it", "in a transaction", LAST]
        assert await heard_here.until(4) == expected
        if not here.is_sqlite:
            assert await heard_there.until(4) == expected
        assert heard_here.payloads == expected
        assert heard_there.payloads == ([] if here.is_sqlite else expected)
        async with here.read() as conn:
            assert (await conn.execute(select(kv.c.key).order_by(kv.c.key))).scalars().all() == [
                "a",
                "b",
            ]
    finally:
        await here.close()
        await there.close()
