"""Everything the bot holds about a member, read in one place (what /dulieu shows and the
file it gives). A new table holding personal data adds its rows here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select

from storage import redaction
from storage.consent import MemberConsent, member_consents
from storage.db import Connection
from storage.schema import (
    conversations,
    event_rsvps,
    events,
    evidence,
    identities,
    inbox,
    link_codes,
    memberships,
    nominations,
    people,
    units,
    web_sessions,
    web_uploads,
)


class AccountData(BaseModel):
    channel: str
    since: datetime
    last_message_at: datetime | None
    device: str | None = None


class RoleData(BaseModel):
    role: str
    unit: str
    since: datetime


class NominationData(BaseModel):
    code: str
    nominee: str
    status: str
    submitted_at: datetime


class EvidenceData(BaseModel):
    nomination: str
    kind: str
    file_name: str | None
    added_at: datetime


class DraftData(BaseModel):
    # A flow's name, or "held": a message kept until its sender says what it was for.
    flow: str
    channel: str
    updated_at: datetime
    # What a held message said (its files are listed as attached, not shown).
    text: str | None = None
    files: int = 0


class DeviceData(BaseModel):
    device: str
    signed_in_at: datetime
    last_seen_at: datetime
    ended: bool


class RsvpData(BaseModel):
    event: str
    answer: str
    answered_at: datetime


class PersonData(BaseModel):
    """What is held about one member, section by section."""

    name: str
    phone: str | None
    joined_at: datetime
    consent_withdrawn_at: datetime | None
    accounts: list[AccountData]
    roles: list[RoleData]
    consents: list[MemberConsent]
    nominations: list[NominationData]
    evidence: list[EvidenceData]
    drafts: list[DraftData]
    devices: list[DeviceData]
    rsvps: list[RsvpData]
    # Messages they wrote that are still kept in full (until the retention strips them).
    messages_kept: int
    uploads_kept: int
    sign_in_codes: int


def _drafts_of(
    flow: str | None, pending: dict[str, Any] | None, channel: str, at: datetime
) -> list[DraftData]:
    """One conversation's drafts: the running flow, a flow put aside while another runs, and
    a message held until its sender chooses what it was for (handlers/pending.py)."""
    found = [DraftData(flow=flow, channel=channel, updated_at=at)] if flow else []
    pending = pending or {}
    suspended = pending.get("suspended")
    if isinstance(suspended, dict) and isinstance(suspended.get("flow"), str):
        found.append(DraftData(flow=suspended["flow"], channel=channel, updated_at=at))
    held = pending.get("held")
    if isinstance(held, dict):
        text = held.get("text")
        files = held.get("attachments")
        found.append(
            DraftData(
                flow="held",
                channel=channel,
                updated_at=at,
                text=text if isinstance(text, str) else None,
                files=len(files) if isinstance(files, list) else 0,
            )
        )
    return found


async def person_data(conn: Connection, person_id: int, now: datetime) -> PersonData | None:
    """Everything held about a member; None for an unknown or erased person."""
    person = (await conn.execute(select(people).where(people.c.id == person_id))).first()
    if person is None or person.erased_at is not None:
        return None
    account_rows = list(
        await conn.execute(
            select(identities).where(identities.c.person_id == person_id).order_by(identities.c.id)
        )
    )
    ids = [a.id for a in account_rows]
    devices = {
        r.identity_id: r.device
        for r in await conn.execute(
            select(web_sessions.c.identity_id, web_sessions.c.device).where(
                web_sessions.c.identity_id.in_(ids)
            )
        )
    }
    accounts = [
        AccountData(
            channel=a.channel,
            since=a.created_at,
            last_message_at=a.last_inbound_at,
            device=devices.get(a.id),
        )
        for a in account_rows
    ]
    roles = [
        RoleData(role=r.role, unit=r.name, since=r.created_at)
        for r in await conn.execute(
            select(memberships.c.role, units.c.name, memberships.c.created_at)
            .join(units, units.c.id == memberships.c.unit_id)
            .where(memberships.c.person_id == person_id)
            .order_by(memberships.c.id)
        )
    ]
    made = [
        NominationData(
            code=r.code, nominee=r.nominee_name, status=r.status, submitted_at=r.submitted_at
        )
        for r in await conn.execute(
            select(nominations)
            .where(nominations.c.reporter_id == person_id)
            .order_by(nominations.c.id)
        )
    ]
    sent = [
        EvidenceData(nomination=r.code, kind=r.kind, file_name=r.file_name, added_at=r.added_at)
        for r in await conn.execute(
            select(nominations.c.code, evidence.c.kind, evidence.c.file_name, evidence.c.added_at)
            .join(nominations, nominations.c.id == evidence.c.nomination_id)
            .where(evidence.c.added_by == person_id)
            .order_by(evidence.c.id)
        )
    ]
    channel_of = {a.id: a.channel for a in account_rows}
    drafts: list[DraftData] = []
    for r in await conn.execute(
        select(conversations).where(
            conversations.c.identity_id.in_(ids),
            conversations.c.flow.is_not(None) | conversations.c.pending.is_not(None),
        )
    ):
        drafts += _drafts_of(r.flow, r.pending, channel_of[r.identity_id], r.updated_at)
    browsers = [
        DeviceData(
            device=r.device,
            signed_in_at=r.created_at,
            last_seen_at=r.last_seen_at,
            ended=r.revoked_at is not None or r.expires_at <= now,
        )
        for r in await conn.execute(
            select(web_sessions)
            .where(web_sessions.c.identity_id.in_(ids) | (web_sessions.c.person_id == person_id))
            .order_by(web_sessions.c.id)
        )
    ]
    rsvps = [
        RsvpData(event=r.title, answer=r.answer, answered_at=r.answered_at)
        for r in await conn.execute(
            select(events.c.title, event_rsvps.c.answer, event_rsvps.c.answered_at)
            .join(events, events.c.id == event_rsvps.c.event_id)
            .where(event_rsvps.c.person_id == person_id)
        )
    ]
    floor = await redaction.watermark(conn, inbox)
    senders = [(a.channel, a.external_id) for a in account_rows]
    kept = 0
    for channel, sender in senders:
        kept += int(
            (
                await conn.execute(
                    select(func.count())
                    .select_from(inbox)
                    .where(
                        inbox.c.id > floor, inbox.c.channel == channel, inbox.c.sender_id == sender
                    )
                )
            ).scalar_one()
        )
    uploads = int(
        (
            await conn.execute(
                select(func.count())
                .select_from(web_uploads)
                .where(web_uploads.c.identity_id.in_(ids))
            )
        ).scalar_one()
    )
    codes = int(
        (
            await conn.execute(
                select(func.count())
                .select_from(link_codes)
                .where(link_codes.c.person_id == person_id, link_codes.c.used_at.is_(None))
            )
        ).scalar_one()
    )
    return PersonData(
        name=person.full_name,
        phone=person.phone,
        joined_at=person.created_at,
        consent_withdrawn_at=person.consent_withdrawn_at,
        accounts=accounts,
        roles=roles,
        consents=await member_consents(conn, person_id),
        nominations=made,
        evidence=sent,
        drafts=drafts,
        devices=browsers,
        rsvps=rsvps,
        messages_kept=kept,
        uploads_kept=uploads,
        sign_in_codes=codes,
    )
