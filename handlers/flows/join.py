"""Joining a unit with an invite code: name, phone (optional), consent. Diagram: join.mmd."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.flows import engine
from handlers.flows.base import END, Accepts, Answer, Flow, Step, StepResult
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.text import normalize_phone
from handlers.turn import Option, Turn
from storage import audit, invites, people
from storage.units import get_unit

CONSENT_VERSION = "2026-11-v1"
NAME_MIN, NAME_MAX = 2, 120


async def begin(turn: Turn, code: str) -> None:
    """Check a typed or deep-linked invite code and start joining."""
    since = turn.now - timedelta(hours=1)
    failures = await audit.count_recent(
        turn.conn,
        action="invite.failed",
        object_type="identity",
        object_id=turn.identity.id,
        since=since,
    )
    if failures >= turn.config.invite_attempts_per_hour or await _too_many_overall(turn, since):
        turn.say("join.too_many_attempts")
        return
    invite = await invites.find_invite(turn.conn, code)
    if invite is None:
        await audit.record(
            turn.conn,
            at=turn.now,
            actor_id=None,
            action="invite.failed",
            object_type="identity",
            object_id=turn.identity.id,
        )
        turn.say("join.invite_unknown")
        return
    if invite.expires_at <= turn.now:
        turn.say("join.invite_expired")
        return
    if invite.uses >= invite.max_uses:
        turn.say("join.invite_used")
        return
    unit = await get_unit(turn.conn, invite.unit_id)
    assert unit is not None
    role = t(f"role.{invite.role}")
    if turn.person is not None:
        await _add_role(turn, invite.id, unit.id, unit.name, invite.role)
        return
    turn.say("join.invite_ok", unit=unit.name, role=role)
    await engine.start(
        turn,
        FLOW,
        "name",
        {"invite_id": invite.id, "unit_id": unit.id, "unit": unit.name, "role": invite.role},
    )


async def _too_many_overall(turn: Turn, since: datetime) -> bool:
    """Wrong codes from every account together (accounts are cheap to make on the web)."""
    total = await audit.count_action_since(turn.conn, "invite.failed", since)
    return total >= turn.config.code_failures_per_hour


async def _add_role(turn: Turn, invite_id: int, unit_id: int, unit: str, role: str) -> None:
    assert turn.person is not None
    if any(m.unit_id == unit_id and m.role == role for m in turn.memberships):
        show_main_menu(turn, "join.already_member", unit=unit, role=t(f"role.{role}"))
        return
    if not await invites.redeem_invite(turn.conn, invite_id, turn.now):
        turn.say("join.invite_used")
        return
    await people.add_membership(turn.conn, turn.person.id, unit_id, role, turn.now)
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id,
        action="invite.redeemed",
        object_type="invite",
        object_id=invite_id,
        detail={"role": role},
    )
    turn.memberships = await people.memberships_of(turn.conn, turn.person.id)
    show_main_menu(turn, "join.role_added", unit=unit, role=t(f"role.{role}"))


async def ask_name(turn: Turn) -> None:
    turn.say("join.ask_name")


async def accept_name(turn: Turn, answer: Answer) -> StepResult:
    name = answer.text or ""
    if len(name) < NAME_MIN:
        turn.say("common.too_short", min=NAME_MIN)
        return None
    if len(name) > NAME_MAX:
        turn.say("common.too_long", max=NAME_MAX, got=len(name))
        return None
    turn.state.data["name"] = name
    return "phone"


async def ask_phone(turn: Turn) -> None:
    turn.say("join.ask_phone", options=[Option("skip", "common.choice.skip")], ask_phone=True)


async def accept_phone(turn: Turn, answer: Answer) -> StepResult:
    if answer.choice == "skip":
        turn.state.data["phone"] = None
        return "consent"
    if answer.phone is not None and not answer.phone_is_own:
        turn.say("join.phone_not_own")
        return None
    phone = normalize_phone(answer.phone or answer.text or "")
    if phone is None:
        turn.say("join.phone_invalid")
        return None
    turn.state.data["phone"] = phone
    return "consent"


async def ask_consent(turn: Turn) -> None:
    turn.say(
        "join.ask_consent",
        consent=t("join.consent_text"),
        options=[Option("yes", "join.choice.agree"), Option("no", "join.choice.disagree")],
    )


async def accept_consent(turn: Turn, answer: Answer) -> StepResult:
    if answer.choice == "no":
        turn.say("join.consent_refused")
        return END
    data = turn.state.data
    if not await invites.redeem_invite(turn.conn, data["invite_id"], turn.now):
        turn.say("join.invite_used")
        return END
    person = await people.create_person(turn.conn, data["name"], data.get("phone"), turn.now)
    await people.link_identity(turn.conn, turn.identity.id, person.id)
    await people.add_membership(turn.conn, person.id, data["unit_id"], data["role"], turn.now)
    await people.record_consent(
        turn.conn, person.id, "member_data", CONSENT_VERSION, t("join.consent_text"), turn.now
    )
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=person.id,
        action="invite.redeemed",
        object_type="invite",
        object_id=data["invite_id"],
        detail={"role": data["role"]},
    )
    turn.person = person
    turn.memberships = await people.memberships_of(turn.conn, person.id)
    unit, role = data["unit"], t(f"role.{data['role']}")
    engine.finish(turn)
    show_main_menu(turn, "join.done", name=person.full_name, unit=unit, role=role)
    return None


FLOW = Flow(
    name="join",
    steps={
        "name": Step(ask_name, accept_name, frozenset({Accepts.TEXT}), free_text=True),
        "phone": Step(
            ask_phone, accept_phone, frozenset({Accepts.CHOICE, Accepts.TEXT, Accepts.CONTACT})
        ),
        "consent": Step(ask_consent, accept_consent),
    },
)
