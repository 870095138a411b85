"""Waiting on a fake's state without polling: woken by every change, from any thread.

A fake serves on its own thread and loop; tests wait from a plain thread or from their own
event loop. `Changes.notify()` (called under or outside the fake's lock) wakes blocked threads
through a Condition and asyncio waiters through `call_soon_threadsafe`, so a condition is
re-checked exactly when something happened, never on a timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Changes:
    """Wakes whoever waits for a condition on a fake's state when that state changes."""

    def __init__(self, lock: threading.RLock) -> None:
        self.condition = threading.Condition(lock)
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    def notify(self) -> None:
        """Something changed: every waiter checks its condition again."""
        with self.condition:
            self.condition.notify_all()
            waiters = list(self._waiters)
        for loop, event in waiters:
            with contextlib.suppress(RuntimeError):  # that loop has closed
                loop.call_soon_threadsafe(event.set)

    def wait(self, check: Callable[[], T | None], timeout: float) -> T:
        """Block this thread until `check()` (run under the lock) is truthy; its value."""
        with self.condition:
            value = self.condition.wait_for(check, timeout)
        if not value:
            raise TimeoutError(f"condition not met within {timeout}s")
        return value

    async def wait_async(self, check: Callable[[], T | None], timeout: float) -> T:
        """Like `wait`, for a coroutine: the caller's loop keeps running meanwhile."""
        loop = asyncio.get_running_loop()
        event = asyncio.Event()
        waiter = (loop, event)
        with self.condition:
            self._waiters.add(waiter)
        try:
            async with asyncio.timeout(timeout):
                while True:
                    event.clear()
                    with self.condition:
                        value = check()
                    if value:
                        return value
                    await event.wait()
        except TimeoutError:
            raise TimeoutError(f"condition not met within {timeout}s") from None
        finally:
            with self.condition:
                self._waiters.discard(waiter)
