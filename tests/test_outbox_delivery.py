"""A channel whose readers fetch from the outbox (the web chat) is delivered by marking rows
sent, numbered per chat in the order a page reads them: by the step that inserts its replies
to its own chat (storage/outbox.py: enqueue_claimed's `deliver`), and by the lane for the
rest (deliver_due, run in turn by the lane's ledger in bot/delivery.py).

A page pages by that number; so a chat's rows must get their numbers in the order they
commit, and a row behind one of its chat's rows still on its way must wait for it.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import String, select

from bot.channels.base import Capabilities
from bot.delivery import Lane, _Ledger
from storage import notify, outbox, people
from storage.db import Database
from storage.schema import outbox as outbox_table
from tests.support.fake_channel import FakeChannel

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
HOLD = timedelta(seconds=60)
READ_FROM_OUTBOX = Capabilities(buttons=True, text_limit=None, edits=True, reads_outbox=True)


# Above any microsecond clock: a chat's next number follows its last one, not the clock.
AHEAD = f"{9 * 10**18:0{outbox.SEQUENCE_DIGITS}d}"


def after(number: str, n: int) -> str:
    return f"{int(number) + n:0{outbox.SEQUENCE_DIGITS}d}"


def message(chat: str, key: str, **extra: object) -> outbox.NewMessage:
    return outbox.NewMessage(
        channel="fake",
        chat_id=chat,
        identity_id=None,
        payload={"text": key},
        dedupe_key=key,
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


async def test_due_rows_are_marked_sent_each_chat_after_its_last(db: Database) -> None:
    async with db.write() as conn:
        [old] = await outbox.enqueue_claimed(conn, [message("A", "old-a")], NOW, HOLD, {"fake"})
        await outbox.mark_sent_many(conn, [(old.id, AHEAD)], NOW)
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
    clock = f"{time.time_ns() // 1000:0{outbox.SEQUENCE_DIGITS}d}"
    async with db.write() as conn:
        chats = (await outbox.deliver_due(conn, "fake", NOW, 10)).chats
        # The pages of both chats are told, at commit.
        assert conn.notes == [(notify.DELIVERED, "fake A B")]
    assert sorted(chats) == ["A", "A", "B"]
    rows = await numbers(db)
    # A's continue above its last number, replies first; B's first comes from the clock.
    assert rows["reply-a"] == ("sent", after(AHEAD, 1))
    assert rows["bulk-a"] == ("sent", after(AHEAD, 2))
    status, number = rows["reply-b"]
    assert status == "sent" and number is not None
    assert len(number) == outbox.SEQUENCE_DIGITS and number > clock
    assert rows["later"] == rows["other-channel"] == ("queued", None)
    async with db.write() as conn:
        assert (await outbox.deliver_due(conn, "fake", NOW, 10)).chats == []
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
        assert (await outbox.deliver_due(conn, "fake", NOW, 10)).chats == ["B"]
    async with db.write() as conn:
        await outbox.mark_sent_many(conn, [(held.id, AHEAD)], NOW)
    async with db.write() as conn:
        assert (await outbox.deliver_due(conn, "fake", NOW, 10)).chats == ["A"]
    rows = await numbers(db)
    assert rows["held"] == ("sent", AHEAD)
    assert rows["behind"] == ("sent", after(AHEAD, 1))
    assert rows["free"][0] == "sent"
    # A claim that lapsed (its sender died) holds nothing back.
    async with db.write() as conn:
        await outbox.enqueue_claimed(conn, [message("C", "lapsed")], NOW, HOLD, {"fake"})
        await outbox.enqueue(conn, [message("C", "after")], NOW)
    async with db.write() as conn:
        later = NOW + HOLD + timedelta(seconds=1)
        assert (await outbox.deliver_due(conn, "fake", later, 10)).chats == ["C", "C"]
    await db.close()


async def test_a_row_waiting_to_retry_holds_its_chat_back(db: Database) -> None:
    async with db.write() as conn:
        [first] = await outbox.enqueue_claimed(conn, [message("A", "first")], NOW, HOLD, {"fake"})
        await outbox.mark_retry(conn, first.id, "timeout", NOW + timedelta(seconds=30))
        await outbox.enqueue(conn, [message("A", "second")], NOW)
    async with db.write() as conn:
        assert (await outbox.deliver_due(conn, "fake", NOW, 10)).chats == []
    async with db.write() as conn:
        assert (await outbox.deliver_due(conn, "fake", NOW + timedelta(seconds=31), 10)).chats == [
            "A",
            "A",
        ]
    rows = await numbers(db)
    first_number, second_number = rows["first"][1], rows["second"][1]
    assert first_number is not None and second_number is not None
    assert second_number == after(first_number, 1)
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
        first = (await outbox.deliver_due(conn, "fake", NOW, 1000)).chats
    async with db.write() as conn:
        rest = (await outbox.deliver_due(conn, "fake", NOW, 1000)).chats
    assert len(first) == outbox.DELIVER_AT_MOST
    assert sorted(first + rest) == chats
    await db.close()


async def test_a_step_delivers_its_replies_to_its_own_chat_as_it_inserts_them(
    db: Database,
) -> None:
    async with db.write() as conn:
        [old] = await outbox.enqueue_claimed(conn, [message("A", "old")], NOW, HOLD, {"fake"})
        await outbox.mark_sent_many(conn, [(old.id, AHEAD)], NOW)
    async with db.write() as conn:
        claimed = await outbox.enqueue_claimed(
            conn,
            [
                message("A", "first"),
                message("B", "to-another-chat"),
                message("A", "second"),
                message("A", "not-yet", not_before=NOW + timedelta(minutes=5)),
            ],
            NOW,
            HOLD,
            {"fake"},
            deliver=("fake", "A"),
        )
        # Only the other chat's row goes to the lane; A's page is told at commit.
        assert [item.dedupe_key for item in claimed] == ["to-another-chat"]
        assert (notify.DELIVERED, "fake A") in conn.notes
    async with db.write() as conn:
        # One message alone (on PostgreSQL one statement that also tells the pages).
        assert (
            await outbox.enqueue_claimed(
                conn, [message("A", "third")], NOW, HOLD, {"fake"}, deliver=("fake", "A")
            )
            == []
        )
        assert conn.notes == [(notify.DELIVERED, "fake A")]
    rows = await numbers(db)
    assert rows["first"] == ("sent", after(AHEAD, 1))
    assert rows["second"] == ("sent", after(AHEAD, 2))
    assert rows["third"] == ("sent", after(AHEAD, 3))
    assert rows["not-yet"] == rows["to-another-chat"] == ("queued", None)
    await db.close()


async def test_a_delivery_leaves_alone_a_chat_whose_step_is_running(db: Database) -> None:
    # Another instance's step holds A's account and delivers its reply to A; the lane's
    # delivery meanwhile must not number A's bulk row (on PostgreSQL it skips the chat; on
    # SQLite one writer at a time waits): whatever commits later has the greater number.
    async with db.write() as conn:
        await people.touch_identity(conn, "fake", "A", None, NOW)
        await outbox.enqueue(
            conn,
            [
                message("A", "bulk-a", priority=outbox.PRIORITY_BULK),
                message("B", "bulk-b", priority=outbox.PRIORITY_BULK),
            ],
            NOW,
        )

    async def deliver() -> outbox.Delivered:
        async with db.write() as conn:
            return await outbox.deliver_due(conn, "fake", NOW, 10)

    async with db.write() as step:
        await people.touch_identity(step, "fake", "A", None, NOW)
        await outbox.enqueue_claimed(
            step, [message("A", "reply")], NOW, HOLD, set(), deliver=("fake", "A")
        )
        lane = asyncio.create_task(deliver())
        if not db.is_sqlite:
            async with asyncio.timeout(10):
                # Left for a retry, not waited for.
                assert await lane == outbox.Delivered(["B"], held=1)
    async with asyncio.timeout(10):
        delivered = await lane if db.is_sqlite else await deliver()
    assert sorted(delivered.chats) == (["A", "B"] if db.is_sqlite else ["A"])
    assert delivered.held == 0
    rows = await numbers(db)
    reply, bulk = rows["reply"][1], rows["bulk-a"][1]
    assert reply is not None and bulk is not None
    assert rows["bulk-a"][0] == "sent" and reply < bulk
    await db.close()


async def test_steps_and_the_lane_number_a_chats_rows_in_the_order_they_commit(
    db: Database,
) -> None:
    channel = FakeChannel(capabilities=READ_FROM_OUTBOX)
    lane = Lane(channel, db, lambda: datetime.now(UTC))
    lane.start()
    for n in range(5):
        now = datetime.now(UTC)
        async with db.write() as conn:
            await outbox.enqueue(
                conn, [message("A", f"bulk{n}", priority=outbox.PRIORITY_BULK)], now
            )
        lane.kick()
        async with db.write() as conn:
            await people.touch_identity(conn, "fake", "A", None, now)
            await outbox.enqueue_claimed(
                conn, [message("A", f"reply{n}")], now, HOLD, set(), deliver=("fake", "A")
            )
        async with asyncio.timeout(10):
            await lane.settle()
    await lane.stop()
    assert channel.sent == []  # nothing of a chat read from the outbox is ever sent
    async with db.read() as conn:
        rows = (
            await conn.execute(
                select(outbox_table.c.status, outbox_table.c.platform_message_id).order_by(
                    outbox_table.c.sent_at, outbox_table.c.id
                )
            )
        ).all()
    assert {status for status, _ in rows} == {"sent"}
    written = [str(number) for _, number in rows]
    assert len(set(written)) == 10
    assert all(len(number) == outbox.SEQUENCE_DIGITS for number in written)
    await db.close()


async def test_a_delivery_waits_for_one_write_of_marks_at_most(db: Database) -> None:
    # Replies keep being marked sent (a busy instance: one more each turn of the event
    # loop, for as long as it takes) while another instance's row waits to be delivered: it
    # goes after one write of marks, not once the replies stop (which here is never: a
    # delivery that waited for them would run into the timeout). On PostgreSQL a write
    # lets replies arrive meanwhile; SQLite's writes do not yield.
    ledger = _Ledger(db, lambda: datetime.now(UTC), "fake", True)
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
        assert (await delivery).chats == ["other"]
        await ledger.idle()
    assert (await numbers(db))["waiting"][0] == "sent"
    await db.close()


def test_only_plain_constants_are_written_into_a_step_insert() -> None:
    # The INSERT's notifications carry topic names and this instance's mark written into the
    # statement (no bind reaches a many-row INSERT's RETURNING): nothing needing quotes.
    assert outbox._sql_string("gs_delivered") is not None
    with pytest.raises(ValueError, match="not a plain constant"):
        outbox._sql_string("x'); DROP TABLE outbox; --")
