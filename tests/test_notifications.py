"""Notifications a transaction makes reach the listeners of every instance at its commit,
each once and with its own payload, and none after a rollback (storage/notify.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, event, insert, select
from sqlalchemy.exc import IntegrityError

from storage import notify, outbox
from storage.db import Database
from storage.schema import kv

NOW = datetime(2026, 12, 1, tzinfo=UTC)
HOLD = timedelta(seconds=60)
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


class Instance:
    """A Database as one instance of the bot, and what its listeners heard."""

    def __init__(self, url: str) -> None:
        self.db = Database(url)
        self.heard = Heard()
        self.db.listen(notify.OUTBOX, self.heard)
        self.db.listen(notify.DELIVERED, self.heard)


@pytest.fixture
async def instances(database_url: str) -> AsyncIterator[tuple[Instance, Instance]]:
    """Two instances on one database, listening (on SQLite only to their own process)."""
    here, there = Instance(database_url), Instance(database_url)
    try:
        await here.db.start_listening()
        await there.db.start_listening()
        yield here, there
    finally:
        await here.db.close()
        await there.db.close()


async def heard_by_both(here: Instance, there: Instance, expected: list[str]) -> None:
    """After the last note: `here` heard exactly `expected`, and `there` too on PostgreSQL
    (delivered in commit order, so nothing wrongly told can still come after it)."""
    await last_note(here.db)
    expected = [*expected, LAST]
    assert await here.heard.until(len(expected)) == expected
    if not here.db.is_sqlite:
        assert await there.heard.until(len(expected)) == expected
    assert here.heard.payloads == expected
    assert there.heard.payloads == ([] if here.db.is_sqlite else expected)


async def test_every_note_of_a_commit_is_heard_once_and_none_of_a_rollback(
    instances: tuple[Instance, Instance],
) -> None:
    here, there = instances
    with pytest.raises(RuntimeError):
        await rolled_back(here.db)
    # Three notes in one transaction, one of them twice, then one alone.
    async with here.db.write() as conn:
        conn.notify(notify.OUTBOX, "web")
        conn.notify(notify.DELIVERED, "web w1 w2")
        conn.notify(notify.OUTBOX, "web")
        conn.notify(notify.DELIVERED, "web w3")
    async with here.db.write(single=True) as conn:
        conn.notify(notify.OUTBOX, "telegram")
    await heard_by_both(here, there, ["web", "web w1 w2", "web w3", "telegram"])


async def test_notes_told_with_a_statement_go_once_and_not_when_it_fails(
    instances: tuple[Instance, Instance],
) -> None:
    here, there = instances
    async with here.db.write(single=True) as conn:
        conn.notify(notify.OUTBOX, "with the statement")
        await conn.execute_telling(PUT, {"key": "a"})
        conn.notify(notify.OUTBOX, "after it")  # told at commit, as always
    with pytest.raises(IntegrityError):  # the same key again: nothing is told
        await put_told(here.db, "a", "failed")
    async with here.db.write() as conn:  # in a transaction: told at commit
        conn.notify(notify.OUTBOX, "in a transaction")
        await conn.execute_telling(PUT, {"key": "b"})
    await heard_by_both(here, there, ["with the statement", "after it", "in a transaction"])
    async with here.db.read() as conn:
        keys = (await conn.execute(select(kv.c.key).order_by(kv.c.key))).scalars().all()
    assert keys == ["a", "b"]


def reply(chat: str) -> outbox.NewMessage:
    return outbox.NewMessage(
        channel="telegram", chat_id=chat, identity_id=None, payload={"text": "x"}, dedupe_key=chat
    )


async def reply_rolled_back(db: Database) -> None:
    async with db.write() as conn:
        await outbox.enqueue_claimed(conn, [reply("1")], NOW, HOLD, set())
        raise RuntimeError("the step failed")


async def test_a_reply_left_unclaimed_wakes_the_sender_with_its_insert(
    instances: tuple[Instance, Instance],
) -> None:
    """A step on an instance that does not send the channel queues its replies unclaimed: on
    PostgreSQL the INSERT itself runs the NOTIFY, however many rows it inserts (no statement
    of its own before COMMIT), heard once by both instances, and never after a rollback."""
    here, there = instances
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    engine = here.db.engine
    sync = here.db.sync_engine if engine is None else engine.sync_engine
    event.listen(sync, "before_cursor_execute", count)
    with pytest.raises(RuntimeError):
        await reply_rolled_back(here.db)
    async with here.db.write() as conn:
        # Two replies (a step's question after its answer): one statement all the same.
        claimed = await outbox.enqueue_claimed(conn, [reply("2"), reply("3")], NOW, HOLD, set())
        assert claimed == []
        # A note made apart from the insert goes at commit, as always.
        conn.notify(notify.DELIVERED, "web w1")
    event.remove(sync, "before_cursor_execute", count)
    await heard_by_both(here, there, ["telegram", "web w1"])
    if not here.db.is_sqlite:
        told = [s for s in statements if "pg_notify(" in s]
        # The insert told the sender (its other pg_notify tells a page, for a reply delivered
        # as it is inserted); the note made apart went alone at commit.
        assert [("INSERT INTO outbox" in s, s.count("pg_notify(")) for s in told] == [
            (True, 2),  # the rolled-back step's
            (True, 2),
            (False, 1),
        ]
