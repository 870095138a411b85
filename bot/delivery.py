"""The outbox sender: one lane per channel, on the one instance that sends for the channel.

One way in. A row reaches a lane only already claimed (its `claimed_until` set) and only
through `Lane.take`: from the lane's own claim of due rows, or from a step that claimed its
replies as it inserted them (`outbox.enqueue_claimed`) and hands them over after its commit,
so a reply leaves without a second transaction. From then on the lane owns the row until
it is settled:

    row:   taken ─▶ queued behind its chat ─▶ routed ─▶ sent ─▶ marked sent (group write)
                                                 │        └─▶ failed ─▶ final, or retried later
                                                 └─▶ settled without a call (outside Zalo's
                                                     window, a progress step nobody can see)
    chat:  (absent) ─take─▶ SENDING: one task sends its rows in order ─▶ (absent)
                              └─ a row to retry ─▶ WAITING: rows arriving meanwhile go back
                                 to the database, until the lane claims the waiting row again
    lane:  STANDBY ─(this instance gets the channel's send lease)─▶ ACTIVE ─▶ STOPPED
                   ◀─(the lease is lost: rows in hand go back)──────┘

Order: a chat's rows leave one at a time in the order they were taken; the claim query never
returns a row behind one waiting to retry, and a WAITING chat hands back what arrives.
Pacing: `Pacer` (overall rate, per-chat rate and burst, 429 pauses). Only the holder of the
channel's send lease (bot/leases.py) has an ACTIVE lane, so however many instances run, the
platform sees one sender: the budget is shared and a chat's order kept by construction.
Room: the lane's own claims take at most CLAIM_SECONDS of sending, so a reply queued during
a broadcast waits behind that much bulk at most; replies handed over by steps are always taken.
Settled rows are written in groups (`_Ledger`): one transaction for everything sent (and
handed back) meanwhile. A crash before that write sends those rows again once their claim
lapses, or at once when the next sender takes the lease and frees the channel's claims: at
least once, with duplicates bounded by the rows in hand.
Routing (`_route`) decides per row what a send is; a new way to reach people (templates
outside a window) is one more decision there.

A channel whose readers fetch from the outbox (the web chat: `reads_outbox`) has no call to
make: marking a row sent is delivering it, and numbering it (the delivery sequence a page
reads in, per chat). A step delivers its replies to its own chat as it inserts them, on
whichever instance it runs (`outbox.enqueue_claimed`'s `deliver`); the lane's work is a
delivery for the rest (`outbox.deliver_due`: bulk messages, notifications to other chats),
which leaves the chats a step is handling for a retry shortly after. Either way a chat's
numbers are given by one writer at a time, after its last committed one: a page that read up
to a number never misses a smaller one committed later. Nothing of such a channel is ever
claimed or taken.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from bot.channels.base import Channel, Failure, SendError
from bot.ratelimit import Pacer
from handlers.messages import t
from handlers.types import Reply
from storage import notify, outbox, people, redaction
from storage.db import Database
from storage.rows import OutboxItem

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Waits before the 2nd, 3rd, … attempt of a temporary failure; then the message has failed.
BACKOFF = (timedelta(seconds=2), timedelta(seconds=15), timedelta(minutes=2), timedelta(minutes=10))
# A paced lane claims at most this much sending time at once, so that a reply queued during a
# broadcast waits behind at most that many bulk messages (replies are claimed first).
CLAIM_SECONDS = 0.15
# A delivery that left due rows to the steps handling their chats (outbox.deliver_due) tries
# again this soon: a step commits within milliseconds, and nothing wakes the lane when it does.
HELD_RETRY_SECONDS = 0.02


class LaneState(Enum):
    """Whether this instance sends the lane's channel."""

    STANDBY = "standby"  # another instance holds the channel's send lease
    ACTIVE = "active"  # claiming and sending
    STOPPED = "stopped"  # shutting down: the sends in flight finish, the rest goes back


@dataclass
class _Chat:
    """One chat's rows in hand; `task` sends them in order."""

    queue: deque[OutboxItem] = field(default_factory=deque)
    task: asyncio.Task[None] | None = None
    # A row of this chat waits to retry: later rows go back until the lane claims it again.
    waiting: bool = False


class Lane:
    """Sends one channel's outbox rows: each chat in order, different chats at once."""

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
        announce: bool = False,
    ) -> None:
        self.channel = channel
        self.state = LaneState.STANDBY
        self._db = db
        self._clock = clock
        caps = channel.capabilities
        rate = caps.rate_per_second
        self._batch = min(batch, max(1, int(rate * CLAIM_SECONDS))) if rate else batch
        self._backoff = tuple(backoff)
        self._hold = hold
        self._sweep = sweep_seconds
        self._concurrency = asyncio.Semaphore(caps.send_concurrency)
        self.pacer = Pacer(
            caps.rate_per_second,
            caps.chat_rate_per_second,
            chat_burst=caps.chat_burst,
            group_rate=caps.group_rate_per_second,
        )
        self._chats: dict[str, _Chat] = {}
        self._in_hand: set[int] = set()  # taken and not yet settled
        # Readers fetch this channel's messages from the outbox (the web chat): marking a row
        # sent is delivering it, so due rows are delivered by a statement, never claimed.
        self.numbered = caps.reads_outbox
        self._ledger = _Ledger(db, clock, channel.name, announce)
        # Rows whose chat is waiting for its own pace: they take no room meanwhile.
        self._pace_waits = 0
        self._starved = False  # the last claim was skipped: the room was full
        self._kicked = asyncio.Event()
        self._quiet = asyncio.Event()
        self._quiet.set()
        self._idle = False  # the loop waits for a kick after a claim that found nothing
        self._task: asyncio.Task[None] | None = None
        # Bulk rows settled as unreachable without a call (outside the proactive window).
        self.outside_window = 0

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Become the channel's sender with the claims as they are (one instance, tests)."""
        if self.state is LaneState.ACTIVE:
            return
        self.state = LaneState.ACTIVE
        self._quiet.clear()
        self._task = asyncio.create_task(self._loop(), name=f"lane:{self.channel.name}")

    async def activate(self) -> None:
        """This instance got the channel's send lease: free what the previous sender had
        claimed (it is gone or has stopped), then claim and send."""
        async with self._db.write(single=True) as conn:
            await outbox.release_claims(conn, self.channel.name)
        self.start()

    async def deactivate(self) -> None:
        """The lease is lost: finish the sends in flight, hand the rest back, stand by."""
        await self._wind_down(LaneState.STANDBY)

    async def stop(self) -> None:
        """Finish the sends in flight and hand the rest back (shutdown)."""
        await self._wind_down(LaneState.STOPPED)

    async def _wind_down(self, state: LaneState) -> None:
        self.state = state
        self._kicked.set()
        task, self._task = self._task, None
        if task is not None:
            await task
        await self._ledger.idle()
        self._quiet.set()

    def kick(self) -> None:
        """Rows were committed or freed: claim now rather than at the next sweep."""
        if self.state is LaneState.ACTIVE:
            self._quiet.clear()
            self._kicked.set()

    async def settle(self) -> None:
        """Wait until nothing due is left and everything settled is written (tests, shutdown)."""
        while True:
            await self._quiet.wait()
            await self._ledger.idle()  # its write may free rows and kick the lane again
            if self._quiet.is_set():
                return

    # -- the one way in ----------------------------------------------------------------------
    def take(self, items: Sequence[OutboxItem]) -> None:
        """Rows claimed for this lane, by its own claim or by a step that queued them."""
        if self.state is not LaneState.ACTIVE:
            # The lease went elsewhere meanwhile: the new sender claims them.
            self._ledger.hand_back([i.id for i in items])
            return
        if items:
            self._quiet.clear()
        for item in items:
            if item.id in self._in_hand:
                continue  # claimed again while waiting in hand (its claim had lapsed)
            chat = self._chats.get(item.chat_id)
            if chat is None:
                chat = self._chats[item.chat_id] = _Chat()
            if chat.waiting:
                if item.status != "retrying":
                    self._ledger.hand_back([item.id])
                    continue
                chat.waiting = False  # the row it waited for is back, at the head
            self._in_hand.add(item.id)
            chat.queue.append(item)
            if chat.task is None:
                chat.task = asyncio.create_task(self._send_chat(item.chat_id, chat))

    # -- claiming ----------------------------------------------------------------------------
    async def _loop(self) -> None:
        # Claim continuously rather than batch by batch: a reply committed while other chats'
        # sends are in flight (slow networks) leaves at once instead of waiting for them.
        while self.state is LaneState.ACTIVE:
            self._kicked.clear()
            room = self._batch - (len(self._in_hand) - self._pace_waits)
            self._starved = room <= 0
            items: list[OutboxItem] = []
            got = held = 0
            if room > 0 and self.numbered:
                delivered = await self._ledger.deliver_due(room)
                got, held = len(delivered.chats), delivered.held
            elif room > 0:
                try:
                    async with self._db.write(single=True) as conn:
                        items = await outbox.claim_due(
                            conn, self.channel.name, self._clock(), room, self._hold
                        )
                except Exception:
                    log.exception("claiming outbox rows of %s failed", self.channel.name)
                got = len(items)
            self.take(items)
            if room > 0 and got and got + held >= room:
                # More may be due: claim again at once (not when every row was left to a
                # step: the same rows would come back until it commits).
                continue
            # Fewer than asked: none else was due when the claim ran. Rows committed since
            # kicked the lane (so the wait below ends at once); those due later come with the
            # sweep. Claiming again anyway cost one statement per wake-up, and under load a
            # wake-up per reply another instance queued.
            self._idle = not held  # rows are still due: not quiet
            self._check_quiet()
            # Rows left to the steps handling their chats: again once those have committed.
            wait = min(self._sweep, HELD_RETRY_SECONDS) if held else self._sweep
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._kicked.wait(), wait)
            self._idle = False
        chats = [c.task for c in self._chats.values() if c.task is not None]
        await asyncio.gather(*chats, return_exceptions=True)
        self._chats.clear()

    def _check_quiet(self) -> None:
        """Quiet: the last claim found nothing, nothing was committed since, no chat sends."""
        busy = any(chat.task is not None for chat in self._chats.values())
        if self._idle and not self._kicked.is_set() and not busy:
            self._quiet.set()

    # -- sending -----------------------------------------------------------------------------
    async def _send_chat(self, chat_id: str, chat: _Chat) -> None:
        """One chat's rows in order; a row to retry sends the rest back to wait behind it."""
        try:
            while chat.queue and self.state is LaneState.ACTIVE:
                item = chat.queue[0]
                settled = await self._deliver(item)
                chat.queue.popleft()
                self._in_hand.discard(item.id)
                if not settled:
                    chat.waiting = True
                    break
        except Exception:
            log.exception("sending to a chat on %s failed", self.channel.name)
        finally:
            # No await from here on: nothing can join a queue that is being given up.
            rest = [item.id for item in chat.queue]
            chat.queue.clear()
            self._in_hand.difference_update(rest)
            self._ledger.hand_back(rest)
            chat.task = None
            if not chat.waiting or self.state is not LaneState.ACTIVE:
                self._chats.pop(chat_id, None)
            if self._starved:
                self._kicked.set()  # room again: claim now
            self._check_quiet()

    async def _deliver(self, item: OutboxItem) -> bool:
        """Send one row; False when it waits to be retried (its chat must wait with it)."""
        reply = await self._route(item)
        if reply is None:
            return True
        await self._wait_for_chat(item.chat_id)
        try:
            async with self._concurrency:
                await self.pacer.wait(item.chat_id)
                platform_id = await self.channel.send(item.chat_id, reply)
        except SendError as error:
            return await self._failed(item, error)
        except Exception as error:  # an adapter bug must not stop the lane
            log.exception("send of outbox %s raised", item.id)
            return await self._failed(item, SendError(Failure.TEMPORARY, repr(error)))
        # A code shown once is stripped in the transaction that marks it sent (the web chat
        # reads its messages back from the outbox, so there it stays for the page).
        secret = reply.secret and not self.channel.capabilities.reads_outbox
        self._ledger.mark_sent(item, platform_id, secret=secret)
        return True

    async def _route(self, item: OutboxItem) -> Reply | None:
        """What sending this row means here: the reply to send, or None when it was settled
        without a call."""
        if await self._outside_window(item):
            return None
        reply = Reply.model_validate(item.payload)
        if reply.template is not None:  # a paid template send is idempotent by its row
            reply = reply.model_copy(update={"outbox_id": item.id})
        if reply.replace_key is None or self.numbered:
            return reply  # (a page replaces the bubble by its replace_key itself)
        if not self.channel.capabilities.edits:
            if not reply.minor:
                return reply
            # An intermediate progress report: channels without edits get milestones only.
            async with self._db.write(single=True) as conn:
                await outbox.mark_final(conn, item.id, "skipped", "channel cannot edit")
            return None
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
        async with self._db.write(single=True) as conn:
            await outbox.mark_final(conn, item.id, "unreachable", "outside the proactive window")
        self.outside_window += 1
        return True

    async def _wait_for_chat(self, chat_id: str) -> None:
        """A chat's own pace first, holding nothing.

        A member chatting fast during a broadcast must not keep a send slot, a slot of the
        overall rate or the lane's room for claimed rows idle while their chat waits: the
        room is given back for the wait, so bulk rows for other chats fill the rate meanwhile.
        """
        if self.pacer.chat_delay(chat_id) <= 0:
            return
        self._pace_waits += 1
        if self._starved:
            self._kicked.set()
        try:
            await self.pacer.wait_chat(chat_id)
        finally:
            self._pace_waits -= 1

    async def _failed(self, item: OutboxItem, error: SendError) -> bool:
        """Record a failed send; False when the row will be retried."""
        now = self._clock()
        log.warning(
            "send of outbox %s on %s: %s (%s)",
            item.id,
            self.channel.name,
            error.failure,
            error.reason[:100],
        )
        retry = error.failure == Failure.RATE_LIMITED or (
            error.failure == Failure.TEMPORARY and item.attempts < len(self._backoff)
        )
        async with self._db.write() as conn:
            if error.failure == Failure.RATE_LIMITED:
                wait = error.retry_after or 1.0
                self.pacer.pause(wait)
                await outbox.mark_retry(
                    conn, item.id, error.reason, now + timedelta(seconds=wait), count_attempt=False
                )
            elif retry:
                await outbox.mark_retry(
                    conn, item.id, error.reason, now + self._backoff[item.attempts]
                )
            elif error.failure in (Failure.NOT_SENT, Failure.OUTSIDE_WINDOW):
                await outbox.mark_final(conn, item.id, "unreachable", error.reason)
                self.outside_window += 1
            elif error.failure in (Failure.BLOCKED, Failure.UNREACHABLE):
                await outbox.mark_final(conn, item.id, str(error.failure), error.reason)
                if item.identity_id is not None:
                    await people.mark_unreachable(conn, item.identity_id, now)
            else:
                await outbox.mark_final(conn, item.id, "failed", error.reason)
        return not retry


class _Ledger:
    """Writes what a lane settled, in groups: the rows sent and the rows handed back meanwhile
    go in one transaction (a broadcast marks hundreds of rows per commit, not one each)."""

    def __init__(self, db: Database, clock: Clock, channel: str, announce: bool) -> None:
        self._db = db
        self._clock = clock
        self._channel = channel
        # Tell the web chat's pollers, on every instance, which chats have new messages.
        self._announce = announce
        self._wanted: list[tuple[int, asyncio.Future[outbox.Delivered]]] = []
        self._sent: list[tuple[int, str | None]] = []
        self._secret: list[int] = []
        self._chats: set[str] = set()
        self._retried_sent = False  # a retried row was sent: its chat's later rows are free
        self._back: list[int] = []
        self._writer: asyncio.Task[None] | None = None

    def mark_sent(self, item: OutboxItem, platform_id: str | None, *, secret: bool) -> None:
        """The platform accepted this row (`secret`: it showed a code to strip now)."""
        self._sent.append((item.id, platform_id))
        if secret:
            self._secret.append(item.id)
        self._chats.add(item.chat_id)
        self._retried_sent = self._retried_sent or item.status == "retrying"
        self._write_soon()

    def hand_back(self, item_ids: Collection[int]) -> None:
        """These claimed rows were not tried: free them to be claimed again in order."""
        if item_ids:
            self._back.extend(item_ids)
            self._write_soon()

    async def deliver_due(self, limit: int) -> outbox.Delivered:
        """(Numbered) Deliver up to `limit` due rows, in turn with the marks."""
        future: asyncio.Future[outbox.Delivered] = asyncio.get_running_loop().create_future()
        self._wanted.append((limit, future))
        self._write_soon()
        return await future

    async def idle(self) -> None:
        """Wait until everything handed in is written (or its write failed)."""
        while self._writer is not None and not self._writer.done():
            await self._writer

    def _write_soon(self) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())

    async def _write(self) -> None:
        try:
            await self._write_all()
        finally:
            # A delivery asked for and never run (the write failed) found nothing.
            wanted, self._wanted = self._wanted, []
            for _, future in wanted:
                if not future.done():
                    future.set_result(outbox.Delivered([]))

    async def _write_all(self) -> None:
        # The writes run one at a time: a delivery numbers each chat's rows after its last
        # committed one, so two at once would give the same numbers. Marks first: they free
        # the rows a delivery would otherwise leave behind them. A delivery asked for runs
        # after at most one write of marks, however fast replies keep coming.
        while self._sent or self._back or self._wanted:
            if self._sent or self._back:
                await self._write_marks()
            if self._wanted:
                await self._deliver()

    async def _write_marks(self) -> None:
        """One transaction: the rows marked sent and handed back so far."""
        sent, self._sent = self._sent, []
        secret, self._secret = self._secret, []
        chats, self._chats = self._chats, set()
        retried, self._retried_sent = self._retried_sent, False
        back, self._back = self._back, []
        try:
            # One statement alone runs without BEGIN and COMMIT on PostgreSQL.
            statements = bool(sent) + bool(secret) + bool(back)
            async with self._db.write(single=statements == 1) as conn:
                # Told at commit; made first, so that one row marked sent carries them.
                if retried:
                    # A claim made before this commit still saw the row waiting.
                    conn.notify(notify.OUTBOX, self._channel)
                if self._announce:
                    for payload in notify.chunked(self._channel, sorted(chats)):
                        conn.notify(notify.DELIVERED, payload)
                if sent:
                    await outbox.mark_sent_many(conn, sent, self._clock())
                    await redaction.redact_outbound(conn, secret, t("privacy.code_removed"))
                if back:
                    await outbox.release(conn, self._channel, back)
        except Exception:
            # Sent rows are sent again once their claim lapses; freed ones lapse anyway.
            log.exception(
                "writing %d sent and %d freed rows of %s failed",
                len(sent),
                len(back),
                self._channel,
            )

    async def _deliver(self) -> None:
        wanted, self._wanted = self._wanted, []
        limit = max(limit for limit, _ in wanted)
        delivered = outbox.Delivered([])
        try:
            # PostgreSQL locks the rows and their chats first, then numbers (two statements).
            async with self._db.write(single=self._db.is_sqlite) as conn:
                delivered = await outbox.deliver_due(conn, self._channel, self._clock(), limit)
        except Exception:
            log.exception("delivering due rows of %s failed", self._channel)
        for _, future in wanted:
            if not future.done():
                future.set_result(delivered)


class Delivery:
    """Every channel's lane; steps hand over the replies they claimed, notifications kick."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        channels: Sequence[Channel] = (),
    ) -> None:
        self._db = db
        self._clock = clock
        self.lanes: dict[str, Lane] = {}
        for channel in channels:
            self.add(channel)

    def add(self, channel: Channel, *, announce: bool = False) -> None:
        """A lane for this channel (`announce`: tell listeners which chats got messages)."""
        self.lanes[channel.name] = Lane(channel, self._db, self._clock, announce=announce)

    def start(self) -> None:
        """Send every channel from this instance with the claims as they are (tests, benches)."""
        for lane in self.lanes.values():
            lane.start()

    def claims(self) -> frozenset[str]:
        """The channels this instance sends now: a step claims its replies for these."""
        return frozenset(
            name
            for name, lane in self.lanes.items()
            if lane.state is LaneState.ACTIVE and not lane.numbered
        )

    def delivers(self) -> frozenset[str]:
        """The channels whose readers fetch from the outbox (the web chat): on whichever
        instance, a step delivers its replies to its own chat there as it inserts them."""
        return frozenset(name for name, lane in self.lanes.items() if lane.numbered)

    def take(self, items: Sequence[OutboxItem]) -> None:
        """After a step's commit: the rows it claimed, each to its channel's lane."""
        for item in items:
            self.lanes[item.channel].take([item])

    def kick(self) -> None:
        """Wake every lane."""
        for lane in self.lanes.values():
            lane.kick()

    def heard(self, channel: str) -> None:
        """An OUTBOX notification: that channel has rows to claim (RESYNC: any may)."""
        lane = self.lanes.get(channel)
        if lane is not None:
            lane.kick()
        elif channel == notify.RESYNC:
            self.kick()

    async def settle(self) -> None:
        """Wait until every lane has nothing due."""
        for lane in self.lanes.values():
            await lane.settle()

    async def stop(self) -> None:
        """Stop every lane after its sends in flight."""
        await asyncio.gather(*(lane.stop() for lane in self.lanes.values()))
