"""Replies claimed at commit: only where nothing earlier of that chat is still to be sent.

The lane also remembers chats whose message failed a moment ago, but after a restart only
the database knows; these tests check the database's half alone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import outbox
from storage.db import Database
from storage.migrate import upgrade

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
HOLD = timedelta(seconds=60)


def message(chat: str, key: str, **extra: object) -> outbox.NewMessage:
    return outbox.NewMessage(
        channel="telegram",
        chat_id=chat,
        identity_id=None,
        payload={"text": key},
        dedupe_key=key,
        **extra,
    )


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await upgrade(url)
    return Database(url)


async def claimed_keys(db: Database, *messages: outbox.NewMessage) -> list[str | None]:
    async with db.write() as conn:
        items = await outbox.enqueue_claimed(conn, messages, NOW, HOLD)
    return [i.dedupe_key for i in items]


async def test_a_chat_with_nothing_pending_gets_its_replies_claimed(db: Database) -> None:
    assert await claimed_keys(db, message("1", "a"), message("1", "b")) == ["a", "b"]
    async with db.write() as conn:
        assert await outbox.claim_due(conn, "telegram", NOW, 10, HOLD) == []  # held already
    await db.close()


async def test_a_message_waiting_to_retry_keeps_later_ones_unclaimed(db: Database) -> None:
    async with db.write() as conn:
        await outbox.enqueue(conn, [message("1", "first")], NOW)
        [first] = await outbox.claim_due(conn, "telegram", NOW, 10, HOLD)
        await outbox.mark_retry(conn, first.id, "502", NOW + timedelta(seconds=2))
    # Chat 1 waits behind its failed message; chat 2 is free.
    assert await claimed_keys(db, message("1", "later"), message("2", "other")) == ["other"]
    later = NOW + timedelta(seconds=3)
    async with db.write() as conn:
        [retried] = await outbox.claim_due(conn, "telegram", later, 10, HOLD)
        assert retried.dedupe_key == "first"  # alone: "later" waits until it is sent
        await outbox.mark_sent(conn, retried.id, "9", later)
        [then] = await outbox.claim_due(conn, "telegram", later, 10, HOLD)
    assert then.dedupe_key == "later"
    await db.close()


async def test_an_unclaimed_due_reply_of_the_chat_goes_first(db: Database) -> None:
    async with db.write() as conn:
        await outbox.enqueue(conn, [message("1", "queued")], NOW)
    assert await claimed_keys(db, message("1", "next")) == []
    # A bulk message postponed past quiet hours does not hold a reply back.
    async with db.write() as conn:
        await outbox.enqueue(
            conn,
            [message("3", "tomorrow", priority=outbox.PRIORITY_BULK, not_before=NOW + HOLD)],
            NOW,
        )
    assert await claimed_keys(db, message("3", "reply")) == ["reply"]
    await db.close()


async def test_a_repeated_dedupe_key_is_neither_queued_nor_claimed_twice(db: Database) -> None:
    assert await claimed_keys(db, message("1", "once")) == ["once"]
    assert await claimed_keys(db, message("1", "once")) == []
    await db.close()
