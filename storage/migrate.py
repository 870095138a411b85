"""Bring the schema up to date with Alembic, from code (the CLI and `run` call this).

Alembic weighs about 10 MB of memory once imported, and `run` calls this at every start. So
the stored revision is read first, and Alembic is imported only when there is work for it.
Revision files are numbered (`0005_….py` holds revision "0005"); a test holds the newest
number equal to Alembic's head.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.db import Database, ensure_sqlite_folder, normalise_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def newest_revision() -> str:
    """The number of the newest revision file (Alembic's head, as the test checks)."""
    files = (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")
    return max(path.name[:4] for path in files)


async def stored_revision(url: str) -> str | None:
    """The revision the database is at; None when it has none (new or never migrated)."""
    db = Database(url)
    try:
        async with db.read() as conn:
            found = await conn.execute(text("SELECT version_num FROM alembic_version"))
            return found.scalar_one_or_none()
    except DBAPIError:
        return None
    finally:
        await db.close()


def upgrade_sync(url: str) -> None:
    """Upgrade to head; runs its own event loop, so call it outside one (or in a thread)."""
    ensure_sqlite_folder(url)
    if asyncio.run(stored_revision(url)) == newest_revision():
        return
    from alembic import command

    command.upgrade(alembic_config(url), "head")


async def upgrade(url: str) -> None:
    """Upgrade to head from async code."""
    await asyncio.to_thread(upgrade_sync, url)
