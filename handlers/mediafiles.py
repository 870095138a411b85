"""Deleting stored files: the one place erasures, withdrawals and the retention purge remove
files, through the media store every instance shares (handlers.ports.Media)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from handlers.ports import Media

log = logging.getLogger(__name__)


async def delete_files(media: Media | None, names: Iterable[str]) -> int:
    """Delete the stored files of these names (plain names only); how many were there."""
    if media is None:
        return 0
    deleted = 0
    for name in set(names):
        if not name or "/" in name or "\\" in name or name.startswith("."):
            log.warning("not a stored file name; left alone")
            continue
        if await media.exists(name):
            await media.delete(name)
            deleted += 1
    return deleted
