"""A step's opening: its event closed, its sender's account touched, their turn loaded.

On PostgreSQL the three are one statement (storage/steps.py); these tests hold both engines
to the same results, and PostgreSQL to the one round trip.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from storage import inbox, outbox
from storage.conversations import ConversationState, save_state
from storage.db import Database
from storage.schema import identities
from storage.schema import inbox as inbox_table
from storage.steps import open_step

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
SENDER = ("web", "w-opening")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.close()


async def record(db: Database, external_id: str, sender: tuple[str, str] = SENDER) -> int:
    async with db.write() as conn:
        item_id = await inbox.record_inbound(
            conn, sender[0], external_id, sender[1], {"kind": "text"}, NOW
        )
    assert item_id is not None
    return item_id


async def account(db: Database) -> Any:
    async with db.read() as conn:
        return (
            await conn.execute(select(identities).where(identities.c.external_id == SENDER[1]))
        ).one()


async def test_the_oldest_pending_event_is_closed_and_the_account_counted(db: Database) -> None:
    first, second = await record(db, "a"), await record(db, "b")
    async with db.write() as conn:
        opened = await open_step(conn, SENDER, second, NOW, SENDER)
    assert opened is not None
    assert opened.item_id == first  # the earlier one first, whatever was asked
    assert opened.identity.external_id == SENDER[1]
    assert opened.identity.rate_count == 1
    assert opened.loaded.person is None
    assert opened.loaded.state == ConversationState()
    async with db.write() as conn:
        again = await open_step(conn, SENDER, second, NOW + timedelta(seconds=1), SENDER)
    assert again is not None and again.item_id == second
    assert again.identity.id == opened.identity.id
    assert again.identity.rate_count == 2  # the same one-minute window
    async with db.read() as conn:
        rows = (await conn.execute(select(inbox_table.c.id, inbox_table.c.status))).all()
    assert sorted(rows) == [(first, "done"), (second, "done")]


async def test_no_event_left_touches_nothing(db: Database) -> None:
    """Another instance took the event: the account is not marked as seen again."""
    item = await record(db, "a")
    async with db.write() as conn:
        assert await open_step(conn, SENDER, item, NOW, SENDER) is not None
    before = await account(db)
    async with db.write() as conn:
        assert await open_step(conn, SENDER, item, NOW + timedelta(seconds=5), SENDER) is None
    after = await account(db)
    assert (after.rate_count, after.last_inbound_at) == (before.rate_count, before.last_inbound_at)


async def test_a_new_sender_with_no_event_gets_no_account(db: Database) -> None:
    async with db.write() as conn:
        assert await open_step(conn, SENDER, 10**6, NOW, SENDER) is None
    async with db.read() as conn:
        found = (await conn.execute(select(identities.c.id))).all()
    assert found == []


async def test_the_saved_state_and_the_chats_last_message_are_loaded(db: Database) -> None:
    first = await record(db, "a")
    async with db.write() as conn:
        opened = await open_step(conn, SENDER, first, NOW, SENDER)
        assert opened is not None
        state = ConversationState(flow="nominate", step="name", data={"kind": "person"})
        await save_state(conn, opened.identity.id, state, NOW)
        message = outbox.NewMessage(
            channel=SENDER[0],
            chat_id=SENDER[1],
            identity_id=opened.identity.id,
            payload={"text": "Họ và tên người được đề cử?"},
            dedupe_key="reply:1:0",
        )
        [item] = await outbox.enqueue_claimed(conn, [message], NOW, timedelta(seconds=60), {"web"})
        await outbox.mark_sent_many(conn, [(item.id, "00000000000000000001")], NOW)
    second = await record(db, "b")
    async with db.write() as conn:
        opened = await open_step(conn, SENDER, second, NOW, SENDER)
    assert opened is not None
    assert (opened.loaded.state.flow, opened.loaded.state.step) == ("nominate", "name")
    assert opened.loaded.state.data == {"kind": "person"}
    assert opened.loaded.latest_delivered == {"text": "Họ và tên người được đề cử?"}


async def test_a_reply_still_due_in_the_chat_is_reported_waiting(db: Database) -> None:
    # A step delivers its replies to a web page as it inserts them only when nothing of the
    # chat waits before them (handlers/runner.py); the opening says so in its one statement.
    first = await record(db, "a")
    async with db.write() as conn:
        opened = await open_step(conn, SENDER, first, NOW, SENDER)
        assert opened is not None
        assert opened.loaded.chat_waiting is False
        notices = [
            outbox.NewMessage(
                channel=SENDER[0],
                chat_id=SENDER[1],
                identity_id=opened.identity.id,
                payload={"text": text},
                dedupe_key=key,
                **extra,
            )
            for text, key, extra in (
                ("sau giờ yên lặng", "held", {"not_before": NOW + timedelta(hours=1)}),
                ("tin chung", "bulk", {"priority": outbox.PRIORITY_BULK}),
            )
        ]
        await outbox.enqueue(conn, notices, NOW)
    second = await record(db, "b")
    async with db.write() as conn:
        opened = await open_step(conn, SENDER, second, NOW, SENDER)
        assert opened is not None
        # Neither a reply not due yet nor a bulk message holds a reply back.
        assert opened.loaded.chat_waiting is False
        apology = notices[0].model_copy(update={"not_before": None, "dedupe_key": "due"})
        await outbox.enqueue(conn, [apology], NOW)
    third = await record(db, "c")
    async with db.write() as conn:
        opened = await open_step(conn, SENDER, third, NOW, SENDER)
    assert opened is not None
    assert opened.loaded.chat_waiting is True


async def test_postgresql_opens_a_step_in_one_statement(db: Database) -> None:
    item = await record(db, "a")
    statements: list[str] = []
    # SQLite writes through its synchronous engine; PostgreSQL through the async one's.
    sync = db.sync_engine if db.is_sqlite else (db.engine.sync_engine if db.engine else None)
    assert sync is not None

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(sync, "before_cursor_execute", count)
    try:
        async with db.write() as conn:
            assert await open_step(conn, SENDER, item, NOW, SENDER) is not None
    finally:
        event.remove(sync, "before_cursor_execute", count)
    assert len(statements) == (3 if db.is_sqlite else 1)
