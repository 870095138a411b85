"""Albums: their parts arrive as separate updates; hold a sender's events while one arrives.

Every part is recorded in the inbox on arrival (durability does not wait). Only the hand-over
to the runner waits a moment, so that when the first part is handled the others are already
recorded and the conversation answers once per album. A sender's later events wait behind
the album to keep their order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from handlers.types import Inbound

Submit = Callable[[int, Inbound], None]
SenderKey = tuple[str, str]


class AlbumHold:
    """Delays the hand-over of a sender's events while an album of theirs is arriving."""

    def __init__(self, submit: Submit, wait: float) -> None:
        self._submit = submit
        self._wait = wait
        self._held: dict[SenderKey, list[tuple[int, Inbound]]] = {}
        self._timers: dict[SenderKey, asyncio.TimerHandle] = {}
        self._empty = asyncio.Event()
        self._empty.set()

    def offer(self, item_id: int, inbound: Inbound) -> None:
        """Hand the event over now, or hold it while the sender's album is arriving."""
        key = (inbound.channel, inbound.sender_id)
        album = any(a.group_id for a in inbound.attachments)
        if key not in self._held and not album:
            self._submit(item_id, inbound)
            return
        self._held.setdefault(key, []).append((item_id, inbound))
        self._empty.clear()
        if album:  # each new part restarts the wait
            timer = self._timers.pop(key, None)
            if timer is not None:
                timer.cancel()
            loop = asyncio.get_running_loop()
            self._timers[key] = loop.call_later(self._wait, self._release, key)

    def _release(self, key: SenderKey) -> None:
        self._timers.pop(key, None)
        for item_id, inbound in self._held.pop(key, []):
            self._submit(item_id, inbound)
        if not self._held:
            self._empty.set()

    def release_all(self) -> None:
        """Hand over everything now (shutdown)."""
        for key in list(self._held):
            timer = self._timers.pop(key, None)
            if timer is not None:
                timer.cancel()
            self._release(key)

    async def settle(self) -> None:
        """Wait until nothing is held."""
        await self._empty.wait()
