"""Hourly housekeeping of the web surface: exports past their retention, ended sessions,
old rate windows, spent or expired console links, and browsers' accounts whose sessions have
all ended."""

from __future__ import annotations

from datetime import timedelta

from handlers.ports import export_made_at
from scheduler.core import JobContext
from storage import accounts, console_links, limits, web_sessions

# Ended sessions are kept this long (the device list's "signed out" history, audits).
SESSION_HISTORY = timedelta(days=30)
WINDOW_HISTORY = timedelta(days=1)
LINK_HISTORY = timedelta(days=1)
# Browsers that never joined: their session ends after a day (bot/web/sessions.py).
GUEST_DAY = timedelta(days=1)


async def purge_web(ctx: JobContext) -> dict[str, int]:
    """Delete what has outlived its purpose; idempotent (a second run finds nothing)."""
    exports = 0
    folder = ctx.config.media_dir
    if folder.is_dir():
        for path in folder.glob("*.xlsx"):
            made = export_made_at(path.name)
            if made is not None and made <= ctx.now - ctx.config.export_retention:
                path.unlink(missing_ok=True)
                exports += 1
    sessions = await web_sessions.purge_ended(ctx.conn, ctx.now - SESSION_HISTORY)
    sessions += await web_sessions.purge_guests(ctx.conn, ctx.now - GUEST_DAY)
    windows = await limits.purge_windows(ctx.conn, ctx.now - WINDOW_HISTORY)
    # One-time console links: kept a day after their use or end (the audit log keeps that
    # one was made and used), then gone.
    links = await console_links.purge_links(ctx.conn, ctx.now - LINK_HISTORY)
    idle_floor = ctx.now - ctx.config.web_session_idle
    abandoned = await accounts.abandoned_web_accounts(ctx.conn, ctx.now, idle_floor)
    for identity_id in abandoned:
        await accounts.end_web_account(ctx.conn, identity_id, ctx.now)
    return {
        "exports_deleted": exports,
        "sessions_purged": sessions,
        "windows_purged": windows,
        "console_links_purged": links,
        "browsers_signed_out": len(abandoned),
    }
