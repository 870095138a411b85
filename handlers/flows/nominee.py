"""/nominee (/nguoiduocdecu): an official or admin acts for a nominee who asks — finds them by
name (with or without diacritics) or phone within their scope, sees everything held, and
corrects it, records or withdraws consent to publication, anonymises or erases them; every
act asks why and is audited. Diagram: nominee.mmd."""

from __future__ import annotations

from enum import StrEnum, auto

from pydantic import Field

from handlers import nominee_consent, nominee_rights
from handlers.consent_texts import METHODS
from handlers.draft import Draft
from handlers.flows import engine
from handlers.flows.base import END, Accepts, Answer, Flow, Step, StepResult, says
from handlers.messages import t
from handlers.turn import Option, Turn, option_id
from handlers.types import Attachment
from storage import nominees
from storage.nominees import CORRECTABLE, Found

MATCHES = 10
QUERY_MIN = 2
REASON_LIMITS = (5, 300)
# The acts that change nothing irreversibly go back to the record; the others end the flow
# (erase) or show what is left (anonymise), after a last confirmation.
CONFIRMED = ("anonymise", "erase")


class NomineeStep(StrEnum):
    """Find, pick, see; then what to do, why, and a confirmation."""

    WHO = auto()
    PICK = auto()
    SHOW = auto()
    FIELD = auto()
    VALUE = auto()
    METHOD = auto()
    GUARDIAN = auto()
    PAPER = auto()
    REASON = auto()
    CONFIRM = auto()


Next = StepResult[NomineeStep]


class NomineeDraft(Draft):
    """The search's results, the nomination chosen, and the act being prepared."""

    matches: list[tuple[int, str]] = Field(default_factory=list)
    nomination_id: int | None = None
    action: str | None = None
    field: str | None = None
    value: str | int | None = None
    method: str | None = None
    guardian: str | None = None
    paper: Attachment | None = None
    reason: str | None = None


async def begin(turn: Turn) -> None:
    """Ask whom to look for."""
    await engine.start(turn, FLOW, NomineeStep.WHO, NomineeDraft())


ask_who = says("nominee.ask_who")


async def accept_who(turn: Turn, draft: NomineeDraft, answer: Answer) -> Next:
    typed = (answer.text or "").strip()
    if len(typed) < QUERY_MIN:
        turn.say("common.too_short", min=QUERY_MIN)
        return None
    found = await nominee_rights.search(turn, typed, MATCHES + 1)
    if not found:
        turn.say("nominee.nobody")
        return None
    if len(found) > MATCHES:
        turn.say("nominee.too_many", count=MATCHES)
        return None
    draft.matches = [(f.nomination.id, _label(f)) for f in found]
    return NomineeStep.PICK


def _label(found: Found) -> str:
    n = found.nomination
    return f"{n.code} · {n.nominee_name} · {found.unit_name}"[:60]


async def ask_pick(turn: Turn, draft: NomineeDraft) -> None:
    options = [Option(f"n{i}", label_text=label) for i, label in draft.matches]
    turn.say("nominee.ask_pick", options=[*options, Option("search", "nominee.choice.search")])


async def accept_pick(turn: Turn, draft: NomineeDraft, answer: Answer) -> Next:
    if answer.choice == "search":
        return NomineeStep.WHO
    draft.nomination_id = option_id(answer.choice, "n")
    return NomineeStep.SHOW


async def ask_show(turn: Turn, draft: NomineeDraft) -> None:
    found = await nominee_rights.in_reach(turn, draft.nomination_id)
    if found is None:
        engine.finish(turn, "nominee.gone")
        return
    held = await nominees.record(turn.conn, found)
    text, media = await nominee_rights.render(turn, held)
    active = any(c.withdrawn_at is None for c in held.consents)
    options = [Option("fix", "nominee.choice.fix")]
    options.append(
        Option("withdraw", "nominee.choice.withdraw")
        if active
        else Option("consent", "nominee.choice.consent")
    )
    options += [
        Option("anonymise", "nominee.choice.anonymise"),
        Option("erase", "nominee.choice.erase"),
        Option("search", "nominee.choice.search"),
        Option("done", "common.choice.done"),
    ]
    draft.action = draft.field = draft.value = draft.method = draft.guardian = None
    draft.paper = draft.reason = None
    turn.say_text(text, options=options, media=media)


async def accept_show(turn: Turn, draft: NomineeDraft, answer: Answer) -> Next:
    choice = answer.choice or ""
    if choice == "done":
        engine.finish(turn, "common.menu_prompt")
        return None
    if choice == "search":
        return NomineeStep.WHO
    draft.action = choice
    if choice == "fix":
        return NomineeStep.FIELD
    if choice == "consent":
        return NomineeStep.METHOD
    return NomineeStep.REASON


async def ask_field(turn: Turn, draft: NomineeDraft) -> None:
    options = [Option(f, f"nominee.field.{f}") for f in CORRECTABLE]
    turn.say("nominee.ask_field", options=[*options, Option("back", "common.choice.back")])


async def accept_field(turn: Turn, draft: NomineeDraft, answer: Answer) -> Next:
    if answer.choice not in CORRECTABLE:
        return NomineeStep.SHOW
    draft.field = answer.choice
    return NomineeStep.VALUE


async def ask_value(turn: Turn, draft: NomineeDraft) -> None:
    turn.say(f"nominee.ask_value.{draft.field}")


async def accept_value(turn: Turn, draft: NomineeDraft, answer: Answer) -> Next:
    value, error = nominee_rights.parse_value(draft.field or "", answer.text or "")
    if error is not None:
        turn.say(error)
        return None
    draft.value = value
    return NomineeStep.REASON


async def ask_method(turn: Turn, draft: NomineeDraft) -> None:
    found = await nominee_rights.in_reach(turn, draft.nomination_id)
    minor = found is not None and nominee_rights.minor(turn, found)
    nominee_consent.ask_method(turn, minor=minor, with_not_yet=False)


async def accept_method(turn: Turn, draft: NomineeDraft, answer: Answer) -> Next:
    if answer.choice not in METHODS:
        return NomineeStep.SHOW
    draft.method = answer.choice
    found = await nominee_rights.in_reach(turn, draft.nomination_id)
    if found is not None and nominee_rights.minor(turn, found):
        return NomineeStep.GUARDIAN
    return NomineeStep.PAPER if draft.method == "paper" else NomineeStep.REASON


ask_guardian = says("consent.ask_guardian")


async def accept_guardian(turn: Turn, draft: NomineeDraft, answer: Answer) -> Next:
    draft.guardian = nominee_consent.guardian(turn, answer)
    if draft.guardian is None:
        return None
    return NomineeStep.PAPER if draft.method == "paper" else NomineeStep.REASON


ask_paper = says("consent.ask_paper")


async def accept_paper(turn: Turn, draft: NomineeDraft, answer: Answer) -> Next:
    draft.paper = nominee_consent.paper_photo(turn, answer)
    return NomineeStep.REASON if draft.paper is not None else None


ask_reason = says("nominee.ask_reason")


async def accept_reason(turn: Turn, draft: NomineeDraft, answer: Answer) -> Next:
    reason = answer.text or ""
    if not engine.length_ok(turn, reason, REASON_LIMITS):
        return None
    draft.reason = reason
    if draft.action in CONFIRMED:
        return NomineeStep.CONFIRM
    return await _act(turn, draft)


async def ask_confirm(turn: Turn, draft: NomineeDraft) -> None:
    turn.say(
        f"nominee.confirm.{draft.action}",
        options=[
            Option("yes", f"nominee.choice.{draft.action}_yes"),
            Option("no", "common.choice.cancel"),
        ],
    )


async def accept_confirm(turn: Turn, draft: NomineeDraft, answer: Answer) -> Next:
    if answer.choice != "yes":
        turn.say("nominee.not_done")
        return NomineeStep.SHOW
    return await _act(turn, draft)


async def _act(turn: Turn, draft: NomineeDraft) -> Next:
    """Do the prepared act, re-checked against the official's scope now."""
    found = await nominee_rights.in_reach(turn, draft.nomination_id)
    reason = draft.reason or ""
    if found is None:
        engine.finish(turn, "nominee.gone")
        return None
    if draft.action == "fix" and draft.field is not None:
        await nominee_rights.correct(turn, found, draft.field, draft.value, reason)
        turn.say("nominee.corrected", field=t(f"nominee.field.{draft.field}"))
    elif draft.action == "consent" and draft.method is not None:
        await nominee_rights.record_consent(
            turn, found, draft.method, draft.guardian, draft.paper, reason
        )
        turn.say("nominee.consent_recorded")
    elif draft.action == "withdraw":
        taken_down = await nominee_rights.withdraw_consent(turn, found, reason)
        turn.say("nominee.consent_withdrawn" + (".taken_down" if taken_down else ""))
    elif draft.action == "anonymise":
        await nominee_rights.anonymise(turn, found, reason)
        turn.say("nominee.anonymised", code=found.nomination.code)
    elif draft.action == "erase":
        await nominee_rights.erase(turn, found, reason)
        engine.finish(turn, "nominee.erased", code=found.nomination.code)
        return None
    return NomineeStep.SHOW


S = NomineeStep
TABLE: dict[NomineeStep, Step[NomineeStep, NomineeDraft]] = {
    S.WHO: Step(ask_who, accept_who, {S.PICK}, Accepts.TEXT, free_text=True),
    S.PICK: Step(ask_pick, accept_pick, {S.WHO, S.SHOW}),
    S.SHOW: Step(ask_show, accept_show, {S.WHO, S.FIELD, S.METHOD, S.REASON, END}),
    S.FIELD: Step(ask_field, accept_field, {S.VALUE, S.SHOW}),
    S.VALUE: Step(ask_value, accept_value, {S.REASON}, Accepts.TEXT, free_text=True),
    S.METHOD: Step(ask_method, accept_method, {S.GUARDIAN, S.PAPER, S.REASON, S.SHOW}),
    S.GUARDIAN: Step(
        ask_guardian, accept_guardian, {S.PAPER, S.REASON}, Accepts.TEXT, free_text=True
    ),
    S.PAPER: Step(ask_paper, accept_paper, {S.REASON}, Accepts.MEDIA | Accepts.TEXT),
    S.REASON: Step(
        ask_reason, accept_reason, {S.CONFIRM, S.SHOW, END}, Accepts.TEXT, free_text=True
    ),
    S.CONFIRM: Step(ask_confirm, accept_confirm, {S.SHOW, END}),
}
FLOW = Flow("nominee", NomineeStep, NomineeDraft, entry={S.WHO}, table=TABLE)
