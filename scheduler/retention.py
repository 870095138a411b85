"""The retention purge: personal data goes once its purpose is served (README, "Personal data:
retention"). Hourly, claimed once across instances, in batches of short transactions so that
replies never wait behind it for long; `python -m bot purge [--dry-run]` runs the same steps.

Every step is idempotent: a second run, or a run on another instance, finds nothing left.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.mediafiles import delete_files
from handlers.ports import export_made_at
from scheduler.core import BatchContext
from storage import accounts, console_links, limits, retention, web_sessions, zalo_templates
from storage.db import Connection
from storage.retention import Batch
from storage.schema import inbox, outbox

# Ended web sessions are kept this long (the device list's history); rate windows a day;
# a browser that never joined keeps its session a day (bot/web/sessions.py).
SESSION_HISTORY = timedelta(days=30)
WINDOW_HISTORY = timedelta(days=1)
GUEST_DAY = timedelta(days=1)
# One-time console links: kept a day after their use or end (the audit log keeps that one was
# made and used), then gone.
LINK_HISTORY = timedelta(days=1)

Count = Callable[[Connection], Awaitable[int]]
Apply = Callable[[Connection, int], Awaitable[Batch]]
# Told of each committed batch with its rule's name (bench/purge.py tags its timings).
OnBatch = Callable[[str, Batch], None]


@dataclass(frozen=True)
class Purge:
    """One kind of data past its retention: how to count it and how to purge a batch."""

    name: str
    count: Count
    apply: Apply


def purges(now: datetime, ctx: BatchContext) -> list[Purge]:
    """Every retention rule, with its cutoff computed from the settings."""
    config = ctx.config
    messages = now - config.message_retention
    drafts = now - timedelta(days=config.draft_ttl_days)
    rejected = now - config.rejected_evidence_retention
    phones = now - zalo_templates.PHONE_RETENTION

    def stripped(table: object) -> Purge:
        assert table is inbox or table is outbox
        return Purge(
            f"{table.name}_stripped",
            lambda conn: retention.count_messages(conn, table, messages),
            lambda conn, n: retention.strip_messages(conn, table, messages, now, n),
        )

    return [
        stripped(inbox),
        stripped(outbox),
        Purge(
            "drafts_dropped",
            lambda conn: retention.count_drafts(conn, drafts),
            lambda conn, n: retention.drop_drafts(conn, drafts, n),
        ),
        Purge(
            "uploads_deleted",
            lambda conn: retention.count_unused_uploads(conn, drafts),
            lambda conn, n: retention.drop_unused_uploads(conn, drafts, n),
        ),
        Purge(
            "rejected_evidence_deleted",
            lambda conn: retention.count_rejected_evidence(conn, rejected),
            _resuming(
                lambda conn, n, after: retention.drop_rejected_evidence(conn, rejected, n, after)
            ),
        ),
        Purge(
            "template_phones_deleted",
            lambda conn: zalo_templates.count_stale_phones(conn, phones),
            lambda conn, n: zalo_templates.drop_stale_phones(conn, phones, n),
        ),
        Purge(
            "withdrawn_cards_deleted",
            retention.count_withdrawn_cards,
            retention.drop_withdrawn_cards,
        ),
        Purge(
            "strangers_forgotten",
            lambda conn: retention.count_strangers(conn, drafts),
            lambda conn, n: retention.forget_strangers(conn, drafts, now, n),
        ),
        Purge(
            "job_runs_pruned",
            lambda conn: retention.count_job_runs(conn, now - config.job_runs_retention),
            lambda conn, n: retention.prune_job_runs(conn, now - config.job_runs_retention, n),
        ),
        Purge(
            "audit_pruned",
            lambda conn: retention.count_audit(conn, now - config.audit_retention),
            lambda conn, n: retention.prune_audit(conn, now - config.audit_retention, n),
        ),
        Purge(
            "sessions_purged",
            lambda conn: web_sessions.count_purgeable(conn, now - SESSION_HISTORY, now - GUEST_DAY),
            lambda conn, n: _sessions(conn, now),
        ),
        Purge(
            "windows_purged",
            lambda conn: limits.count_windows(conn, now - WINDOW_HISTORY),
            lambda conn, n: _windows(conn, now),
        ),
        Purge(
            "console_links_purged",
            lambda conn: console_links.count_purgeable(conn, now - LINK_HISTORY),
            lambda conn, n: _links(conn, now),
        ),
        Purge(
            "browsers_signed_out",
            lambda conn: _abandoned_count(conn, now, ctx),
            lambda conn, n: _sign_out_abandoned(conn, now, ctx, n),
        ),
    ]


def _resuming(apply: Callable[[Connection, int, int], Awaitable[Batch]]) -> Apply:
    """A rule that goes through a table in id order, each batch starting after the last id
    the previous one took (this run's cursor: a new run starts from the beginning, so what a
    cut-short run left is found again)."""
    cursor = 0

    async def resumed(conn: Connection, limit: int) -> Batch:
        nonlocal cursor
        batch = await apply(conn, limit, cursor)
        cursor = batch.last_id
        return batch

    return resumed


async def _sessions(conn: Connection, now: datetime) -> Batch:
    ended = await web_sessions.purge_ended(conn, now - SESSION_HISTORY)
    return Batch(rows=ended + await web_sessions.purge_guests(conn, now - GUEST_DAY))


async def _windows(conn: Connection, now: datetime) -> Batch:
    return Batch(rows=await limits.purge_windows(conn, now - WINDOW_HISTORY))


async def _links(conn: Connection, now: datetime) -> Batch:
    return Batch(rows=await console_links.purge_links(conn, now - LINK_HISTORY))


async def _abandoned_count(conn: Connection, now: datetime, ctx: BatchContext) -> int:
    idle_floor = now - ctx.config.web_session_idle
    return len(await accounts.abandoned_web_accounts(conn, now, idle_floor))


async def _sign_out_abandoned(
    conn: Connection, now: datetime, ctx: BatchContext, limit: int
) -> Batch:
    """Browsers whose sessions all ended are unlinked from their person."""
    idle_floor = now - ctx.config.web_session_idle
    found = (await accounts.abandoned_web_accounts(conn, now, idle_floor))[:limit]
    for identity_id in found:
        await accounts.end_web_account(conn, identity_id, now)
    return Batch(rows=len(found))


async def expired_exports(ctx: BatchContext, now: datetime) -> list[str]:
    """Temporary files (spreadsheets, charts, downloads, card previews) past their hours."""
    media = ctx.config.media
    if media is None:
        return []
    cutoff = now - ctx.config.export_retention
    return [
        name
        for name in await media.names("")
        if (made := export_made_at(name)) is not None and made <= cutoff
    ]


async def purge(ctx: BatchContext, on_batch: OnBatch | None = None) -> dict[str, int]:
    """Apply every retention rule (or, in a dry run, count what each would take)."""
    now = ctx.now
    limit = ctx.config.purge_batch
    result: dict[str, int] = {}
    for rule in purges(now, ctx):
        if ctx.dry_run:
            async with ctx.db.read() as conn:
                result[rule.name] = await rule.count(conn)
            continue
        total = 0
        while True:
            async with ctx.db.write() as conn:
                batch = await rule.apply(conn, limit)
            if on_batch is not None:
                on_batch(rule.name, batch)
            # Files go once the rows that named them are gone for good.
            await delete_files(ctx.config.media, batch.files)
            total += batch.rows
            if batch.rows < limit:
                break
            # The WAL is copied back in a thread while replies go first (SQLite: otherwise
            # the commit that fills it does the copying, holding everyone up).
            await ctx.db.checkpoint()
        result[rule.name] = total
    exports = await expired_exports(ctx, now)
    if not ctx.dry_run:
        await delete_files(ctx.config.media, exports)
    result["exports_deleted"] = len(exports)
    return result
