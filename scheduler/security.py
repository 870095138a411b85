"""Hourly housekeeping of the web surface: exports past their retention, ended sessions,
old rate windows, and browsers' accounts whose sessions have all ended."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.ports import Media, export_made_at
from scheduler.core import JobContext
from storage import accounts, limits, web_sessions

# Ended sessions are kept this long (the device list's "signed out" history, audits).
SESSION_HISTORY = timedelta(days=30)
WINDOW_HISTORY = timedelta(days=1)
# Browsers that never joined: their session ends after a day (bot/web/sessions.py).
GUEST_DAY = timedelta(days=1)


async def purge_web(ctx: JobContext) -> dict[str, int]:
    """Delete what has outlived its purpose; idempotent (a second run finds nothing)."""
    media = ctx.config.media
    cutoff = ctx.now - ctx.config.export_retention
    exports = await _purge_exports(media, cutoff) if media is not None else 0
    sessions = await web_sessions.purge_ended(ctx.conn, ctx.now - SESSION_HISTORY)
    sessions += await web_sessions.purge_guests(ctx.conn, ctx.now - GUEST_DAY)
    windows = await limits.purge_windows(ctx.conn, ctx.now - WINDOW_HISTORY)
    idle_floor = ctx.now - ctx.config.web_session_idle
    abandoned = await accounts.abandoned_web_accounts(ctx.conn, ctx.now, idle_floor)
    for identity_id in abandoned:
        await accounts.end_web_account(ctx.conn, identity_id, ctx.now)
    return {
        "exports_deleted": exports,
        "sessions_purged": sessions,
        "windows_purged": windows,
        "browsers_signed_out": len(abandoned),
    }


async def _purge_exports(media: Media, cutoff: datetime) -> int:
    """Delete the spreadsheets made before `cutoff`; how many."""
    deleted = 0
    for name in await media.names(".xlsx"):
        made = export_made_at(name)
        if made is not None and made <= cutoff:
            await media.delete(name)
            deleted += 1
    return deleted
