"""Files Zalo (OA and Bot) sends as links to its CDN, fetched for bot/media_fetch.py.

Apart from the other media code, so that a bot without Zalo loads no HTTP client for it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import urlsplit

import aiohttp

from bot.channels.http import Session, timeouts

log = logging.getLogger(__name__)


def host_allowed(url: str, hosts: Sequence[str]) -> bool:
    """Whether a platform's file URL may be fetched: only from the platform's CDN domains
    (or their subdomains), never a host an event names otherwise. Zalo's CDN links may be
    plain http (channels.md A.3)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme in ("http", "https") and any(
        host == h or host.endswith("." + h) for h in hosts
    )


class CdnFiles:
    """Fetches files that Zalo (OA and Bot) sends as CDN links, from allowed hosts only."""

    def __init__(self, hosts: Sequence[str]) -> None:
        self._hosts = [h.strip().lower() for h in hosts if h.strip()]
        self._http = Session(limit=4, timeout=timeouts(read=20.0, connect=5.0, pool=20.0))

    async def fetch(self, url: str, limit: int) -> bytes | None:
        """The file's bytes, or None (not an allowed host, an error, or larger than `limit`)."""
        if not host_allowed(url, self._hosts):
            return None
        try:
            # No redirects: a CDN link that points elsewhere could name any host.
            async with self._http.get().get(url, allow_redirects=False) as response:
                if response.status != 200:
                    return None
                data = bytearray()
                async for chunk in response.content.iter_chunked(65_536):
                    data += chunk
                    if len(data) > limit:
                        return None
                return bytes(data)
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("a platform file could not be fetched (%s)", type(error).__name__)
            return None

    async def close(self) -> None:
        """Release the connections."""
        await self._http.close()
