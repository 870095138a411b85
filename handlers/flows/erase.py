"""/erase (/xoadulieu): a member erases their own personal data, after being told what goes
and what stays and confirming twice (a choice, then the typed word XOÁ). Diagram: erase.mmd."""

from __future__ import annotations

from enum import StrEnum, auto

from handlers.draft import Draft
from handlers.flows import engine
from handlers.flows.base import END, Accepts, Answer, Flow, Step, StepResult
from handlers.messages import t
from handlers.text import fold, phone_forms
from handlers.turn import Option, Turn
from storage import audit, erasure

CONFIRM_WORD = "xoa"


class EraseStep(StrEnum):
    """What erasure means (choose), then the typed confirmation."""

    EXPLAIN = auto()
    CONFIRM = auto()


Next = StepResult[EraseStep]


class EraseDraft(Draft):
    """Nothing to gather."""


async def begin(turn: Turn) -> None:
    """Tell the member what an erasure does, and ask."""
    await engine.start(turn, FLOW, EraseStep.EXPLAIN, EraseDraft())


async def ask_explain(turn: Turn, draft: EraseDraft) -> None:
    turn.say(
        "erase.explain",
        options=[Option("erase", "erase.choice.erase"), Option("cancel", "common.choice.cancel")],
    )


async def accept_explain(turn: Turn, draft: EraseDraft, answer: Answer) -> Next:
    if answer.choice != "erase":
        engine.finish(turn, "erase.kept")
        return None
    return EraseStep.CONFIRM


async def ask_confirm(turn: Turn, draft: EraseDraft) -> None:
    turn.say("erase.ask_word")


async def accept_confirm(turn: Turn, draft: EraseDraft, answer: Answer) -> Next:
    if fold(answer.text or "") != CONFIRM_WORD:
        turn.say("erase.not_confirmed")
        return None
    await erase_sender(turn)
    return None


async def erase_sender(turn: Turn) -> None:
    """Erase the sender's personal data now; the step's reply is the last thing they get."""
    person = turn.person
    assert person is not None
    # A browser keeps its account as a guest's: the page reads this step's answer from it.
    browser = turn.identity.id if turn.identity.channel == "web" else None
    texts = [person.full_name, *(phone_forms(person.phone) if person.phone else [])]
    erased = await erasure.erase_member(
        turn.conn,
        person.id,
        turn.now,
        placeholder=t("privacy.erased_reporter"),
        needles=texts,
        keep_browser=browser,
    )
    # The erasure's own entry stays, without anything about who it was.
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=person.id,
        action="person.erased",
        object_type="person",
        object_id=person.id,
        detail={"by": "self", "counts": erased.counts},
    )
    turn.cleanup.files += erased.files
    turn.cleanup.texts += texts
    turn.cleanup.scrub = True
    turn.forgotten = browser is None
    turn.person, turn.memberships = None, []
    engine.finish(turn)
    turn.say("erase.done")


S = EraseStep
TABLE: dict[EraseStep, Step[EraseStep, EraseDraft]] = {
    S.EXPLAIN: Step(ask_explain, accept_explain, {S.CONFIRM, END}),
    S.CONFIRM: Step(ask_confirm, accept_confirm, {END}, Accepts.TEXT, free_text=True),
}
FLOW = Flow("erase", EraseStep, EraseDraft, entry={S.EXPLAIN}, table=TABLE)
