"""Our own getUpdates loop: an update is recorded before the offset moves past it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TimedOut

from bot.channels.telegram_inbound import ALLOWED_UPDATES

log = logging.getLogger(__name__)
# python-telegram-bot 22 warns when retry_after is read as seconds; we read timedeltas.
os.environ.setdefault("PTB_TIMEDELTA", "true")

# Records a batch durably, the next offset written in the same transaction.
TakeBatch = Callable[[Sequence[Update], int], Awaitable[None]]
BACKOFF_START = 0.5
BACKOFF_MAX = 30.0


class PollStatus:
    """What /healthz says about polling."""

    def __init__(self) -> None:
        self.state = "starting"
        self.last_error: str | None = None
        self.conflicts = 0

    def as_dict(self) -> dict[str, object]:
        """The status as JSON."""
        return {"state": self.state, "last_error": self.last_error, "conflicts": self.conflicts}


class Poller:
    """Long-polls getUpdates; the offset is only ever derived from what was recorded."""

    def __init__(
        self,
        bot: Bot,
        take: TakeBatch,
        offset: int | None,
        *,
        timeout: int = 25,
        limit: int = 100,
    ) -> None:
        self._bot = bot
        self._take = take
        self.offset = offset
        self._timeout = timeout
        self._limit = limit
        self.status = PollStatus()
        self._stopping = asyncio.Event()
        # True while a batch is being recorded: stopping then waits instead of cancelling.
        self.busy = False

    def stop(self) -> None:
        """Ask the loop to end after the call in hand."""
        self._stopping.set()

    async def run(self) -> None:
        """Poll until stopped; every error is logged, backed off and retried, never fatal."""
        delay = BACKOFF_START
        while not self._stopping.is_set():
            try:
                updates = await self._bot.get_updates(
                    offset=self.offset,
                    limit=self._limit,
                    timeout=self._timeout,
                    allowed_updates=list(ALLOWED_UPDATES),
                    read_timeout=self._timeout + 10,
                )
                self.status.state = "polling"
                if updates:
                    # If recording fails nothing moves: the same updates come back next time.
                    next_offset = updates[-1].update_id + 1
                    self.busy = True
                    try:
                        await self._take(updates, next_offset)
                    finally:
                        self.busy = False
                    self.offset = next_offset
                delay = BACKOFF_START
                continue
            except Conflict as error:
                self.status.state = "conflict"
                self.status.conflicts += 1
                self.status.last_error = error.message
                log.error(
                    "Telegram polling conflict: another process polls with this bot token "
                    "(or a webhook is set); retrying in %.1f s: %s",
                    delay,
                    error.message,
                )
            except RetryAfter as error:
                delay = max(delay, retry_seconds(error))
                self.status.last_error = "rate limited"
                log.warning("getUpdates rate limited; waiting %.1f s", delay)
            except TimedOut:
                continue  # a long poll that outlived its read timeout: just ask again
            except (NetworkError, InvalidToken) as error:
                self.status.state = "error"
                self.status.last_error = str(error)[:200]
                log.warning("getUpdates failed (%s); retrying in %.1f s", error, delay)
            except Exception:
                self.status.state = "error"
                self.status.last_error = "recording updates failed"
                log.exception("taking a batch of updates failed; it will be fetched again")
            await self._wait(delay)
            delay = min(delay * 2, BACKOFF_MAX)

    async def _wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)


def retry_seconds(error: RetryAfter) -> float:
    """RetryAfter's wait in seconds (a timedelta under PTB_TIMEDELTA, an int before)."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
