"""Pydantic models of stored rows, returned by the query functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class Row(BaseModel):
    """Base for row models: built from SQLAlchemy rows by attribute."""

    model_config = ConfigDict(from_attributes=True, frozen=True)


class Unit(Row):
    id: int
    code: str
    parent_id: int | None
    name: str
    kind: str
    path: str


class Person(Row):
    id: int
    full_name: str
    phone: str | None
    created_at: datetime
    consent_withdrawn_at: datetime | None = None
    erased_at: datetime | None = None


class Identity(Row):
    id: int
    channel: str
    external_id: str
    person_id: int | None
    display_name: str | None
    created_at: datetime
    last_inbound_at: datetime | None
    unreachable_at: datetime | None
    rate_window_start: datetime | None = None
    rate_count: int = 0
    consent_refused_at: datetime | None = None


class Membership(Row):
    id: int
    person_id: int
    unit_id: int
    role: str
    unit_path: str
    unit_name: str


class Invite(Row):
    id: int
    unit_id: int
    role: str
    max_uses: int
    uses: int
    expires_at: datetime


class LinkCode(Row):
    id: int
    person_id: int
    expires_at: datetime
    used_at: datetime | None


class Nomination(Row):
    id: int
    code: str
    reporter_id: int
    unit_id: int
    campaign_id: int | None
    kind: str
    nominee_name: str
    nominee_key: str
    birth_year: int | None
    place: str
    field: str
    achievement: str
    contact_phone: str | None
    consent_public: bool
    status: str
    submitted_at: datetime
    updated_at: datetime
    anonymised_at: datetime | None = None


class Evidence(Row):
    id: int
    nomination_id: int
    kind: str
    channel: str
    file_ref: str
    mime: str | None
    size: int | None
    file_name: str | None
    added_at: datetime
    added_by: int
    clean_file: str | None = None
    fetched_at: datetime | None = None


class Campaign(Row):
    id: int
    unit_id: int
    title: str
    deadline_at: datetime
    status: str


class InboxItem(Row):
    id: int
    channel: str
    external_id: str
    sender_id: str
    payload: dict[str, Any]
    status: str


class OutboxItem(Row):
    id: int
    channel: str
    chat_id: str
    identity_id: int | None
    priority: int
    payload: dict[str, Any]
    dedupe_key: str | None
    batch: str | None
    status: str
    attempts: int
    next_attempt_at: datetime
    platform_message_id: str | None = None
    sent_at: datetime | None = None


class WebSession(Row):
    """A signed-in browser, as the session check reads it (joined with its identity)."""

    id: int
    kind: str
    identity_id: int | None
    # The web chat account's chat id (identities.external_id); None for console sessions.
    chat_id: str | None
    # The person the session acts for: the console's, or the chat account's once joined.
    person_id: int | None
    name: str | None = None
    device: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


class LinkRequest(Row):
    id: int
    person_id: int
    identity_id: int
    status: str
    created_at: datetime
    expires_at: datetime
