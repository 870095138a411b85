"""The outbox sender: one lane per channel, replies first, paced, retried, never lost."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from bot.channels.base import Channel, Failure, SendError
from bot.ratelimit import Pacer
from handlers.messages import t
from handlers.types import Reply
from storage import outbox, people, redaction
from storage.db import Database
from storage.rows import OutboxItem

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Waits before the 2nd, 3rd, … attempt of a temporary failure; then the message has failed.
BACKOFF = (timedelta(seconds=2), timedelta(seconds=15), timedelta(minutes=2), timedelta(minutes=10))
# A paced lane holds at most this much sending time of claimed rows, so that a reply queued
# during a broadcast waits behind at most that many bulk messages (replies are claimed first).
CLAIM_SECONDS = 0.15


class Lane:
    """Sends one channel's due outbox rows: each chat in order, different chats at once."""

    def __init__(
        self,
        channel: Channel,
        db: Database,
        clock: Clock,
        *,
        batch: int = 50,
        sweep_seconds: float = 1.0,
        backoff: Sequence[timedelta] = BACKOFF,
        hold: timedelta = outbox.CLAIM_HOLD,
    ) -> None:
        self.channel = channel
        self._db = db
        self._clock = clock
        caps = channel.capabilities
        rate = caps.rate_per_second
        self._batch = min(batch, max(1, int(rate * CLAIM_SECONDS))) if rate else batch
        # Rows handed over at commit wait only for pacing; keep them well inside their claim.
        self._offer_limit = int(rate * hold.total_seconds() / 2) if rate else None
        self._backoff = tuple(backoff)
        self._hold = hold
        self._concurrency = asyncio.Semaphore(caps.send_concurrency)
        self._sweep = sweep_seconds
        self.pacer = Pacer(
            caps.rate_per_second,
            caps.chat_rate_per_second,
            chat_burst=caps.chat_burst,
            group_rate=caps.group_rate_per_second,
        )
        # Claimed rows waiting to be sent, per chat; each chat has one task draining it.
        self._chats: dict[str, deque[OutboxItem]] = {}
        self._drains: set[asyncio.Task[None]] = set()
        self._sent: list[tuple[int, str | None]] = []  # sent, not yet marked so
        # Sent rows that showed a code: stripped in the transaction that marks them sent.
        self._secret: list[int] = []
        self._sent_chats: set[str] = set()
        # A retried row was sent: its chat's later rows can be claimed once that is marked.
        self._retried_sent = False
        # Chats with a row waiting to retry (seen by this lane): rows handed over at commit
        # must not overtake it, so they go back to be claimed in order.
        self._held: set[str] = set()
        # Rows whose chat is waiting for its own pace (they take no room meanwhile).
        self._chat_waits = 0
        # Told which chats' messages were just marked sent (the web chat's pollers read them).
        self.on_marked: Callable[[set[str]], None] | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._starved = False  # the last claim was skipped: too many rows in hand
        self._waiting = False  # the loop waits for a kick (its last claim found nothing)
        self._kicked = asyncio.Event()
        self._quiet = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        # Bulk rows settled as unreachable without a call (outside the proactive window).
        self.outside_window = 0

    def start(self) -> None:
        """Run the lane in the background."""
        self._task = asyncio.create_task(self._loop(), name=f"lane:{self.channel.name}")

    async def stop(self) -> None:
        """Finish the sends in hand and stop."""
        self._stopping = True
        self._kicked.set()
        if self._task:
            await self._task

    def kick(self) -> None:
        """Something was committed: look at the outbox now rather than at the next sweep."""
        self._quiet.clear()
        self._kicked.set()

    async def settle(self) -> None:
        """Wait until nothing due is left and every sent row is marked (tests, shutdown)."""
        await self._quiet.wait()
        while self._flusher is not None and not self._flusher.done():
            await self._flusher
            await self._quiet.wait()  # the flush may have made held-back rows claimable

    async def _loop(self) -> None:
        # Claim continuously rather than batch by batch: a reply committed while other chats'
        # sends are in flight (slow networks) leaves at once instead of waiting for them.
        while not self._stopping:
            self._kicked.clear()
            items: list[OutboxItem] = []
            # Rows in hand are bounded, so none outlives its claim while waiting for pacing.
            in_hand = sum(len(q) + 1 for q in self._chats.values()) - self._chat_waits
            room = self._batch - in_hand
            self._starved = room <= 0
            if room > 0:
                try:
                    items = await self._claim(room)
                except Exception:
                    log.exception("claiming outbox rows of %s failed", self.channel.name)
            for item in items:
                self._dispatch(item)
            if items:
                continue
            if not self._kicked.is_set() and not self._chats:
                self._quiet.set()
            self._waiting = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._kicked.wait(), self._sweep)
            self._waiting = False
        if self._drains:
            await asyncio.gather(*self._drains, return_exceptions=True)
        if self._flusher is not None:
            await self._flusher
        self._quiet.set()

    async def _claim(self, limit: int) -> list[OutboxItem]:
        async with self._db.write() as conn:
            items = await outbox.claim_due(
                conn, self.channel.name, self._clock(), limit, self._hold
            )
        # The waiting row is in hand again and leads its chat's queue.
        self._held.difference_update(i.chat_id for i in items if i.status == "retrying")
        return items

    def offer(self, items: Sequence[OutboxItem]) -> list[int]:
        """Take rows claimed for this lane by the transaction that queued them.

        Returns the ids it did not take (stopping, too many in hand, or behind a row
        waiting to retry); the caller hands those back to be claimed in order.
        """
        if self._stopping:
            return [i.id for i in items]
        in_hand = sum(len(q) for q in self._chats.values()) if self._offer_limit else 0
        refused = []
        for item in items:
            if item.chat_id in self._held or (
                self._offer_limit is not None and in_hand >= self._offer_limit
            ):
                refused.append(item.id)
                continue
            self._quiet.clear()
            self._dispatch(item)
            in_hand += 1
        return refused

    def _dispatch(self, item: OutboxItem) -> None:
        """Queue a claimed row behind its chat's earlier ones; start the chat's task if idle."""
        queue = self._chats.get(item.chat_id)
        if queue is not None:
            queue.append(item)
            return
        self._chats[item.chat_id] = deque([item])
        task = asyncio.create_task(self._drain(item.chat_id))
        self._drains.add(task)
        task.add_done_callback(self._drains.discard)

    async def _drain(self, chat_id: str) -> None:
        """One chat's messages in order; after a failure the rest wait for a later claim."""
        queue = self._chats[chat_id]
        smooth = True
        try:
            while queue:
                item = queue.popleft()
                # A retried row held the chat's later rows back: look for them after it.
                smooth = smooth and item.status != "retrying"
                stopping = self._stopping
                if stopping or not await self._send_one(item):
                    smooth = False
                    # No await until the chat is forgotten: nothing can join a dead queue.
                    del self._chats[chat_id]
                    # Stopping: this row was not tried either; hand it back with the rest
                    # (else it waits out its claim after a restart on PostgreSQL).
                    rest = ([item.id] if stopping else []) + [i.id for i in queue]
                    async with self._db.write() as conn:
                        await outbox.release(conn, rest)
                    return
            del self._chats[chat_id]
        except Exception:
            smooth = False
            self._chats.pop(chat_id, None)
            log.exception("sending to a chat on %s failed", self.channel.name)
        finally:
            if not smooth or self._starved:
                self._kicked.set()  # released rows, or room again: claim now
            elif self._waiting and not self._chats and not self._kicked.is_set():
                # The loop's last claim found nothing more and nothing was committed since.
                self._quiet.set()

    async def _send_one(self, item: OutboxItem) -> bool:
        if await self._outside_window(item):
            return True
        reply = Reply.model_validate(item.payload)
        if reply.template is not None:  # a paid template send is idempotent by its row
            reply = reply.model_copy(update={"outbox_id": item.id})
        if reply.replace_key is not None:
            if reply.minor and not self.channel.capabilities.edits:
                # An intermediate progress report: channels without edits get milestones only.
                async with self._db.write() as conn:
                    await outbox.mark_final(conn, item.id, "skipped", "channel cannot edit")
                return True
            reply = await self._with_edit_of(item, reply)
        await self._wait_for_chat(item.chat_id)
        try:
            async with self._concurrency:
                await self.pacer.wait(item.chat_id)
                platform_id = await self.channel.send(item.chat_id, reply)
        except SendError as error:
            await self._settle_failure(item, error)
            return False
        except Exception as error:  # an adapter bug must not stop the lane
            log.exception("send of outbox %s raised", item.id)
            await self._settle_failure(item, SendError(Failure.TEMPORARY, repr(error)))
            return False
        self._sent.append((item.id, platform_id))
        if reply.secret and not self.channel.capabilities.reads_outbox:
            self._secret.append(item.id)
        self._sent_chats.add(item.chat_id)
        self._retried_sent = self._retried_sent or item.status == "retrying"
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_sent())
        return True

    async def _wait_for_chat(self, chat_id: str) -> None:
        """A chat's own pace first, holding nothing.

        A member chatting fast during a broadcast must not keep a send slot, a slot of the
        overall rate or the lane's room for claimed rows idle while their chat waits: the
        room is given back for the wait, so bulk rows for other chats fill the rate meanwhile.
        """
        if self.pacer.chat_delay(chat_id) <= 0:
            return
        self._chat_waits += 1
        if self._starved:
            self._kicked.set()
        try:
            await self.pacer.wait_chat(chat_id)
        finally:
            self._chat_waits -= 1

    async def _with_edit_of(self, item: OutboxItem, reply: Reply) -> Reply:
        """Point a replacing message at the one it replaces, where the channel can edit."""
        if not self.channel.capabilities.edits or reply.replace_key is None:
            return reply
        async with self._db.read() as conn:
            previous = await outbox.last_platform_id(
                conn, self.channel.name, item.chat_id, reply.replace_key
            )
        return reply.model_copy(update={"edit_of": previous}) if previous else reply

    async def _outside_window(self, item: OutboxItem) -> bool:
        """Settle a bulk row as unreachable when its person has not written recently enough.

        Zalo OA rejects (and may bill) messages to people who have not interacted within
        7 days; checking our own last-inbound time first saves the failed calls. Replies
        (PRIORITY_REPLY) always go: the person just wrote.
        """
        window = self.channel.capabilities.proactive_window
        if window is None or item.priority < outbox.PRIORITY_BULK or item.identity_id is None:
            return False
        if self.channel.capabilities.templates and item.payload.get("template"):
            return False  # the adapter routes it: inside the window, or by template
        now = self._clock()
        async with self._db.read() as conn:
            identity = await people.get_identity(conn, item.identity_id)
        last = identity.last_inbound_at if identity else None
        if last is not None and now - last <= window:
            return False
        async with self._db.write() as conn:
            await outbox.mark_final(conn, item.id, "unreachable", "outside the proactive window")
        self.outside_window += 1
        return True

    async def _flush_sent(self) -> None:
        """Mark sent rows in one transaction for all that were sent meanwhile (group commit).

        A crash before the flush resends those rows after their claim expires: the same
        at-least-once promise as before, with a window of one transaction.
        """
        while self._sent:
            done, self._sent = self._sent, []
            secret, self._secret = self._secret, []
            chats, self._sent_chats = self._sent_chats, set()
            unblocks, self._retried_sent = self._retried_sent, False
            try:
                async with self._db.write(single=True) as conn:
                    await outbox.mark_sent_many(conn, done, self._clock())
                    await redaction.redact_outbound(conn, secret, t("privacy.code_removed"))
            except Exception:
                log.exception("marking %d sent rows of %s failed", len(done), self.channel.name)
                continue
            if unblocks:
                # Claim the rows the retried one held back: a claim made before this commit
                # still saw it waiting (on PostgreSQL the two run concurrently).
                self._quiet.clear()
                self._kicked.set()
            if self.on_marked is not None:
                self.on_marked(chats)

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
            if error.failure in (Failure.RATE_LIMITED, Failure.TEMPORARY):
                self._held.add(item.chat_id)
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
            elif error.failure == Failure.NOT_SENT:
                await outbox.mark_final(conn, item.id, "unreachable", error.reason)
                self.outside_window += 1
            elif error.failure in (Failure.BLOCKED, Failure.UNREACHABLE):
                await outbox.mark_final(conn, item.id, str(error.failure), error.reason)
                if item.identity_id is not None:
                    await people.mark_unreachable(conn, item.identity_id, now)
            else:
                await outbox.mark_final(conn, item.id, "failed", error.reason)


class Delivery:
    """All lanes; the runner kicks it after every commit."""

    def __init__(self, db: Database, clock: Clock, channels: Sequence[Channel]) -> None:
        self._db = db
        self.lanes = {c.name: Lane(c, db, clock) for c in channels}
        self._releasing: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        """Start every lane."""
        for lane in self.lanes.values():
            lane.start()

    def kick(self) -> None:
        """Wake every lane."""
        for lane in self.lanes.values():
            lane.kick()

    def offer(self, items: Sequence[OutboxItem], queued_more: bool) -> None:
        """After a commit: take the rows it claimed for us; claim the rest as usual."""
        refused: list[int] = []
        for item in items:
            lane = self.lanes.get(item.channel)
            if lane is None:
                refused.append(item.id)
            else:
                refused.extend(lane.offer([item]))
        if refused:
            task = asyncio.create_task(self._release(refused))
            self._releasing.add(task)
            task.add_done_callback(self._releasing.discard)
        elif queued_more:
            self.kick()

    async def _release(self, item_ids: list[int]) -> None:
        try:
            async with self._db.write() as conn:
                await outbox.release(conn, item_ids)
        except Exception:  # the claims then lapse on their own after the hold
            log.exception("handing back %d claimed rows failed", len(item_ids))
        self.kick()

    async def settle(self) -> None:
        """Wait until every lane has nothing due."""
        while self._releasing:  # handed-back rows are due again once released
            await asyncio.gather(*list(self._releasing), return_exceptions=True)
        for lane in self.lanes.values():
            await lane.settle()

    async def stop(self) -> None:
        """Stop every lane after its batch in hand."""
        if self._releasing:
            await asyncio.gather(*self._releasing, return_exceptions=True)
        await asyncio.gather(*(lane.stop() for lane in self.lanes.values()))
