"""Deleting stored files under the media folder: the one place erasures, withdrawals and
the retention purge remove files, so that a shared media store replaces it alone."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)


def delete_files(media_dir: Path, names: Iterable[str]) -> int:
    """Delete the stored files of these names (plain names only); how many were there."""
    deleted = 0
    for name in set(names):
        if not name or "/" in name or "\\" in name or name.startswith("."):
            log.warning("not a stored file name; left alone")
            continue
        path = media_dir / name
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        deleted += 1
    return deleted
