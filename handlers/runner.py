"""The runner: handles recorded inbound events one person at a time, one transaction a step.

One person's events are handled in the order they were recorded, one at a time, whichever
instance recorded them. In this process a queue per sender orders them; between instances
the database does: a step handles the sender's oldest pending event (`steps.open_step`,
which on PostgreSQL waits for another instance's step of that sender to commit), and the
account's row, written first in every step, is locked until the step commits. An instance
that dies leaves its events pending; after the lease term any instance takes them over
(`take_over`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from handlers.config import CoreConfig
from handlers.dispatch import dispatch
from handlers.mediafiles import delete_files
from handlers.messages import t
from handlers.outgoing import notification_messages
from handlers.turn import Cleanup, StepRaced, Turn
from handlers.types import Inbound, Reply
from storage import inbox, outbox, redaction
from storage.conversations import load_turn, state_write
from storage.db import Connection, Database
from storage.rows import Identity, OutboxItem
from storage.sql import Write
from storage.steps import Opened, open_step

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
SenderKey = tuple[str, str]
# How often a step that lost a race (`StepRaced`) runs: its rerun normally reads the loss.
RACE_ATTEMPTS = 3


class Handoff(Protocol):
    """Where a step's replies go: claimed as they are inserted, taken after the commit."""

    def claims(self) -> Collection[str]:
        """The channels whose replies this instance claims (those it sends)."""
        ...

    def delivers(self) -> Collection[str]:
        """The channels whose readers fetch from the outbox: a step delivers its replies
        there as it inserts them."""
        ...

    def take(self, items: Sequence[OutboxItem], *, evidence: bool) -> None:
        """Rows a step claimed, after its commit (`evidence`: it recorded some)."""
        ...


class Runner:
    """Per-sender queues over the inbox; different senders are served concurrently."""

    def __init__(self, db: Database, config: CoreConfig, clock: Clock, handoff: Handoff) -> None:
        self._db = db
        self._config = config
        self._clock = clock
        self._handoff = handoff
        self._queues: dict[SenderKey, deque[int]] = {}
        self._workers: dict[SenderKey, asyncio.Task[None]] = {}
        self._done: dict[int, asyncio.Event] = {}
        # Events handed over with their content, so the step need not read it back.
        self._inbounds: dict[int, Inbound] = {}
        self._idle = asyncio.Event()
        self._idle.set()
        self._stopping = False

    def submit(self, item_id: int, key: SenderKey, inbound: Inbound | None = None) -> None:
        """Queue a recorded event behind earlier ones of the same sender."""
        if self._stopping:
            return
        if inbound is not None:
            self._inbounds[item_id] = inbound
        self._done.setdefault(item_id, asyncio.Event())
        self._queues.setdefault(key, deque()).append(item_id)
        self._idle.clear()
        if key not in self._workers:
            self._workers[key] = asyncio.create_task(self._work(key), name=f"runner:{key[0]}")

    async def wait_handled(self, item_id: int, timeout: float = 30.0) -> None:
        """Wait until a submitted event has been handled (or failed)."""
        event = self._done.get(item_id)
        if event is not None:
            await asyncio.wait_for(event.wait(), timeout)

    async def recover(self, before: datetime | None = None) -> int:
        """Queue the events recorded but not handled: all of them (a start), or those
        received before `before` (left by an instance that died: `take_over`)."""
        async with self._db.read() as conn:
            items = await inbox.pending_inbox(conn, before)
        queued = 0
        for item in items:
            if item.id not in self._done:  # not queued here already
                self.submit(item.id, (item.channel, item.sender_id))
                queued += 1
        return queued

    async def take_over(self, term: float) -> int:
        """Queue events left pending longer than the lease term (their instance died)."""
        return await self.recover(before=self._clock() - timedelta(seconds=term))

    @property
    def busy(self) -> bool:
        """Whether any event is queued or being handled."""
        return bool(self._workers)

    async def idle(self) -> None:
        """Wait until no event is queued or being handled."""
        await self._idle.wait()

    async def stop(self) -> None:
        """Take no new work; let the step in progress of each sender finish."""
        self._stopping = True
        for queue in self._queues.values():
            queue.clear()
        self._inbounds.clear()
        if self._workers:
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def _work(self, key: SenderKey) -> None:
        queue = self._queues[key]
        try:
            while queue:
                item_id = queue.popleft()
                try:
                    await self._handle(key, item_id)
                finally:
                    done = self._done.pop(item_id, None)
                    if done:
                        done.set()
        finally:
            del self._workers[key]
            if not queue:
                self._queues.pop(key, None)
            if not self._workers:
                self._idle.set()

    async def _handle(self, key: SenderKey, upto: int) -> None:
        """Handle the sender's events up to this one, the earlier ones first (another
        instance may have recorded them); done when none up to it is pending any more."""
        while True:
            try:
                handled = await self._step(key, upto)
            except Exception:  # the database, most likely: the events wait for a later try
                log.exception("handling a sender's events up to inbox item %s failed", upto)
                return
            if handled is None or handled == upto:
                return

    async def _step(self, key: SenderKey, upto: int) -> int | None:
        """Handle the sender's next event in one transaction: state, domain rows, replies.

        Returns its id, or None when none up to `upto` was left (handled elsewhere)."""
        for attempt in range(1, RACE_ATTEMPTS + 1):
            now = self._clock()
            item_id: int | None = None
            try:
                async with self._db.write() as conn:
                    # Closed first, in the step's transaction: a rollback reopens it.
                    guess = self._chat_of(key, upto)
                    opened = await open_step(conn, key, upto, now, guess)
                    if opened is None:
                        return None
                    item_id = opened.item_id
                    claimed, cleanup = await self._handle_event(conn, opened, guess, now)
            except StepRaced:
                if attempt < RACE_ATTEMPTS:
                    log.info("inbox item %s lost a race for a row; handling it again", item_id)
                    continue
                log.error("inbox item %s lost the race %d times", item_id, attempt)
                assert item_id is not None  # raised by the flow, after the opening
                await self._fail(item_id)
                return item_id
            except Exception:
                if item_id is None:
                    raise
                log.exception("inbox item %s failed", item_id)
                await self._fail(item_id)
                return item_id
            self._handoff.take(claimed, evidence=cleanup.evidence)
            if cleanup:
                await self._clean(cleanup)
            return item_id
        raise AssertionError("unreachable")

    async def _clean(self, cleanup: Cleanup) -> None:
        """After an erasure's commit: its files, the spreadsheets naming the person, and the
        database files' copies of the deleted rows. A failure here is logged; the purge
        finds unreferenced files again."""
        try:
            await delete_files(self._config.media, cleanup.files)
            if cleanup.texts and self._config.documents is not None:
                await self._config.documents.forget(cleanup.texts)
            if cleanup.scrub:
                await self._db.scrub()
        except Exception:
            log.exception("cleaning up after an erasure failed")

    def _chat_of(self, key: SenderKey, upto: int) -> tuple[str, str]:
        """The chat the step's event most likely came from: the one recorded here, or the
        sender's own (their private chat with the bot, as on every channel we serve)."""
        inbound = self._inbounds.get(upto)
        return (inbound.channel, inbound.chat_id) if inbound is not None else key

    async def _handle_event(
        self, conn: Connection, opened: Opened, guess: tuple[str, str], now: datetime
    ) -> tuple[list[OutboxItem], Cleanup]:
        """The step's work once its event is closed and its sender's account touched: the
        replies claimed for this instance and what is left to clean after the commit."""
        item_id, identity, loaded = opened
        inbound = self._inbounds.pop(item_id, None) or await self._recorded(conn, item_id)
        limit = self._config.messages_per_minute
        if limit and identity.rate_count > limit:
            return await self._too_fast(conn, item_id, inbound, identity, now), Cleanup()
        chat = (inbound.channel, inbound.chat_id)
        if chat != guess:
            # An earlier event of the sender's, from another chat, came first: the last
            # message that chat received is another one.
            loaded = await load_turn(conn, identity.id, (*chat, now))
        person, memberships, state, latest, waiting = loaded
        turn = Turn(
            conn=conn,
            inbound=inbound,
            identity=identity,
            person=person,
            memberships=memberships,
            state=state,
            now=now,
            config=self._config,
            latest_delivered=latest,
        )
        await dispatch(turn)
        # Saved with the replies (one statement on PostgreSQL).
        saving = None if turn.forgotten else state_write(conn, identity.id, turn.state, now)
        if turn.secret_inbound:
            await redaction.redact_inbound(conn, item_id)
        messages = [
            outbox.NewMessage(
                channel=inbound.channel,
                chat_id=inbound.chat_id,
                identity_id=identity.id,
                payload=reply.model_dump(mode="json"),
                dedupe_key=f"reply:{item_id}:{n}",
            )
            for n, reply in enumerate(turn.replies)
        ]
        messages += await notification_messages(conn, turn.notifications, f"note:{item_id}")
        # Ids and kinds only: never names, numbers or message text.
        log.debug(
            "handled inbox %s (%s %s, flow %s/%s, %d replies)",
            item_id,
            inbound.channel,
            inbound.kind,
            turn.state.flow,
            turn.state.step,
            len(messages),
        )
        deliver = None if waiting else self._delivered(identity, chat)
        return await self._queue(conn, messages, now, deliver, saving), turn.cleanup

    def _delivered(self, identity: Identity, chat: tuple[str, str]) -> tuple[str, str] | None:
        """The chat whose replies this step delivers as it inserts them: the sender's own,
        where readers fetch from the outbox. The step holds the sender's account row, so no
        other writer numbers that chat's messages until it commits (outbox.deliver_due)."""
        own = chat == (identity.channel, identity.external_id)
        return chat if own and chat[0] in self._handoff.delivers() else None

    async def _queue(
        self,
        conn: Connection,
        messages: list[outbox.NewMessage],
        now: datetime,
        deliver: tuple[str, str] | None = None,
        first: Write | None = None,
    ) -> list[OutboxItem]:
        return await outbox.enqueue_claimed(
            conn, messages, now, outbox.CLAIM_HOLD, self._handoff.claims(), deliver, first
        )

    async def _too_fast(
        self, conn: Connection, item_id: int, inbound: Inbound, identity: Identity, now: datetime
    ) -> list[OutboxItem]:
        """Past the per-minute limit: recorded, not handled; told once per window."""
        log.info("inbox %s not handled: its sender is over the per-minute limit", item_id)
        if identity.rate_count != self._config.messages_per_minute + 1:
            return []
        notice = outbox.NewMessage(
            channel=inbound.channel,
            chat_id=inbound.chat_id,
            identity_id=identity.id,
            payload=Reply(text=t("common.too_fast")).model_dump(mode="json"),
            dedupe_key=f"reply:{item_id}:0",
        )
        return await self._queue(conn, [notice], now)

    @staticmethod
    async def _recorded(conn: Connection, item_id: int) -> Inbound:
        """An event's content as recorded (after a restart, or by another instance)."""
        item = await inbox.get_inbox_item(conn, item_id)
        assert item is not None  # close_next just found it
        return Inbound.model_validate(item.payload)

    async def _fail(self, item_id: int) -> None:
        """Close a failed event and apologise, so one bad message never blocks a person."""
        now = self._clock()
        try:
            async with self._db.write() as conn:
                # Unless another instance handled it meanwhile (the rollback reopened it).
                if not await inbox.close_pending(conn, item_id, "failed", now):
                    return
                item = await inbox.get_inbox_item(conn, item_id)
                assert item is not None
                inbound = Inbound.model_validate(item.payload)
                apology = Reply(text=t("common.error"))
                await outbox.enqueue(
                    conn,
                    [
                        outbox.NewMessage(
                            channel=inbound.channel,
                            chat_id=inbound.chat_id,
                            identity_id=None,
                            payload=apology.model_dump(mode="json"),
                            dedupe_key=f"reply:{item_id}:error",
                        )
                    ],
                    now,
                )
        except Exception:
            log.exception("could not record the failure of inbox item %s", item_id)
