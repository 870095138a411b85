"""Decisions held for their undo window: let it pass, so their notices go out."""

from __future__ import annotations

from bot.app import Application
from tests.support.clock import FakeClock


async def stands(app: Application, clock: FakeClock) -> None:
    """Move past the undo window; what the decisions held is sent."""
    clock.advance(seconds=app.config.undo_window.total_seconds() + 1)
    app.delivery.kick()
    await app.settle()
