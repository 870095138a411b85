"""Flood limits and fault injection for the fake Bot API (not thread-safe; callers hold a lock)."""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass
from typing import TypeVar

from tests.fakes.telegram_types import ApiError, too_many_requests


class RateLimiter:
    """Telegram's documented broadcast limits.

    * private chat: about one message per second; a token bucket tolerating a burst of
      ``private_burst`` messages;
    * group: ``group_per_minute`` messages per sliding minute;
    * overall: ``global_per_second`` messages per sliding second.
    """

    def __init__(
        self,
        private_burst: int = 3,
        private_per_second: float = 1.0,
        group_per_minute: int = 20,
        global_per_second: int = 30,
    ) -> None:
        self.private_burst = private_burst
        self.private_per_second = private_per_second
        self.group_per_minute = group_per_minute
        self.global_per_second = global_per_second
        self._buckets: dict[int, tuple[float, float]] = {}
        self._groups: dict[int, deque[float]] = {}
        self._global: deque[float] = deque()

    def reset(self) -> None:
        self._buckets.clear()
        self._groups.clear()
        self._global.clear()

    @staticmethod
    def _prune(window: deque[float], now: float, span: float) -> None:
        while window and window[0] <= now - span:
            window.popleft()

    def check(self, chat_id: int, private: bool, now: float) -> None:
        """Consume one message slot for ``chat_id`` or raise a 429 ApiError."""
        waits: list[float] = []
        self._prune(self._global, now, 1.0)
        if len(self._global) >= self.global_per_second:
            waits.append(self._global[0] + 1.0 - now)
        tokens = float(self.private_burst)
        window: deque[float] | None = None
        if private:
            tokens, last = self._buckets.get(chat_id, (float(self.private_burst), now))
            tokens = min(float(self.private_burst), tokens + (now - last) * self.private_per_second)
            if tokens < 1.0:
                waits.append((1.0 - tokens) / self.private_per_second)
        else:
            window = self._groups.setdefault(chat_id, deque())
            self._prune(window, now, 60.0)
            if len(window) >= self.group_per_minute:
                waits.append(window[0] + 60.0 - now)
        if waits:
            raise too_many_requests(max(1, math.ceil(max(waits))))
        self._global.append(now)
        if private:
            self._buckets[chat_id] = (tokens - 1.0, now)
        elif window is not None:
            window.append(now)


@dataclass
class Fault:
    status: int
    description: str
    retry_after: int | None
    remaining: int

    def error(self) -> ApiError:
        return ApiError(self.status, self.description, self.retry_after)


@dataclass
class Hang:
    seconds: float
    process: bool
    remaining: int


_Item = TypeVar("_Item", Fault, Hang)


def _key(method: str | None) -> str:
    return "*" if method in (None, "*") else str(method).lower()


class FaultPlan:
    """Scripted (``fail_next``/``hang_next``) and seeded random faults."""

    def __init__(self) -> None:
        self._failures: dict[str, list[Fault]] = {}
        self._hangs: dict[str, list[Hang]] = {}
        self.rate_429 = 0.0
        self.rate_5xx = 0.0
        self.retry_after: float = 1
        self._rng = random.Random(0)

    def fail_next(
        self, method: str | None, status: int, description: str, retry_after: int | None, count: int
    ) -> None:
        self._failures.setdefault(_key(method), []).append(
            Fault(status, description, retry_after, count)
        )

    def hang_next(self, method: str | None, seconds: float, count: int, process: bool) -> None:
        self._hangs.setdefault(_key(method), []).append(Hang(seconds, process, count))

    def set_rates(
        self, rate_429: float, rate_5xx: float, seed: int | None, retry_after: float
    ) -> None:
        self.rate_429 = rate_429
        self.rate_5xx = rate_5xx
        self.retry_after = retry_after
        self._rng = random.Random(seed)

    def clear(self) -> None:
        self._failures.clear()
        self._hangs.clear()
        self.rate_429 = self.rate_5xx = 0.0

    @staticmethod
    def _take(table: dict[str, list[_Item]], method: str) -> _Item | None:
        for key in (method.lower(), "*"):
            queue = table.get(key)
            if queue:
                item = queue[0]
                item.remaining -= 1
                if item.remaining <= 0:
                    queue.pop(0)
                return item
        return None

    def take_hang(self, method: str) -> Hang | None:
        return self._take(self._hangs, method)

    def take_failure(self, method: str, random_eligible: bool) -> ApiError | None:
        fault = self._take(self._failures, method)
        if fault is not None:
            return fault.error()
        if random_eligible and (self.rate_429 > 0 or self.rate_5xx > 0):
            roll = self._rng.random()
            if roll < self.rate_429:
                return too_many_requests(self.retry_after)
            if roll < self.rate_429 + self.rate_5xx:
                return ApiError(500, "Internal Server Error")
        return None
