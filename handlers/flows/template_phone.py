"""/mautin: a Zalo OA member lets the bot reach them by template through their verified
phone when the template by user id fails (issue 15), or withdraws that. The number comes
from Zalo's own share-your-number form (so Zalo vouches it is theirs); a typed number is
not taken. Diagram: template_phone.mmd."""

from __future__ import annotations

from enum import StrEnum, auto

from handlers.draft import Draft
from handlers.flows import engine
from handlers.flows.base import END, Accepts, Answer, Flow, Step, StepResult
from handlers.messages import t
from handlers.text import display_phone, normalize_phone
from handlers.turn import Option, Turn
from storage import audit, zalo_templates

CHANNEL = "zalo_oa"
VERSION = "2026-12"


class PhoneStep(StrEnum):
    """What it is for (agree, or withdraw a kept number), then Zalo's phone form."""

    EXPLAIN = auto()
    PHONE = auto()


Next = StepResult[PhoneStep]


class PhoneDraft(Draft):
    """The number kept when the flow began, if any."""

    kept: str | None = None


def consent_text() -> str:
    """The exact text a member agrees to (kept with the consent)."""
    return t("templates.phone.consent", days=zalo_templates.PHONE_RETENTION.days)


async def begin(turn: Turn) -> None:
    """Explain and ask; only Zalo OA accounts can be reached by template."""
    if turn.identity.channel != CHANNEL:
        turn.say("templates.phone.only_zalo")
        return
    phones = await zalo_templates.phones_of(turn.conn, [turn.identity.id])
    await engine.start(turn, FLOW, PhoneStep.EXPLAIN, PhoneDraft(kept=phones.get(turn.identity.id)))


async def ask_explain(turn: Turn, draft: PhoneDraft) -> None:
    cancel = Option("cancel", "common.choice.cancel")
    if draft.kept is not None:
        phone = display_phone("+" + draft.kept)
        remove = Option("remove", "templates.phone.choice.remove")
        turn.say("templates.phone.has", phone=phone, options=[remove, cancel])
        return
    agree = Option("agree", "templates.phone.choice.agree")
    turn.say("templates.phone.explain", consent=consent_text(), options=[agree, cancel])


async def accept_explain(turn: Turn, draft: PhoneDraft, answer: Answer) -> Next:
    assert turn.person is not None
    if answer.choice == "remove" and draft.kept is not None:
        await zalo_templates.drop_phones(turn.conn, [turn.identity.id], turn.person.id, turn.now)
        await _audit(turn, "template_phone.withdrawn")
        engine.finish(turn, "templates.phone.removed")
        return None
    if answer.choice != "agree" or draft.kept is not None:
        engine.finish(turn, "templates.phone.kept")
        return None
    return PhoneStep.PHONE


async def ask_phone(turn: Turn, draft: PhoneDraft) -> None:
    turn.say_text(t("templates.phone.ask"), ask_phone=True)


async def accept_phone(turn: Turn, draft: PhoneDraft, answer: Answer) -> Next:
    assert turn.person is not None
    if answer.phone is None:
        turn.say("templates.phone.typed")
        return None
    phone = normalize_phone(answer.phone) if answer.phone_is_own else None
    if phone is None:
        turn.say("templates.phone.not_own")
        return None
    await zalo_templates.save_phone(
        turn.conn,
        identity_id=turn.identity.id,
        person_id=turn.person.id,
        phone=phone.removeprefix("+"),  # Zalo takes 84…
        source="submit_info",
        version=VERSION,
        text=consent_text(),
        now=turn.now,
    )
    await _audit(turn, "template_phone.given")
    engine.finish(turn, "templates.phone.saved", phone=display_phone(phone))
    return None


async def _audit(turn: Turn, action: str) -> None:
    assert turn.person is not None
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id,
        action=action,
        object_type="identity",
        object_id=turn.identity.id,
        detail={"version": VERSION},
    )


S = PhoneStep
TABLE: dict[PhoneStep, Step[PhoneStep, PhoneDraft]] = {
    S.EXPLAIN: Step(ask_explain, accept_explain, {S.PHONE, END}),
    S.PHONE: Step(
        ask_phone, accept_phone, {END}, Accepts.TEXT | Accepts.CONTACT, free_text=True
    ),
}
FLOW = Flow("template_phone", PhoneStep, PhoneDraft, entry={S.EXPLAIN}, table=TABLE)
