"""The channel port: what every adapter offers the delivery worker and the HTTP app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Protocol

from starlette.routing import BaseRoute

from handlers.types import Reply


@dataclass(frozen=True)
class Capabilities:
    """What a platform can show; the adapter degrades the rest (buttons -> numbered menu)."""

    buttons: bool
    text_limit: int | None
    # Messages per second overall and per chat the platform tolerates (None: no limit).
    rate_per_second: float | None = None
    chat_rate_per_second: float | None = None
    # Bulk messages reach only people who wrote within this long (Zalo OA: 7 days);
    # delivery marks the others unreachable without calling the platform. None: any time.
    proactive_window: timedelta | None = None
    # The adapter decides itself how to reach people outside the window (Zalo OA's template
    # messages): delivery hands it the rows that carry a template (Reply.template).
    templates: bool = False
    # Messages a chat may take at once before its rate applies (Telegram tolerates short bursts).
    chat_burst: int = 1
    # Group chats (negative ids on Telegram) have their own, slower rate (20/min there).
    group_rate_per_second: float | None = None
    # Sends in flight at once (different chats); a slow network needs more to keep pace.
    send_concurrency: int = 8
    # Whether a sent message can be edited (Reply.edit_of); without it progress reports
    # arrive as new messages at milestones only (Reply.minor ones are skipped).
    edits: bool = False
    # The channel's readers fetch sent messages from the outbox (the web chat): a message
    # showing a code is stripped once read there, not once sent.
    reads_outbox: bool = False


class Failure(StrEnum):
    """How a send failed, which decides what delivery does next."""

    TEMPORARY = "temporary"  # timeouts, 5xx: retry with backoff
    RATE_LIMITED = "rate_limited"  # wait retry_after, do not count an attempt
    BLOCKED = "blocked"  # the person blocked the bot: stop for this account
    UNREACHABLE = "unreachable"  # the account cannot be written to (gone, not a follower)
    PERMANENT = "permanent"  # a bad request: never retry
    # The platform was not asked: outside its window with no other way to reach the person
    # (no template, no budget, template sends stopped). Settled unreachable and counted;
    # the account stays reachable (writing again opens the window).
    NOT_SENT = "not_sent"
    # The platform refused this message because the person has not written within its window
    # (Zalo -230/-232): settled unreachable and counted like NOT_SENT; the account stays
    # reachable, so template sends and the next conversation still reach it.
    OUTSIDE_WINDOW = "outside_window"


class SendError(Exception):
    """A send that did not go through, typed for delivery; the text is for logs only."""

    def __init__(self, failure: Failure, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.failure = failure
        self.reason = reason
        self.retry_after = retry_after


class Channel(Protocol):
    """One platform adapter."""

    name: str
    capabilities: Capabilities

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Deliver one message; return the platform's message id; raise SendError."""
        ...

    def routes(self) -> list[BaseRoute]:
        """HTTP routes the adapter serves (webhooks, the web chat page)."""
        ...

    async def start(self) -> None:
        """Begin receiving (polling loops); webhook adapters may do nothing."""
        ...

    async def stop(self) -> None:
        """Stop receiving and release connections."""
        ...
