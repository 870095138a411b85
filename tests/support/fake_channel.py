"""An outbox-level fake platform: records sends, injects 429s, 5xx and blocked chats."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from starlette.routing import BaseRoute

from bot.channels.base import Capabilities, Failure, SendError
from handlers.types import Reply


@dataclass
class FakeChannel:
    """Channel "fake": every send is recorded; failures are drawn from a seeded random."""

    name: str = "fake"
    capabilities: Capabilities = field(
        default_factory=lambda: Capabilities(buttons=False, text_limit=2000, edits=False)
    )
    seed: int = 1
    rate_limited: float = 0.0
    server_errors: float = 0.0
    retry_after: float = 0.0
    blocked: set[str] = field(default_factory=set)
    sent: list[tuple[str, Reply]] = field(default_factory=list)
    calls: int = 0

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Accept, or fail the way a platform does."""
        self.calls += 1
        if chat_id in self.blocked:
            raise SendError(Failure.BLOCKED, "403 bot was blocked by the user")
        draw = self._random.random()
        if draw < self.rate_limited:
            raise SendError(Failure.RATE_LIMITED, "429 too many requests", self.retry_after)
        if draw < self.rate_limited + self.server_errors:
            raise SendError(Failure.TEMPORARY, "502 bad gateway")
        self.sent.append((chat_id, reply))
        return str(len(self.sent))

    def routes(self) -> list[BaseRoute]:
        """No HTTP routes."""
        return []

    async def start(self) -> None:
        """Nothing to start."""

    async def stop(self) -> None:
        """Nothing to stop."""
