"""The outbox sender: one lane per channel, replies first, paced, retried, never lost."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from bot.channels.base import Channel, Failure, SendError
from bot.ratelimit import Pacer
from handlers.types import Reply
from storage import outbox, people
from storage.db import Database
from storage.rows import OutboxItem

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Waits before the 2nd, 3rd, … attempt of a temporary failure; then the message has failed.
BACKOFF = (timedelta(seconds=2), timedelta(seconds=15), timedelta(minutes=2), timedelta(minutes=10))
CLAIM_HOLD = timedelta(seconds=60)
# A paced lane claims at most this much sending time at once, so that a reply queued
# during a broadcast waits behind at most that many bulk messages (replies go first).
CLAIM_SECONDS = 0.15


class Lane:
    """Sends one channel's due outbox rows."""

    def __init__(
        self,
        channel: Channel,
        db: Database,
        clock: Clock,
        *,
        batch: int = 100,
        concurrency: int = 8,
        sweep_seconds: float = 1.0,
        backoff: Sequence[timedelta] = BACKOFF,
        hold: timedelta = CLAIM_HOLD,
    ) -> None:
        self.channel = channel
        self._db = db
        self._clock = clock
        rate = channel.capabilities.rate_per_second
        self._batch = min(batch, max(1, int(rate * CLAIM_SECONDS))) if rate else batch
        self._backoff = tuple(backoff)
        self._hold = hold
        self._concurrency = asyncio.Semaphore(concurrency)
        self._sweep = sweep_seconds
        caps = channel.capabilities
        self.pacer = Pacer(caps.rate_per_second, caps.chat_rate_per_second)
        self._kicked = asyncio.Event()
        self._quiet = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run the lane in the background."""
        self._task = asyncio.create_task(self._loop(), name=f"lane:{self.channel.name}")

    async def stop(self) -> None:
        """Finish the batch in hand and stop."""
        self._stopping = True
        self._kicked.set()
        if self._task:
            await self._task

    def kick(self) -> None:
        """Something was committed: look at the outbox now rather than at the next sweep."""
        self._quiet.clear()
        self._kicked.set()

    async def settle(self) -> None:
        """Wait until nothing due is left (tests and shutdown)."""
        await self._quiet.wait()

    async def _loop(self) -> None:
        while not self._stopping:
            self._kicked.clear()
            try:
                items = await self._claim()
            except Exception:
                log.exception("claiming outbox rows of %s failed", self.channel.name)
                items = []
            if items:
                await self._send_all(items)
                continue
            if not self._kicked.is_set():
                self._quiet.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._kicked.wait(), self._sweep)
        self._quiet.set()

    async def _claim(self) -> list[OutboxItem]:
        async with self._db.write() as conn:
            return await outbox.claim_due(
                conn, self.channel.name, self._clock(), self._batch, self._hold
            )

    async def _send_all(self, items: Sequence[OutboxItem]) -> None:
        """Send a claimed batch, chats in parallel; record the accepted ones in one commit.

        A crash between a send and that commit leaves its row claimed; it is sent again
        once the claim lapses, so duplicates are bounded by one batch (the sends in flight).
        """
        by_chat: dict[str, list[OutboxItem]] = defaultdict(list)
        for item in items:
            by_chat[item.chat_id].append(item)
        accepted: list[tuple[int, str | None]] = []
        try:
            await asyncio.gather(
                *(self._send_chat(chat_items, accepted) for chat_items in by_chat.values())
            )
        finally:
            if accepted:
                async with self._db.write() as conn:
                    await outbox.mark_sent_many(conn, accepted, self._clock())

    async def _send_chat(
        self, items: list[OutboxItem], accepted: list[tuple[int, str | None]]
    ) -> None:
        """One chat's messages in order; after a failure the rest wait for the next claim."""
        async with self._concurrency:
            for n, item in enumerate(items):
                delay = self.pacer.chat_delay(item.chat_id)
                if delay > CLAIM_SECONDS:
                    # Waiting here would hold the whole batch (and the replies behind it):
                    # the chat's rest waits for its next turn; retrying keeps them in order.
                    async with self._db.write() as conn:
                        await outbox.mark_retry(
                            conn,
                            item.id,
                            "paced: the chat's limit",
                            self._clock() + timedelta(seconds=delay),
                            count_attempt=False,
                        )
                        await outbox.release(conn, [i.id for i in items[n + 1 :]])
                    return
                if self._stopping or not await self._send_one(item, accepted):
                    async with self._db.write() as conn:
                        await outbox.release(conn, [i.id for i in items[n + 1 :]])
                    return

    async def _send_one(self, item: OutboxItem, accepted: list[tuple[int, str | None]]) -> bool:
        reply = Reply.model_validate(item.payload)
        if reply.replace_key is not None:
            if reply.minor and not self.channel.capabilities.edits:
                async with self._db.write() as conn:
                    await outbox.mark_final(conn, item.id, "skipped", "channel cannot edit")
                return True
            reply = await self._with_edit_of(item, reply)
        await self.pacer.wait(item.chat_id)
        try:
            platform_id = await self.channel.send(item.chat_id, reply)
        except SendError as error:
            await self._settle_failure(item, error)
            return False
        except Exception as error:  # an adapter bug must not stop the lane
            log.exception("send of outbox %s raised", item.id)
            await self._settle_failure(item, SendError(Failure.TEMPORARY, repr(error)))
            return False
        accepted.append((item.id, platform_id))
        return True

    async def _with_edit_of(self, item: OutboxItem, reply: Reply) -> Reply:
        """Point a replacing message at the one it replaces, where the channel can edit."""
        if not self.channel.capabilities.edits or reply.replace_key is None:
            return reply
        async with self._db.read() as conn:
            previous = await outbox.last_platform_id(
                conn, self.channel.name, item.chat_id, reply.replace_key
            )
        return reply.model_copy(update={"edit_of": previous}) if previous else reply

    async def _settle_failure(self, item: OutboxItem, error: SendError) -> None:
        now = self._clock()
        log.warning(
            "send of outbox %s on %s: %s (%s)",
            item.id,
            self.channel.name,
            error.failure,
            error.reason[:100],
        )
        async with self._db.write() as conn:
            if error.failure == Failure.RATE_LIMITED:
                wait = error.retry_after or 1.0
                self.pacer.pause(wait)
                await outbox.mark_retry(
                    conn, item.id, error.reason, now + timedelta(seconds=wait), count_attempt=False
                )
            elif error.failure == Failure.TEMPORARY and item.attempts < len(self._backoff):
                await outbox.mark_retry(
                    conn, item.id, error.reason, now + self._backoff[item.attempts]
                )
            elif error.failure in (Failure.BLOCKED, Failure.UNREACHABLE):
                await outbox.mark_final(conn, item.id, str(error.failure), error.reason)
                if item.identity_id is not None:
                    await people.mark_unreachable(conn, item.identity_id, now)
            else:
                await outbox.mark_final(conn, item.id, "failed", error.reason)


class Delivery:
    """All lanes; the runner kicks it after every commit."""

    def __init__(self, db: Database, clock: Clock, channels: Sequence[Channel]) -> None:
        self.lanes = {c.name: Lane(c, db, clock) for c in channels}

    def start(self) -> None:
        """Start every lane."""
        for lane in self.lanes.values():
            lane.start()

    def kick(self) -> None:
        """Wake every lane."""
        for lane in self.lanes.values():
            lane.kick()

    async def settle(self) -> None:
        """Wait until every lane has nothing due."""
        for lane in self.lanes.values():
            await lane.settle()

    async def stop(self) -> None:
        """Stop every lane after its batch in hand."""
        await asyncio.gather(*(lane.stop() for lane in self.lanes.values()))
