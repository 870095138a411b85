"""Pacing sends: an overall rate and a rate per chat, with pauses on 429."""

from __future__ import annotations

import asyncio
import time


class Pacer:
    """Spaces sends so a platform's limits are never reached (time is real, monotonic).

    Each chat is paced by the generic cell rate algorithm: `chat_burst` messages may leave at
    once, then one per chat interval. Group chats (ids starting with "-", as on Telegram) use
    `group_rate` when it is given.
    """

    def __init__(
        self,
        rate: float | None,
        chat_rate: float | None,
        *,
        chat_burst: int = 1,
        group_rate: float | None = None,
    ) -> None:
        self._interval = 1.0 / rate if rate else 0.0
        self._chat_interval = 1.0 / chat_rate if chat_rate else 0.0
        self._group_interval = 1.0 / group_rate if group_rate else self._chat_interval
        self._burst = max(1, chat_burst)
        self._next_slot = 0.0
        self._chat_next: dict[str, float] = {}
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    async def wait(self, chat_id: str) -> None:
        """Sleep until both the channel and this chat may take another message."""
        async with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot, self._paused_until)
            self._next_slot = slot + self._interval
        interval = self._group_interval if chat_id.startswith("-") else self._chat_interval
        # The chat's theoretical arrival time; up to burst-1 intervals early is tolerated.
        due = max(slot, self._chat_next.get(chat_id, 0.0))
        chat_slot = max(slot, due - (self._burst - 1) * interval)
        self._chat_next[chat_id] = due + interval
        if len(self._chat_next) > 10_000:
            self._forget_old(now)
        delay = chat_slot - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if interval:
            # Count from the moment the send really goes: a late wake-up must not bring the
            # next message closer than the platform allows.
            self._chat_next[chat_id] = max(due, time.monotonic()) + interval

    async def wait_chat(self, chat_id: str) -> None:
        """Sleep until this chat may take another message, reserving nothing meanwhile.

        `wait` takes a slot of the overall rate before it waits for the chat; a sender calls
        this first, so a slow chat does not hold an overall slot it cannot use.
        """
        delay = self.chat_delay(chat_id)
        if delay > 0:
            await asyncio.sleep(delay)

    def chat_delay(self, chat_id: str) -> float:
        """Seconds until this chat may take another message (0: now)."""
        interval = self._group_interval if chat_id.startswith("-") else self._chat_interval
        allowed = self._chat_next.get(chat_id, 0.0) - (self._burst - 1) * interval
        return max(0.0, allowed - time.monotonic())

    def pause(self, seconds: float) -> None:
        """Hold every send of the channel (a global flood-wait)."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def _forget_old(self, now: float) -> None:
        self._chat_next = {k: v for k, v in self._chat_next.items() if v > now}
