"""Pacing sends: an overall rate and a minimum interval per chat, with pauses on 429."""

from __future__ import annotations

import asyncio
import time


class Pacer:
    """Spaces sends so a platform's limits are never reached (time is real, monotonic)."""

    def __init__(self, rate: float | None, chat_rate: float | None) -> None:
        self._interval = 1.0 / rate if rate else 0.0
        self._chat_interval = 1.0 / chat_rate if chat_rate else 0.0
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
        chat_slot = max(slot, self._chat_next.get(chat_id, 0.0))
        self._chat_next[chat_id] = chat_slot + self._chat_interval
        if len(self._chat_next) > 10_000:
            self._forget_old(now)
        delay = chat_slot - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if self._chat_interval:
            # Count the chat's interval from the moment the send really goes (a late wake-up
            # must not bring the next message closer than the platform allows).
            self._chat_next[chat_id] = time.monotonic() + self._chat_interval

    def chat_delay(self, chat_id: str) -> float:
        """Seconds until this chat may take another message (0: now)."""
        return max(0.0, self._chat_next.get(chat_id, 0.0) - time.monotonic())

    def pause(self, seconds: float) -> None:
        """Hold every send of the channel (a global flood-wait)."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def _forget_old(self, now: float) -> None:
        self._chat_next = {k: v for k, v in self._chat_next.items() if v > now}
