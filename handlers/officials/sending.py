"""Calls for nominations and broadcasts, started and managed the same way from the chat and
the web console: the same checks (handlers.permissions, the daily cap, an open call), the
same fan-out to every member in scope, the same audit and the same progress reports.

Each function takes an `Acting` and re-checks what it needs inside the transaction that
acts; what went wrong is told to the actor, and None or False is returned. Success is the
caller's to say (the chat in its reply with the menu, the console on the next page).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta

from handlers.acting import Acting
from handlers.flows.nominate import FIELDS
from handlers.localtime import (
    deadline_date,
    end_of_day,
    local_date_time,
    quiet_until,
    start_of_local_day,
)
from handlers.messages import t
from handlers.officials.fanout import fan_out
from handlers.officials.holding import held_bulk, hold_until, signed
from handlers.officials.summary import close_with_summary
from handlers.permissions import Action, authorise
from handlers.types import Attachment
from storage import audit, bulk, campaigns
from storage.campaigns import CampaignDetail
from storage.rows import Membership, Person, Unit

TEXT_LIMITS = (5, 3000)
TITLE_LIMITS = (5, 200)
BODY_LIMITS = (20, 3000)
MAX_DAYS_AHEAD = 366


async def broadcasts_left(actor: Acting) -> int:
    """Broadcasts the actor may still start today (BROADCAST_DAILY_CAP)."""
    assert actor.person is not None
    since = start_of_local_day(actor.now, actor.config)
    used = await bulk.count_bulks_since(actor.conn, actor.person.id, "broadcast", since)
    return actor.config.broadcast_daily_cap - used


def broadcast_text(
    person: Person, memberships: Sequence[Membership], unit: Unit, text: str
) -> str:
    """A broadcast as members receive it: the sending unit and official named."""
    return signed(person, memberships, "officials.broadcast.message", unit, text=text)


def quiet_note(actor: Acting) -> str:
    """When a bulk send started now would go out, if quiet hours hold it back ("" if not)."""
    later = quiet_until(actor.now, actor.config)
    return t("officials.quiet_note", at=local_date_time(later, actor.config)) if later else ""


def deadline_problem(day: date, actor: Acting) -> str | None:
    """Why a call's last day cannot be this one (a catalog key), or None."""
    today = actor.now.astimezone(actor.config.timezone).date()
    if day <= today:
        return "officials.campaign.deadline_past"
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        return "officials.campaign.deadline_far"
    return None


def _allowed(actor: Acting, action: Action, unit_path: str) -> bool:
    if authorise(actor.memberships, action, unit_path):
        return True
    actor.tell("common.no_permission")
    return False


async def send_broadcast(actor: Acting, unit: Unit, text: str) -> bulk.BulkSend | None:
    """Queue a broadcast to every member of the unit's scope, within the daily cap; its
    rows wait for the undo window (a decision its official may undo, handlers/decisions.py)."""
    assert actor.person is not None
    if not _allowed(actor, Action.BROADCAST, unit.path):
        return None
    if await broadcasts_left(actor) <= 0:
        actor.tell("officials.broadcast.cap_reached", cap=actor.config.broadcast_daily_cap)
        return None
    sent = await fan_out(
        actor.conn,
        actor.config,
        actor.now,
        kind="broadcast",
        batch=f"broadcast:{uuid.uuid4().hex[:16]}",
        created_by=actor.person.id,
        unit=unit,
        text=broadcast_text(actor.person, actor.memberships, unit, text),
        label=text,
        hold_until=hold_until(actor),
    )
    await audit.record(
        actor.conn,
        at=actor.now,
        actor_id=actor.person.id,
        action="broadcast.sent",
        object_type="bulk_send",
        object_id=sent.id,
        detail={"unit": unit.id, "recipients": sent.total},
    )
    await held_bulk(actor, "broadcast", sent, sent.id, text)
    return sent


def field_names(fields: list[str]) -> str:
    """A call's fields in words ("every field" for all or none)."""
    if not fields or set(fields) == set(FIELDS):
        return t("officials.campaign.all_fields")
    return ", ".join(t(f"nominate.field.{f}") for f in fields)


def call_text(title: str, body: str, fields: list[str], deadline: str) -> str:
    """The call as members receive it."""
    return t(
        "officials.campaign.call",
        title=title,
        body=body,
        fields=field_names(fields),
        deadline=deadline,
        button=t("officials.campaign.button"),
    )


def call_action(campaign_id: int) -> str:
    """The action value of a call's "Đề cử ngay" button."""
    return f"!call.{campaign_id}"


async def open_call(
    actor: Acting,
    unit: Unit,
    *,
    title: str,
    body: str,
    fields: list[str],
    last_day: date,
    photo: Attachment | None = None,
) -> tuple[CampaignDetail, bulk.BulkSend] | None:
    """Store a call and send it to every member in the unit's scope; the sends wait for the
    undo window (undoing before anyone nominated in it removes the call)."""
    assert actor.person is not None
    if not _allowed(actor, Action.CAMPAIGN, unit.path):
        return None
    problem = deadline_problem(last_day, actor)
    if problem is not None:
        actor.tell(problem)
        return None
    campaign = await campaigns.create_campaign(
        actor.conn,
        unit_id=unit.id,
        created_by=actor.person.id,
        title=title,
        body=body,
        fields=fields,
        deadline_at=end_of_day(last_day, actor.config),
        reminder_days=list(actor.config.reminder_days),
        photo=photo.model_dump(mode="json") if photo else None,
        now=actor.now,
    )
    text = call_text(
        campaign.title,
        campaign.body,
        campaign.fields,
        deadline_date(campaign.deadline_at, actor.config),
    )
    sent = await fan_out(
        actor.conn,
        actor.config,
        actor.now,
        kind="call",
        batch=f"call:{campaign.id}",
        created_by=actor.person.id,
        unit=unit,
        text=text,
        label=campaign.title,
        options=[(call_action(campaign.id), t("officials.campaign.button"))],
        media=[photo] if photo else [],
        hold_until=hold_until(actor),
    )
    await audit.record(
        actor.conn,
        at=actor.now,
        actor_id=actor.person.id,
        action="campaign.opened",
        object_type="campaign",
        object_id=campaign.id,
        detail={"unit": unit.id, "recipients": sent.total},
    )
    await held_bulk(actor, "call", sent, campaign.id, campaign.title)
    return campaign, sent


async def managed_call(actor: Acting, campaign_id: int) -> CampaignDetail | None:
    """A call the actor may manage now: in their scope and still open."""
    campaign = await campaigns.get_detail(actor.conn, campaign_id)
    if campaign is None or not authorise(actor.memberships, Action.CAMPAIGN, campaign.unit_path):
        actor.tell("officials.campaign.not_found")
        return None
    if campaign.status != "open":
        actor.tell("officials.campaign.not_open")
        return None
    return campaign


async def extend_call(actor: Acting, campaign_id: int, last_day: date) -> bool:
    """Move an open call's deadline later."""
    campaign = await managed_call(actor, campaign_id)
    if campaign is None:
        return False
    problem = deadline_problem(last_day, actor)
    deadline_at = end_of_day(last_day, actor.config)
    if problem is None and deadline_at <= campaign.deadline_at:
        problem = "officials.campaign.extend_not_later"
    if problem is not None:
        actor.tell(problem)
        return False
    await campaigns.extend_deadline(actor.conn, campaign.id, deadline_at)
    await audit.record(
        actor.conn,
        at=actor.now,
        actor_id=actor.person.id if actor.person else None,
        action="campaign.extended",
        object_type="campaign",
        object_id=campaign.id,
        detail={"deadline": deadline_at.isoformat()},
    )
    return True


async def set_reminders(actor: Acting, campaign_id: int, days: list[int]) -> bool:
    """Which days before the deadline members who have not nominated are reminded."""
    campaign = await managed_call(actor, campaign_id)
    if campaign is None:
        return False
    await campaigns.set_reminder_days(actor.conn, campaign.id, days)
    return True


async def close_call(actor: Acting, campaign_id: int) -> bool:
    """Close an open call now; its summary goes to whoever opened it."""
    campaign = await managed_call(actor, campaign_id)
    if campaign is None:
        return False
    person_id = actor.person.id if actor.person else None
    return await close_with_summary(
        actor.conn, actor.config, actor.now, campaign, closed_by=person_id
    )
