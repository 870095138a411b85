"""Notifications between instances: PostgreSQL's LISTEN/NOTIFY, and the same within a process.

A write transaction collects what it wants to tell (`Connection.notify(topic, payload)`);
when it commits, every listener of the topic hears it: the committing process's own at once,
other instances' through PostgreSQL's NOTIFY (sent in the transaction, so delivered at its
commit and never after a rollback). On SQLite (one process) there are only the process's own.

What travels is a wake-up, never data: a lane is told its channel has new rows, a web chat
page that its messages were marked sent; each then reads the database. A listener that lost
its connection may have missed some, so after reconnecting every topic hears `RESYNC`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncpg

log = logging.getLogger(__name__)

Listener = Callable[[str], None]
Note = tuple[str, str]
# PostgreSQL channel names of the bot's topics (one database per deployment).
OUTBOX = "gs_outbox"  # payload: a channel name whose outbox has rows to claim
DELIVERED = "gs_delivered"  # payload: "channel chat chat …" whose rows were marked sent
LEASES = "gs_leases"  # payload: a lease name given up (others may take it at once)
# Payload: "session N", "account N" or "person N" whose web sessions ended or changed (what
# instances remember of sessions must go: bot/web/sessions.py).
SESSIONS = "gs_sessions"
# Told to every listener after notifications may have been missed (a reconnect).
RESYNC = "*"
# NOTIFY payloads must stay under 8,000 bytes.
MAX_PAYLOAD = 7000
RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0)


class Hub:
    """The process's listeners, and the instance id that marks its own notifications."""

    def __init__(self, instance: str, *, hearing: bool = True) -> None:
        self.instance = instance
        self._listeners: dict[str, list[Listener]] = {}
        # Whether every notification committed anywhere reaches this process's listeners:
        # always in one process (SQLite); on PostgreSQL only while the listening connection
        # is up (what it missed meanwhile is lost: RESYNC follows the reconnect).
        self.hearing = hearing

    @property
    def topics(self) -> list[str]:
        """Topics someone in this process listens to."""
        return list(self._listeners)

    def listen(self, topic: str, listener: Listener) -> None:
        """Call `listener(payload)` for every notification on `topic` (on the event loop)."""
        self._listeners.setdefault(topic, []).append(listener)

    def deliver(self, notes: Iterable[Note]) -> None:
        """Tell this process's listeners (after the transaction that made them committed)."""
        for topic, payload in notes:
            for listener in self._listeners.get(topic, ()):
                try:
                    listener(payload)
                except Exception:  # one listener's bug must not silence the others
                    log.exception("a listener of %s failed", topic)

    def on_wire(self, payload: str) -> str:
        """The payload as sent to other instances: marked with this instance's id."""
        return f"{self.instance}:{payload}"

    def heard(self, topic: str, wired: str) -> None:
        """A notification from the server; this instance's own were delivered already."""
        sender, _, payload = wired.partition(":")
        if sender != self.instance:
            self.deliver([(topic, payload)])

    def resync(self) -> None:
        """Tell every listener that it may have missed something."""
        self.deliver([(topic, RESYNC) for topic in self._listeners])


def chunked(prefix: str, words: Iterable[str]) -> list[str]:
    """`prefix word word …` payloads, each under NOTIFY's size limit."""
    payloads: list[str] = []
    current = prefix
    for word in words:
        if len(current) + 1 + len(word) > MAX_PAYLOAD:
            payloads.append(current)
            current = prefix
        current += " " + word
    if current != prefix:
        payloads.append(current)
    return payloads


class ServerListener:
    """One connection of its own that LISTENs to every topic of the hub (PostgreSQL only).

    Reconnects with backoff when the server drops it; after a reconnect every listener hears
    RESYNC, since notifications sent meanwhile are lost.
    """

    def __init__(self, hub: Hub, connect_params: Mapping[str, Any]) -> None:
        self._hub = hub
        self._params = dict(connect_params)
        self._conn: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()
        self._stopping = False

    async def start(self) -> None:
        """Connect and listen; raises when the first connection fails (the bot cannot run)."""
        await self._connect()
        self._task = asyncio.create_task(self._watch(), name="db:listen")

    async def stop(self) -> None:
        """Close the connection."""
        self._stopping = True
        self._hub.hearing = False
        self._lost.set()
        if self._task is not None:
            await self._task
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None

    async def _connect(self) -> None:
        # Imported here: a bot on SQLite never loads asyncpg (16 MB; test_process_imports).
        import asyncpg

        conn = await asyncpg.connect(**self._params)
        for topic in self._hub.topics:
            await conn.add_listener(topic, self._heard)
        conn.add_termination_listener(lambda _conn: self._lose())
        self._conn = conn
        self._hub.hearing = True

    def _lose(self) -> None:
        self._hub.hearing = False
        self._lost.set()

    def _heard(self, _conn: Any, _pid: int, topic: str, payload: str) -> None:
        self._hub.heard(topic, payload)

    async def _watch(self) -> None:
        import asyncpg

        while True:
            await self._lost.wait()
            if self._stopping:
                return
            self._lost.clear()
            log.warning("the database connection for notifications was lost; reconnecting")
            for delay in itertools.chain(RECONNECT_SECONDS, itertools.repeat(RECONNECT_SECONDS[-1])):  # noqa: E501
                await asyncio.sleep(delay)
                if self._stopping:
                    return
                try:
                    await self._connect()
                except (OSError, asyncpg.PostgresError) as error:
                    log.warning("reconnecting for notifications failed: %s", type(error).__name__)
                    continue
                break
            self._hub.resync()
