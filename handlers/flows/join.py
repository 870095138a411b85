"""Joining a unit with an invite code: name, phone (optional), consent. A member who withdrew
consent and types an invite is asked to consent again first. Diagram: join.mmd."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum, auto
from typing import ClassVar

from handlers.consent_texts import MEMBER_VERSION, app_name, member_text
from handlers.draft import Draft
from handlers.flows import engine
from handlers.flows.base import END, Accepts, Answer, Flow, Step, StepResult, says
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.text import normalize_phone, tidy_name, words_with_letters
from handlers.turn import Option, StepRaced, Turn
from storage import audit, consent, invites, people, redaction
from storage.units import get_unit

NAME_LIMITS = (2, 120)


class JoinStep(StrEnum):
    """The questions of joining."""

    NAME = auto()
    PHONE = auto()
    CONSENT = auto()


Next = StepResult[JoinStep]


class JoinDraft(Draft):
    """The invite being redeemed, then the person's answers."""

    RENAMED: ClassVar[dict[str, str]] = {"unit": "unit_name"}

    invite_id: int
    unit_id: int
    unit_name: str
    role: str
    name: str | None = None
    phone: str | None = None


async def begin(turn: Turn, code: str) -> None:
    """Check a typed or deep-linked invite code and start joining."""
    turn.secret_inbound = True  # a code was typed: its inbox copy goes now, whatever it was
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
    draft = JoinDraft(invite_id=invite.id, unit_id=unit.id, unit_name=unit.name, role=invite.role)
    if turn.person is not None and turn.person.consent_withdrawn_at is None:
        await _add_role(turn, invite.id, unit.id, unit.name, invite.role)
        return
    turn.say("join.invite_ok", unit=unit.name, role=role)
    if turn.person is not None:
        # A member who withdrew consent joins again: they are asked again, first.
        draft.name = turn.person.full_name
        await engine.start(turn, FLOW, JoinStep.CONSENT, draft)
        return
    await engine.start(turn, FLOW, JoinStep.NAME, draft)


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


async def accept_name(turn: Turn, draft: JoinDraft, answer: Answer) -> Next:
    typed = answer.text or ""
    if not engine.length_ok(turn, typed, NAME_LIMITS):
        return None
    name = tidy_name(typed, person=True)
    if name is None or words_with_letters(name) < 2:
        turn.say("join.name_invalid")
        return None
    if not engine.confirm_tidied(turn, typed, name):
        return None
    draft.name = name
    return JoinStep.PHONE


def own_phone(turn: Turn, answer: Answer) -> str | None:
    """The sender's own number from a typed or shared answer; None (having said why) else."""
    if answer.phone is not None and not answer.phone_is_own:
        turn.say("join.phone_not_own")
        return None
    phone = normalize_phone(answer.phone or answer.text or "")
    if phone is None:
        turn.say("join.phone_invalid")
    return phone


async def accept_phone(turn: Turn, draft: JoinDraft, answer: Answer) -> Next:
    if answer.choice == "skip":
        draft.phone = None
        return JoinStep.CONSENT
    phone = own_phone(turn, answer)
    if phone is None:
        return None
    draft.phone = phone
    return JoinStep.CONSENT


async def accept_consent(turn: Turn, draft: JoinDraft, answer: Answer) -> Next:
    if answer.choice == "no":
        if turn.person is not None:
            engine.finish(turn, "consent.still_withdrawn")
            return None
        await _refused(turn)
        return END
    if turn.person is not None:
        await _agreed_again(turn, draft)
        return None
    invite = await invites.get_invite(turn.conn, draft.invite_id)
    if invite is None or not invites.usable(invite, turn.now):
        turn.say("join.invite_used")
        return END
    assert draft.name is not None  # the name step comes first
    person = await people.create_person(turn.conn, draft.name, draft.phone, turn.now)
    await people.link_identity(turn.conn, turn.identity.id, person.id)
    await people.add_membership(turn.conn, person.id, draft.unit_id, draft.role, turn.now)
    text = member_text(turn.config)
    await people.record_consent(
        turn.conn, person.id, consent.MEMBER_DATA, MEMBER_VERSION, text, turn.now
    )
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=person.id,
        action="invite.redeemed",
        object_type="invite",
        object_id=draft.invite_id,
        detail={"role": draft.role},
    )
    turn.person = person
    turn.memberships = await people.memberships_of(turn.conn, person.id)
    # Redeemed last: other joins through this invite wait for its row from here to the
    # commit. Its last use gone meanwhile, the step runs again and reads it used up.
    if not await invites.redeem_invite(turn.conn, draft.invite_id, turn.now):
        raise StepRaced("the invite's last use went to someone else")
    unit, role = draft.unit_name, t(f"role.{draft.role}")
    engine.finish(turn, "join.done", name=person.full_name, unit=unit, role=role)
    return None


async def _refused(turn: Turn) -> None:
    """Nothing they typed is kept: the messages go now; the account remembers the refusal."""
    identity = turn.identity
    await consent.record_refusal(turn.conn, identity.id, turn.now)
    await redaction.strip_sender(
        turn.conn, [(identity.channel, identity.external_id)], forget_chat=False
    )
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=None,
        action="member_consent.refused",
        object_type="identity",
        object_id=identity.id,
    )
    turn.cleanup.scrub = True
    turn.say(
        "join.consent_refused",
        app=app_name(identity.channel),
        days=turn.config.draft_ttl_days,
    )


async def agree_again(turn: Turn) -> None:
    """A member who had withdrawn consent agrees again: recorded, audited, back in."""
    assert turn.person is not None
    await consent.agree_again(
        turn.conn, turn.person.id, MEMBER_VERSION, member_text(turn.config), turn.now
    )
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id,
        action="member_consent.given",
        object_type="person",
        object_id=turn.person.id,
        detail={"version": MEMBER_VERSION},
    )
    turn.person = await people.get_person(turn.conn, turn.person.id)


async def _agreed_again(turn: Turn, draft: JoinDraft) -> None:
    """A member who had withdrawn agrees again, then joins the invite's unit."""
    await agree_again(turn)
    engine.finish(turn)
    await _add_role(turn, draft.invite_id, draft.unit_id, draft.unit_name, draft.role)


async def ask_consent(turn: Turn, draft: JoinDraft) -> None:
    turn.say(
        "join.ask_consent",
        consent=member_text(turn.config),
        options=[Option("yes", "join.choice.agree"), Option("no", "join.choice.disagree")],
    )


# The questions that are one catalog text.
ask_name = says("join.ask_name")
ask_phone = says("join.ask_phone", options=[Option("skip", "common.choice.skip")], ask_phone=True)

TABLE: dict[JoinStep, Step[JoinStep, JoinDraft]] = {
    JoinStep.NAME: Step(ask_name, accept_name, {JoinStep.PHONE}, Accepts.TEXT, free_text=True),
    JoinStep.PHONE: Step(
        ask_phone,
        accept_phone,
        {JoinStep.CONSENT},
        Accepts.CHOICE | Accepts.TEXT | Accepts.CONTACT,
    ),
    JoinStep.CONSENT: Step(ask_consent, accept_consent, {END}),
}
FLOW = Flow("join", JoinStep, JoinDraft, entry={JoinStep.NAME, JoinStep.CONSENT}, table=TABLE)
