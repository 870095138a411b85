"""A channel whose readers fetch from the outbox (the web chat) is delivered by marking rows
sent, numbered in the order a page reads them (storage/outbox.py: deliver_due, and the
lane's ledger in bot/delivery.py, which numbers everything it writes).

A page pages by that number; so a chat's rows must get their numbers in the order they
commit, and a row behind one of its chat's rows still on its way must wait for it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import String, select

from bot.channels.base import Capabilities
from bot.delivery import Lane, _Ledger
from handlers.types import Reply
from storage import notify, outbox
from storage.db import Database
from storage.schema import outbox as outbox_table
from tests.support.fake_channel import FakeChannel

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
HOLD = timedelta(seconds=60)
READ_FROM_OUTBOX = Capabilities(buttons=True, text_limit=None, edits=True, reads_outbox=True)


def message(chat: str, key: str, **extra: object) -> outbox.NewMessage:
    return outbox.NewMessage(
        channel="fake", chat_id=chat, identity_id=None, payload={"text": key}, dedupe_key=key,
        **extra,
    )


@pytest.fixture
async def db(database_url: str) -> Database:
    return Database(database_url)


async def numbers(db: Database) -> dict[str, tuple[str, str | None]]:
    """Each row's status and number, by its dedupe key."""
    async with db.read() as conn:
        rows = await conn.execute(
            select(
                outbox_table.c.dedupe_key,
                outbox_table.c.status,
                outbox_table.c.platform_message_id,
            )
        )
        return {str(key): (status, number) for key, status, number in rows}


async def test_due_rows_are_marked_sent_numbered_replies_first(db: Database) -> None:
    async with db.write() as conn:
        await outbox.enqueue(
            conn,
            [
                message("A", "bulk-a", priority=outbox.PRIORITY_BULK),
                message("A", "reply-a"),
                message("B", "reply-b"),
                message("B", "later", not_before=NOW + timedelta(minutes=5)),
                message("B", "other-channel").model_copy(update={"channel": "telegram"}),
            ],
            NOW,
        )
    async with db.write() as conn:
        chats = await outbox.deliver_due(conn, "fake", NOW, 10, 41)
        # The pages of both chats are told, at commit.
        assert conn.notes == [(notify.DELIVERED, "fake A B")]
    assert sorted(chats) == ["A", "A", "B"]
    assert await numbers(db) == {
        "reply-a": ("sent", "00000000000000000042"),
        "reply-b": ("sent", "00000000000000000043"),
        "bulk-a": ("sent", "00000000000000000044"),
        "later": ("queued", None),
        "other-channel": ("queued", None),
    }
    async with db.write() as conn:
        assert await outbox.deliver_due(conn, "fake", NOW, 10, 99) == []
        assert conn.notes == []  # nothing delivered, nobody woken
    await db.close()


async def test_a_row_waits_behind_its_chats_row_on_its_way(db: Database) -> None:
    # A step claimed a reply to chat A (the lane has it in hand); a later row of A, and one
    # of B, are due. B's goes; A's waits until the held one is marked, then gets a greater
    # number: a page that read past the later row would never see the earlier one.
    async with db.write() as conn:
        [held] = await outbox.enqueue_claimed(conn, [message("A", "held")], NOW, HOLD, {"fake"})
        await outbox.enqueue(conn, [message("A", "behind"), message("B", "free")], NOW)
    async with db.write() as conn:
        assert await outbox.deliver_due(conn, "fake", NOW, 10, 100) == ["B"]
    async with db.write() as conn:
        await outbox.mark_sent_many(conn, [(held.id, "00000000000000000200")], NOW)
    async with db.write() as conn:
        assert await outbox.deliver_due(conn, "fake", NOW, 10, 300) == ["A"]
    assert await numbers(db) == {
        "held": ("sent", "00000000000000000200"),
        "behind": ("sent", "00000000000000000301"),
        "free": ("sent", "00000000000000000101"),
    }
    # A claim that lapsed (its sender died) holds nothing back.
    async with db.write() as conn:
        await outbox.enqueue_claimed(conn, [message("C", "lapsed")], NOW, HOLD, {"fake"})
        await outbox.enqueue(conn, [message("C", "after")], NOW)
    async with db.write() as conn:
        later = NOW + HOLD + timedelta(seconds=1)
        assert await outbox.deliver_due(conn, "fake", later, 10, 400) == ["C", "C"]
    await db.close()


async def test_a_row_waiting_to_retry_holds_its_chat_back(db: Database) -> None:
    async with db.write() as conn:
        [first] = await outbox.enqueue_claimed(conn, [message("A", "first")], NOW, HOLD, {"fake"})
        await outbox.mark_retry(conn, first.id, "timeout", NOW + timedelta(seconds=30))
        await outbox.enqueue(conn, [message("A", "second")], NOW)
    async with db.write() as conn:
        assert await outbox.deliver_due(conn, "fake", NOW, 10, 0) == []
    async with db.write() as conn:
        assert await outbox.deliver_due(conn, "fake", NOW + timedelta(seconds=31), 10, 10) == [
            "A",
            "A",
        ]
    assert [n for _, n in sorted((await numbers(db)).values())] == [
        "00000000000000000011",
        "00000000000000000012",
    ]
    await db.close()


async def test_one_delivery_tells_of_no_more_chats_than_one_notification_holds(
    db: Database,
) -> None:
    # 150 chats with the longest ids: one delivery marks DELIVER_AT_MOST rows (their chats
    # fit one NOTIFY; PostgreSQL refuses a longer payload), the next the rest.
    column_type = outbox_table.c.chat_id.type
    assert isinstance(column_type, String) and column_type.length is not None
    longest = column_type.length
    assert outbox.DELIVER_AT_MOST * (longest + 1) + 100 <= notify.MAX_PAYLOAD
    chats = [f"{n:0{longest}d}" for n in range(150)]
    async with db.write() as conn:
        await outbox.enqueue(conn, [message(chat, f"m{chat}") for chat in chats], NOW)
    async with db.write() as conn:
        first = await outbox.deliver_due(conn, "fake", NOW, 1000, 0)
    async with db.write() as conn:
        rest = await outbox.deliver_due(conn, "fake", NOW, 1000, 1000)
    assert len(first) == outbox.DELIVER_AT_MOST
    assert sorted(first + rest) == chats
    await db.close()


@dataclass
class GatedChannel(FakeChannel):
    """Reads from the outbox; a send returns only once the test opens the gate."""

    capabilities: Capabilities = READ_FROM_OUTBOX
    gate: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        await self.gate.wait()
        await super().send(chat_id, reply)
        return None  # the lane numbers it


async def test_a_lane_delivers_what_waited_behind_a_row_it_had_in_hand(db: Database) -> None:
    # The lane has a step's reply to A in hand (its send is slow) when a row for A queued
    # by another instance is due: that row must wait for it, then leave at once, not at
    # the next sweep (an hour here), with a greater number.
    channel = GatedChannel()
    lane = Lane(channel, db, lambda: datetime.now(UTC), sweep_seconds=3600)
    now = datetime.now(UTC)
    async with db.write() as conn:
        held = await outbox.enqueue_claimed(conn, [message("A", "held")], now, HOLD, {"fake"})
        await outbox.enqueue(conn, [message("A", "behind")], now)
    lane.start()
    lane.take(held)
    # Until the lane's delivery has run and left A's row behind (the lane's own flag: it
    # has no event for it, and the test must not open the gate before).
    async with asyncio.timeout(10):
        while not lane._behind:  # noqa: ASYNC110
            await asyncio.sleep(0)
    assert (await numbers(db))["behind"] == ("queued", None)
    channel.gate.set()
    async with asyncio.timeout(10):
        await lane.settle()
    await lane.stop()
    rows = await numbers(db)
    assert rows["held"][0] == rows["behind"][0] == "sent"
    assert str(rows["held"][1]) < str(rows["behind"][1])
    await db.close()


async def test_a_lane_numbers_what_it_marks_above_what_it_delivered(db: Database) -> None:
    # Replies handed over by steps and rows delivered by the lane share one sequence, each
    # number used once, increasing in the order the rows were written.
    channel = FakeChannel(capabilities=READ_FROM_OUTBOX)
    lane = Lane(channel, db, lambda: datetime.now(UTC))
    lane.start()
    for n in range(5):
        now = datetime.now(UTC)
        async with db.write() as conn:
            await outbox.enqueue(conn, [message(f"queued-{n}", f"q{n}")], now)
            claimed = await outbox.enqueue_claimed(
                conn, [message(f"step-{n}", f"s{n}")], now, HOLD, {"fake"}
            )
        lane.take(claimed)
        lane.kick()
        async with asyncio.timeout(10):
            await lane.settle()
    await lane.stop()
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(outbox_table.c.status, outbox_table.c.platform_message_id).order_by(
                    outbox_table.c.sent_at, outbox_table.c.platform_message_id
                )
            )
        ).all()
    assert {status for status, _ in rows} == {"sent"}
    written = [str(number) for _, number in rows]
    assert len(set(written)) == 10
    assert all(len(number) == outbox.SEQUENCE_DIGITS for number in written)
    assert written == sorted(written)
    await db.close()


async def test_a_delivery_waits_for_one_write_of_marks_at_most(db: Database) -> None:
    # Replies keep being marked sent (a busy instance: one more each turn of the event
    # loop, for as long as it takes) while another instance's row waits to be delivered: it
    # goes after one write of marks, not once the replies stop (which here is never: a
    # delivery that waited for them would run into the timeout). On PostgreSQL a write
    # lets replies arrive meanwhile; SQLite's writes do not yield.
    ledger = _Ledger(db, lambda: datetime.now(UTC), "fake", True, numbered=True)
    now = datetime.now(UTC)
    async with db.write() as conn:
        replies = await outbox.enqueue_claimed(
            conn, [message(f"busy-{n}", f"r{n}") for n in range(20)], now, HOLD, {"fake"}
        )
        await outbox.enqueue(conn, [message("other", "waiting")], now)
    delivery = asyncio.create_task(ledger.deliver_due(10))
    fed = 0
    async with asyncio.timeout(10):
        while not delivery.done():
            ledger.mark_sent(replies[fed % len(replies)], None, secret=False)
            fed += 1
            await asyncio.sleep(0)
        assert await delivery == 1
        await ledger.idle()
    assert (await numbers(db))["waiting"][0] == "sent"
    await db.close()
