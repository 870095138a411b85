"""Clean copies of pictures people sent through a chat platform (Telegram, Zalo).

A picture sent in a chat app carries what the phone put in it (position, camera, time) as
long as the platform keeps it (Telegram keeps everything in a picture sent as a file). The
bot fetches every picture of a nomination once, decodes it with the same checks as the web
chat's uploads (a decompression bomb is refused from its header), writes it anew as JPEG
without metadata, and from then on shows and publishes that copy instead of the platform's.
Videos and voice notes stay on their platform; the bot never serves them publicly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime

from handlers.ports import Media
from storage import nominations
from storage.db import Database

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
# A file's bytes from its platform reference (at most `limit` bytes), or None.
Fetch = Callable[[str, int], Awaitable[bytes | None]]
BATCH = 20
SWEEP_SECONDS = 60.0


def _reencode(data: bytes) -> bytes | None:
    # Pillow is imported on the first picture, in the worker thread: a bot that only
    # answers messages never loads it (tests/test_process_imports.py).
    from bot.web.evidence import reencode_image

    return reencode_image(data)


class EvidenceFetcher:
    """Makes the clean copies in the background: woken after each step, and every minute."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        sources: Mapping[str, Fetch],
        media: Media,
        max_bytes: int,
    ) -> None:
        self._db = db
        self._clock = clock
        self._sources = dict(sources)
        self._media = media
        self._max_bytes = max_bytes
        self._kicked = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def kick(self) -> None:
        """Something was committed: there may be pictures to fetch."""
        self._kicked.set()

    def start(self) -> None:
        """Begin fetching in the background."""
        if self._sources:
            self._task = asyncio.create_task(self._loop(), name="evidence-fetch")

    async def stop(self) -> None:
        """Stop fetching (a picture in hand is fetched again after a restart)."""
        # The flag as well as the cancel: Python 3.11's wait_for can swallow a cancel that
        # lands as the event it waits for is set.
        self._stopping = True
        self._kicked.set()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def settle(self) -> None:
        """Fetch until nothing is left (tests, and `settle` of the application)."""
        if self._sources:
            while await self.run_once():
                pass

    async def _loop(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._kicked.wait(), SWEEP_SECONDS)
            self._kicked.clear()
            try:
                while not self._stopping and await self.run_once():
                    pass
            except Exception:
                log.exception("fetching evidence pictures failed; retrying at the next sweep")

    async def run_once(self) -> int:
        """Fetch and clean one batch; how many pictures were settled."""
        async with self._lock:
            async with self._db.read() as conn:
                items = await nominations.evidence_to_fetch(conn, list(self._sources), BATCH)
            for item in items:
                name = await self._clean_copy(item.channel, item.file_ref)
                async with self._db.write() as conn:
                    kept = await nominations.set_clean_copy(conn, item.id, name, self._clock())
                if name is not None and not kept:
                    await self._media.delete(name)
            return len(items)

    async def _clean_copy(self, channel: str, file_ref: str) -> str | None:
        try:
            data = await self._sources[channel](file_ref, self._max_bytes)
        except Exception as error:  # a platform error must not stop the others
            log.warning("a %s picture could not be fetched (%s)", channel, type(error).__name__)
            return None
        if data is None:
            return None
        clean = await asyncio.to_thread(_reencode, data)
        if clean is None:
            log.info("a %s picture was not an image the bot accepts; kept on its platform", channel)
            return None
        return await self._media.put(clean, "jpg")
