"""The retention purge's queries: each takes at most `limit` rows, so that every batch is a
short transaction, and each can count what it would take (the CLI's dry run).

Every function is idempotent: what was purged is not found again. Functions that delete
rows pointing at stored files return the file names; the caller deletes the files once the
transaction has committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, String, Table, cast, delete, func, or_, select, update

from storage import redaction
from storage.db import Connection
from storage.schema import (
    audit_log,
    conversations,
    evidence,
    identities,
    inbox,
    job_runs,
    link_requests,
    nominations,
    nominee_consents,
    outbox,
    publications,
    web_sessions,
    web_uploads,
    zalo_template_phones,
)
from storage.web_sessions import ACCOUNT, changed

SETTLED_OUTBOX_EXPIRED = "expired before it could be sent"


@dataclass
class Batch:
    """What one batch did: rows changed, and stored files that are no longer referenced."""

    rows: int = 0
    files: list[str] = field(default_factory=list)
    # The last row id taken, for rules that go through a table in id order: the next batch
    # starts after it instead of walking again past what the earlier ones deleted.
    last_id: int = 0


async def _count(conn: Connection, statement: object) -> int:
    return int((await conn.execute(statement)).scalar_one())  # type: ignore[call-overload]


# ------------------------------------------------------------------- inbox and outbox payloads
async def count_messages(conn: Connection, table: Table, cutoff: datetime) -> int:
    """Rows of the inbox or outbox past the watermark that are older than the cutoff."""
    floor = await redaction.watermark(conn, table)
    stamp = inbox.c.received_at if table is inbox else outbox.c.created_at
    query = select(func.count()).select_from(table).where(table.c.id > floor, stamp < cutoff)
    return await _count(conn, query)


async def strip_messages(
    conn: Connection, table: Table, cutoff: datetime, now: datetime, limit: int
) -> Batch:
    """Strip the payloads of the next rows (by id) older than the cutoff.

    Ids grow with time, so the rows after the watermark are read in id order and the batch
    stops at the first one newer than the cutoff; the batch is then one statement over an
    id range. A row still waiting (an inbox event never handled, a message never sent in
    days) is settled as failed: it is past use.
    """
    floor = await redaction.watermark(conn, table)
    stamp = inbox.c.received_at if table is inbox else outbox.c.created_at
    rows = list(
        await conn.execute(
            select(table.c.id, stamp).where(table.c.id > floor).order_by(table.c.id).limit(limit)
        )
    )
    # Ids and stamps grow together; a row out of order (two instances) waits its turn.
    newer = next((row_id for row_id, at in rows if at >= cutoff), None)
    older = [row_id for row_id, at in rows if at < cutoff and (newer is None or row_id < newer)]
    if not older:
        return Batch()
    top = max(older)
    span = (table.c.id > floor) & (table.c.id <= top)
    if table is inbox:
        await conn.execute(
            update(inbox)
            .where(span, inbox.c.status == "pending")
            .values(status="failed", handled_at=now)
        )
        changed = await conn.execute(
            update(inbox).where(span).values(payload=redaction.STRIPPED_INBOX, sender_id="")
        )
    else:
        await conn.execute(
            update(outbox)
            .where(span, outbox.c.status.in_(redaction.PENDING_OUTBOX))
            .values(status="failed", last_error=SETTLED_OUTBOX_EXPIRED, claimed_until=None)
        )
        changed = await conn.execute(
            update(outbox).where(span).values(payload=redaction.STRIPPED_OUTBOX)
        )
    await redaction.set_watermark(conn, table, top, now)
    return Batch(rows=int(changed.rowcount))


# ----------------------------------------------------------------------------------- drafts
def _abandoned(cutoff: datetime) -> ColumnElement[bool]:
    # A message held until its sender says what it was for, or a flow put aside, is a
    # draft too (conversations.pending): it goes with them.
    started = conversations.c.flow.is_not(None) | conversations.c.pending.is_not(None)
    return started & (conversations.c.updated_at < cutoff)


async def count_drafts(conn: Connection, cutoff: datetime) -> int:
    """Conversations left in a flow since before the cutoff."""
    query = select(func.count()).select_from(conversations).where(_abandoned(cutoff))
    return await _count(conn, query)


async def drop_drafts(conn: Connection, cutoff: datetime, limit: int) -> Batch:
    """Forget drafts untouched since the cutoff, whether or not their owner writes again."""
    ids = [
        r[0]
        for r in await conn.execute(
            select(conversations.c.identity_id).where(_abandoned(cutoff)).limit(limit)
        )
    ]
    if ids:
        await conn.execute(
            update(conversations)
            .where(conversations.c.identity_id.in_(ids))
            .values(flow=None, step=None, data={}, history=[], menu=None, pending=None)
        )
    return Batch(rows=len(ids))


def _unused_upload(cutoff: datetime) -> ColumnElement[bool]:
    used = (
        select(evidence.c.id)
        .where(evidence.c.channel == "web", evidence.c.file_ref == web_uploads.c.file_name)
        .exists()
    )
    return (web_uploads.c.created_at < cutoff) & ~used


async def files_in_use(conn: Connection, names: Sequence[str]) -> set[str]:
    """Which of these stored files a record still uses: evidence, a nominee's signed consent
    paper, a publication's photo, card, page picture or thumbnail."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return set()
    used = {
        str(r[0])
        for r in await conn.execute(
            select(evidence.c.file_ref).where(
                evidence.c.channel == "web", evidence.c.file_ref.in_(wanted)
            )
        )
    }
    used |= {
        str(r[0])
        for r in await conn.execute(
            select(evidence.c.clean_file).where(evidence.c.clean_file.in_(wanted))
        )
    }
    for column in (*PUBLICATION_FILES, publications.c.photo):
        used |= {str(r[0]) for r in await conn.execute(select(column).where(column.in_(wanted)))}
    for name in set(wanted) - used:
        paper = cast(nominee_consents.c.paper, String).contains(name, autoescape=True)
        if (await conn.execute(select(nominee_consents.c.id).where(paper).limit(1))).first():
            used.add(name)
    return used


async def count_unused_uploads(conn: Connection, cutoff: datetime) -> int:
    """Web uploads older than the cutoff that no nomination uses (their draft is gone)."""
    query = select(func.count()).select_from(web_uploads).where(_unused_upload(cutoff))
    return await _count(conn, query)


async def drop_unused_uploads(conn: Connection, cutoff: datetime, limit: int) -> Batch:
    """Delete web uploads that no nomination uses, once no draft can still use them."""
    rows = list(
        await conn.execute(
            select(web_uploads.c.id, web_uploads.c.file_name, web_uploads.c.identity_id)
            .where(_unused_upload(cutoff))
            .order_by(web_uploads.c.id)
            .limit(limit)
        )
    )
    batch = Batch()
    in_use = await files_in_use(conn, [str(r[1]) for r in rows])
    for upload_id, name, identity_id in rows:
        if name in in_use:
            # A signed consent paper: the record keeps the file; the upload record goes.
            await conn.execute(delete(web_uploads).where(web_uploads.c.id == upload_id))
            batch.rows += 1
            continue
        draft = (
            await conn.execute(
                select(conversations.c.data).where(
                    conversations.c.identity_id == identity_id,
                    conversations.c.flow.is_not(None),
                    conversations.c.updated_at >= cutoff,
                )
            )
        ).first()
        if draft is not None and name in str(draft[0]):
            continue  # a draft touched within the retention still holds it
        await conn.execute(delete(web_uploads).where(web_uploads.c.id == upload_id))
        batch.rows += 1
        batch.files.append(str(name))
    return batch


# --------------------------------------------------------------- evidence of rejected nominations
def _rejected_evidence(cutoff: datetime) -> ColumnElement[bool]:
    rejected = select(nominations.c.id).where(
        nominations.c.status == "rejected", nominations.c.updated_at < cutoff
    )
    return evidence.c.nomination_id.in_(rejected)


def files_of(channel: str, file_ref: str, clean_file: str | None) -> list[str]:
    """The stored files an evidence row refers to (web uploads, clean copies)."""
    names = [file_ref] if channel == "web" else []
    return [*names, clean_file] if clean_file else names


async def count_rejected_evidence(conn: Connection, cutoff: datetime) -> int:
    """Evidence of nominations rejected before the cutoff."""
    query = select(func.count()).select_from(evidence).where(_rejected_evidence(cutoff))
    return await _count(conn, query)


async def drop_rejected_evidence(
    conn: Connection, cutoff: datetime, limit: int, after: int = 0
) -> Batch:
    """Delete the evidence (rows and stored files) of nominations rejected long enough ago,
    the next `limit` rows by id after `after` (the previous batch's last_id).

    Without the cursor each batch walked the evidence from its first id, past the rows the
    earlier batches had deleted: on PostgreSQL those stay in the index until VACUUM, and
    the batches grew from 6 to 98 ms over a year's purge (bench/purge.py)."""
    rows = list(
        await conn.execute(
            select(evidence.c.id, evidence.c.channel, evidence.c.file_ref, evidence.c.clean_file)
            .where(_rejected_evidence(cutoff), evidence.c.id > after)
            .order_by(evidence.c.id)
            .limit(limit)
        )
    )
    batch = await drop_evidence_rows(conn, rows)
    batch.last_id = rows[-1][0] if rows else after
    return batch


async def drop_evidence_rows(
    conn: Connection, rows: Sequence[tuple[int, str, str, str | None]]
) -> Batch:
    """Delete evidence rows (id, channel, file_ref, clean_file) and their upload records."""
    batch = Batch(rows=len(rows))
    for _, channel, file_ref, clean_file in rows:
        batch.files += files_of(channel, file_ref, clean_file)
    if rows:
        await conn.execute(delete(evidence).where(evidence.c.id.in_([r[0] for r in rows])))
    web_files = [f for _, channel, f, _ in rows if channel == "web"]
    if web_files:
        await conn.execute(delete(web_uploads).where(web_uploads.c.file_name.in_(web_files)))
    return batch


# ------------------------------------------------------------------ withdrawn honour cards
# The files a publication made from the nominee's photo and story: its share card, the honour
# page's picture and the list's thumbnail.
PUBLICATION_FILES = (publications.c.card, publications.c.picture, publications.c.thumb)


def _withdrawn_with_card() -> ColumnElement[bool]:
    kept = or_(*(column.is_not(None) for column in PUBLICATION_FILES))
    return (publications.c.status == "withdrawn") & kept


async def count_withdrawn_cards(conn: Connection) -> int:
    """Withdrawn publications whose card, picture or thumbnail is still stored."""
    query = select(func.count()).select_from(publications).where(_withdrawn_with_card())
    return await _count(conn, query)


async def drop_withdrawn_cards(conn: Connection, limit: int) -> Batch:
    """Forget the cards, pictures and thumbnails of withdrawn publications (the flow deletes
    them at once; this catches any left behind)."""
    rows = list(
        await conn.execute(
            select(publications.c.id, *PUBLICATION_FILES).where(_withdrawn_with_card()).limit(limit)
        )
    )
    for row in rows:
        await conn.execute(
            update(publications)
            .where(publications.c.id == row[0])
            .values(card=None, picture=None, thumb=None)
        )
    return Batch(rows=len(rows), files=[str(name) for row in rows for name in row[1:] if name])


# ------------------------------------------------------------------------ job runs, audit log
async def count_job_runs(conn: Connection, cutoff: datetime) -> int:
    """Finished scheduler claims older than the cutoff."""
    query = (
        select(func.count())
        .select_from(job_runs)
        .where(job_runs.c.claimed_at < cutoff, job_runs.c.finished_at.is_not(None))
    )
    return await _count(conn, query)


async def prune_job_runs(conn: Connection, cutoff: datetime, limit: int) -> Batch:
    """Delete finished scheduler claims older than the cutoff."""
    keys = [
        r[0]
        for r in await conn.execute(
            select(job_runs.c.key)
            .where(job_runs.c.claimed_at < cutoff, job_runs.c.finished_at.is_not(None))
            .limit(limit)
        )
    ]
    if keys:
        await conn.execute(delete(job_runs).where(job_runs.c.key.in_(keys)))
    return Batch(rows=len(keys))


async def count_audit(conn: Connection, cutoff: datetime) -> int:
    """Audit entries older than the cutoff."""
    query = select(func.count()).select_from(audit_log).where(audit_log.c.at < cutoff)
    return await _count(conn, query)


async def prune_audit(conn: Connection, cutoff: datetime, limit: int) -> Batch:
    """Delete the oldest audit entries, up to the cutoff (ids grow with time)."""
    rows = list(
        await conn.execute(
            select(audit_log.c.id, audit_log.c.at).order_by(audit_log.c.id).limit(limit)
        )
    )
    ids = []
    for row_id, at in rows:
        if at >= cutoff:
            break
        ids.append(row_id)
    if ids:
        await conn.execute(delete(audit_log).where(audit_log.c.id.in_(ids)))
    return Batch(rows=len(ids))


# ------------------------------------------------------------ accounts that never joined
# A forgotten account keeps its row (outbox rows point at it; deleting it would make the
# database look for them in the whole outbox) under a platform id that means nothing.
FORGOTTEN = "~"


def _stranger(cutoff: datetime) -> ColumnElement[bool]:
    live_session = (
        select(web_sessions.c.id)
        .where(web_sessions.c.identity_id == identities.c.id, web_sessions.c.revoked_at.is_(None))
        .exists()
    )
    last_seen = func.coalesce(identities.c.last_inbound_at, identities.c.created_at)
    return (
        identities.c.person_id.is_(None)
        & ~identities.c.external_id.startswith(FORGOTTEN)
        & (last_seen < cutoff)
        & ~live_session
    )


async def count_strangers(conn: Connection, cutoff: datetime) -> int:
    """Chat accounts not linked to anyone and silent since before the cutoff."""
    query = select(func.count()).select_from(identities).where(_stranger(cutoff))
    return await _count(conn, query)


async def forget_strangers(conn: Connection, cutoff: datetime, now: datetime, limit: int) -> Batch:
    """Forget accounts that never joined (or were unlinked) and have been silent long enough:
    who they were on their app, what they wrote, their conversation state."""
    rows = list(
        await conn.execute(
            select(identities.c.id, identities.c.channel, identities.c.external_id)
            .where(_stranger(cutoff))
            .limit(limit)
        )
    )
    for identity_id, channel, external_id in rows:
        await forget_identity(conn, identity_id, channel, external_id, now)
    return Batch(rows=len(rows))


async def forget_identity(
    conn: Connection, identity_id: int, channel: str, external_id: str, now: datetime
) -> None:
    """Make a chat account nobody's: its platform id, name, messages, state, sessions and
    link requests go; the row stays under a meaningless id and is never written to."""
    changed(conn, ACCOUNT, identity_id)
    await redaction.strip_sender(conn, [(channel, external_id)], forget_chat=True)
    await conn.execute(delete(conversations).where(conversations.c.identity_id == identity_id))
    await conn.execute(delete(web_sessions).where(web_sessions.c.identity_id == identity_id))
    await conn.execute(delete(link_requests).where(link_requests.c.identity_id == identity_id))
    await conn.execute(
        delete(zalo_template_phones).where(zalo_template_phones.c.identity_id == identity_id)
    )
    await conn.execute(
        update(identities)
        .where(identities.c.id == identity_id)
        .values(
            external_id=f"{FORGOTTEN}{identity_id}",
            person_id=None,
            display_name=None,
            consent_refused_at=None,
            last_inbound_at=None,
            rate_window_start=None,
            rate_count=0,
            unreachable_at=now,
        )
    )
