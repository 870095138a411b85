"""A fake chat platform at the channel port, for the broadcast bench and the crash test.

It enforces Telegram's sending limits (about 30 messages/s overall, 1/s per chat) when asked,
answering 429 with retry_after like the Bot API; it injects 429s, 5xx and blocked chats at
given rates; and it can append every accepted send to a log file, so a parent process can
count what reached "the platform" even after the bot was killed.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from starlette.routing import BaseRoute

from bot.channels.base import Capabilities, Failure, SendError
from handlers.types import Reply


@dataclass
class Limits:
    """What the platform tolerates (None: no limit)."""

    per_second: float | None = 30.0
    per_chat_interval: float | None = 1.0


@dataclass
class FakePlatform:
    """Channel "tg" by default; every accepted message is recorded (and logged if asked)."""

    name: str = "tg"
    capabilities: Capabilities = field(
        default_factory=lambda: Capabilities(buttons=True, text_limit=4096, edits=True)
    )
    limits: Limits = field(default_factory=lambda: Limits(None, None))
    rate_limited: float = 0.0
    server_errors: float = 0.0
    blocked_share: float = 0.0
    retry_after: float = 1.0
    seed: int = 7
    log_path: Path | None = None
    accepted: int = 0
    throttled: int = 0
    errors: int = 0
    arrivals: dict[str, float] = field(default_factory=dict)
    # Chats someone waits on (the bench's chatting members): set when a message arrives.
    waiters: dict[str, asyncio.Event] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._window: deque[float] = deque()
        self._chat_last: dict[str, float] = {}
        self._log = (
            os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
            if self.log_path
            else None
        )

    def is_blocked(self, chat_id: str) -> bool:
        """A fixed share of chats blocked the bot (decided by the chat id, stable across runs)."""
        return random.Random(f"{self.seed}:{chat_id}").random() < self.blocked_share

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Accept the message, or fail as the platform would."""
        now = time.monotonic()
        if self.is_blocked(chat_id):
            raise SendError(Failure.BLOCKED, "403 Forbidden: bot was blocked by the user")
        self._enforce(chat_id, now)
        draw = self._random.random()
        if draw < self.rate_limited:
            self.throttled += 1
            raise SendError(Failure.RATE_LIMITED, "429 Too Many Requests", self.retry_after)
        if draw < self.rate_limited + self.server_errors:
            self.errors += 1
            raise SendError(Failure.TEMPORARY, "502 Bad Gateway")
        self.accepted += 1
        self.arrivals[chat_id] = now
        if chat_id in self.waiters:
            self.waiters.pop(chat_id).set()
        if self._log is not None:
            # One write per message: a SIGKILL of the bot cannot lose what the "platform" got.
            os.write(self._log, f"{chat_id}\n".encode())
        return str(self.accepted)

    def _enforce(self, chat_id: str, now: float) -> None:
        limits = self.limits
        if limits.per_chat_interval is not None:
            last = self._chat_last.get(chat_id)
            if last is not None and now - last < limits.per_chat_interval:
                self.throttled += 1
                raise SendError(Failure.RATE_LIMITED, "429 (chat)", limits.per_chat_interval)
        if limits.per_second is not None:
            while self._window and now - self._window[0] >= 1.0:
                self._window.popleft()
            if len(self._window) >= limits.per_second:
                self.throttled += 1
                raise SendError(Failure.RATE_LIMITED, "429 (flood)", 1.0)
            self._window.append(now)
        self._chat_last[chat_id] = now

    def routes(self) -> list[BaseRoute]:
        """No HTTP routes: the fake sits at the channel port."""
        return []

    async def start(self) -> None:
        """Nothing to poll."""

    async def stop(self) -> None:
        """Close the log."""
        if self._log is not None:
            os.close(self._log)
            self._log = None
