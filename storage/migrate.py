"""Bring the schema up to date with Alembic, from code (the CLI and `run` call this)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

from storage.db import ensure_sqlite_folder, normalise_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade_sync(url: str) -> None:
    """Upgrade to head; runs its own event loop, so call it outside one (or in a thread)."""
    ensure_sqlite_folder(url)
    command.upgrade(alembic_config(url), "head")


async def upgrade(url: str) -> None:
    """Upgrade to head from async code."""
    await asyncio.to_thread(upgrade_sync, url)
