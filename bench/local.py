"""A throwaway application for benchmarks: a SQLite file in a temporary folder, migrated, with
the demo units, started and stopped around the caller."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot import cli_ops
from bot.app import Application
from bot.settings import Settings
from storage.migrate import upgrade


@asynccontextmanager
async def local_app(prefix: str) -> AsyncIterator[Application]:
    """A started application on a fresh SQLite file, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        folder = Path(tmp)
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite:///{folder / 'bench.db'}",
            media_dir=folder / "media",
        )
        await upgrade(settings.database_url)
        app = Application(settings)
        await cli_ops.import_units(app.db, cli_ops.DEMO_UNITS)
        await app.start()
        try:
            yield app
        finally:
            await app.stop()
