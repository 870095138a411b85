"""Replies claimed at commit: only where nothing earlier of that chat is still to be sent.

The lane also remembers chats whose message failed a moment ago, but after a restart only
the database knows; these tests check the database's half alone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.channels.base import Capabilities
from bot.delivery import Delivery, Lane
from storage import notify, outbox
from storage.db import Database
from storage.schema import outbox as outbox_table
from tests.support.fake_channel import FakeChannel

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
async def db(database_url: str) -> Database:
    return Database(database_url)


async def claimed_keys(db: Database, *messages: outbox.NewMessage) -> list[str | None]:
    async with db.write() as conn:
        items = await outbox.enqueue_claimed(conn, messages, NOW, HOLD, {"telegram"})
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
        await outbox.mark_sent_many(conn, [(retried.id, "9")], later)
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


async def test_only_the_channels_this_instance_sends_are_claimed(db: Database) -> None:
    # Another instance sends Zalo: its rows wait for that sender's claim (and wake it).
    async with db.write() as conn:
        items = await outbox.enqueue_claimed(
            conn,
            [message("1", "tg"), message("1", "zl").model_copy(update={"channel": "zalo_oa"})],
            NOW,
            HOLD,
            {"telegram"},
        )
        assert [i.dedupe_key for i in items] == ["tg"]
        assert conn.notes == [(notify.OUTBOX, "zalo_oa")]
    await db.close()


async def test_rows_taken_beyond_the_lanes_room_are_each_sent_once(db: Database) -> None:
    # A paced lane claims little at a time (here 10/s: one row), but what steps hand over
    # is always taken, whatever is in hand; each row leaves once and no claim is left.
    channel = FakeChannel(
        capabilities=Capabilities(buttons=False, text_limit=2000, rate_per_second=10.0)
    )
    delivery = Delivery(db, lambda: datetime.now(UTC), [channel])
    delivery.lanes[channel.name] = Lane(
        channel, db, lambda: datetime.now(UTC), hold=timedelta(seconds=0.2)
    )
    now = datetime.now(UTC)
    async with db.write() as conn:
        items = await outbox.enqueue_claimed(
            conn,
            [message(str(n), f"m{n}").model_copy(update={"channel": "fake"}) for n in range(3)],
            now,
            timedelta(seconds=0.2),
            {"fake"},
        )
    assert len(items) == 3
    delivery.start()
    delivery.take(items)
    delivery.take(items)  # claimed again while still in hand (their claims lapsed)
    await delivery.settle()
    await delivery.stop()
    assert sorted(chat for chat, _ in channel.sent) == ["0", "1", "2"]
    async with db.read() as conn:
        rows = await conn.execute(select(outbox_table.c.status, outbox_table.c.claimed_until))
        assert {(status, claimed) for status, claimed in rows} == {("sent", None)}
    await db.close()


async def test_a_lane_that_is_not_the_sender_hands_rows_back(db: Database) -> None:
    # The send lease went to another instance between a step's insert and its commit: the
    # rows are freed for the new sender, not sent from here.
    channel = FakeChannel()
    lane = Lane(channel, db, lambda: datetime.now(UTC))
    async with db.write() as conn:
        items = await outbox.enqueue_claimed(
            conn,
            [message(str(n), f"m{n}").model_copy(update={"channel": "fake"}) for n in range(3)],
            NOW,
            HOLD,
            {"fake"},
        )
    lane.take(items)
    await lane.settle()
    assert channel.sent == []
    async with db.read() as conn:
        rows = await conn.execute(select(outbox_table.c.status, outbox_table.c.claimed_until))
        assert {(status, claimed) for status, claimed in rows} == {("queued", None)}
    await db.close()


async def test_a_chat_waiting_for_its_pace_holds_nothing_other_chats_need(db: Database) -> None:
    # One send at a time, and 0.5 message/s per chat: the second reply to chat A waits 2 s
    # for its chat. The bulk rows for other chats must go meanwhile: that wait holds neither
    # the only send slot, nor a slot of the overall rate, nor the lane's room for rows.
    channel = FakeChannel(
        capabilities=Capabilities(
            buttons=False,
            text_limit=2000,
            rate_per_second=100.0,
            chat_rate_per_second=0.5,
            send_concurrency=1,
        )
    )
    delivery = Delivery(db, lambda: datetime.now(UTC), [channel])
    delivery.start()

    async def queue(*messages: outbox.NewMessage) -> None:
        async with db.write() as conn:
            await outbox.enqueue(
                conn,
                [m.model_copy(update={"channel": "fake"}) for m in messages],
                datetime.now(UTC),
            )
        delivery.kick()
        await delivery.settle()

    await queue(message("A", "a1"))
    bulk = [message(f"B{n}", f"b{n}", priority=outbox.PRIORITY_BULK) for n in range(10)]
    await queue(message("A", "a2"), *bulk)
    await delivery.stop()
    order = [reply.text for _, reply in channel.sent]
    assert order[0] == "a1" and order[-1] == "a2"  # every bulk row left while A waited
    assert sorted(order[1:-1]) == sorted(f"b{n}" for n in range(10))
    await db.close()
