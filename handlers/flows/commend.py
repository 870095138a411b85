"""Recording a commendation (khen thưởng) on an approved nomination. Diagram: commend.mmd.

`/khenthuong GS-2026-000123` (or /khenthuong, then the code). The person must hold reviewer
rank or above in a unit whose scope holds the level that approved it (the deciding level);
this is checked when the code is given and again when the record is saved.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum, auto
from typing import ClassVar

from handlers.draft import Draft
from handlers.flows import engine
from handlers.flows.base import END, Accepts, Answer, Flow, Step, StepResult, says
from handlers.flows.review_actions import commend, load_for
from handlers.localtime import parse_date
from handlers.messages import t
from handlers.permissions import Action
from handlers.turn import Option, Turn
from storage import commendations, reviews

FORMS = ("certificate", "merit", "title", "letter")
TEXT_LIMITS = {"form": 100, "number": 64, "issuer": 200}


class CommendStep(StrEnum):
    """The questions of recording a commendation."""

    CODE = auto()
    FORM = auto()
    NUMBER = auto()
    DATE = auto()
    ISSUER = auto()
    CONFIRM = auto()


Next = StepResult[CommendStep]


class CommendDraft(Draft):
    """The approved nomination, then the decision that commended it."""

    RENAMED: ClassVar[dict[str, str]] = {
        "nid": "nomination_id",
        "number": "decision_no",
        "date": "decided_on",
    }

    nomination_id: int | None = None
    code: str | None = None
    form: str | None = None
    decision_no: str | None = None
    decided_on: date | None = None
    issuer: str | None = None


async def begin(turn: Turn) -> None:
    """Start recording; the code may follow the command."""
    code = turn.args.strip()
    if code:
        item = await _approved_in_scope(turn, code)
        if item is not None:
            draft = CommendDraft(nomination_id=item.id, code=item.code)
            await engine.start(turn, FLOW, CommendStep.FORM, draft)
        return
    await engine.start(turn, FLOW, CommendStep.CODE, CommendDraft())


async def _approved_in_scope(turn: Turn, code: str) -> reviews.ReviewItem | None:
    found = await reviews.find_by_code(turn.conn, code)
    if found is None:
        turn.say("review.code_unknown", code=code.upper())
        return None
    return await load_for(turn, found.id, Action.COMMEND)


async def accept_code(turn: Turn, draft: CommendDraft, answer: Answer) -> Next:
    item = await _approved_in_scope(turn, answer.text or "")
    if item is None:
        return None
    draft.nomination_id, draft.code = item.id, item.code
    return CommendStep.FORM


async def ask_form(turn: Turn, draft: CommendDraft) -> None:
    turn.say(
        "commend.ask_form",
        code=draft.code,
        options=[Option(f, f"commend.form.{f}") for f in FORMS],
    )


def _text(turn: Turn, answer: Answer, limit: int) -> str | None:
    text = (answer.text or "").strip()
    return text if engine.length_ok(turn, text, (1, limit)) else None


async def accept_form(turn: Turn, draft: CommendDraft, answer: Answer) -> Next:
    form = t(f"commend.form.{answer.choice}") if answer.choice else _text(turn, answer, 100)
    if form is None:
        return None
    draft.form = form
    return CommendStep.NUMBER


async def accept_number(turn: Turn, draft: CommendDraft, answer: Answer) -> Next:
    number = _text(turn, answer, TEXT_LIMITS["number"])
    if number is None:
        return None
    draft.decision_no = number
    return CommendStep.DATE


async def accept_date(turn: Turn, draft: CommendDraft, answer: Answer) -> Next:
    today = turn.now.astimezone(turn.config.timezone).date()
    when = parse_date(answer.text or "", today, future=False)
    if when is None or when.year < 1945 or when > today:
        turn.say("commend.date_invalid")
        return None
    draft.decided_on = when
    return CommendStep.ISSUER


async def accept_issuer(turn: Turn, draft: CommendDraft, answer: Answer) -> Next:
    issuer = _text(turn, answer, TEXT_LIMITS["issuer"])
    if issuer is None:
        return None
    draft.issuer = issuer
    return CommendStep.CONFIRM


async def ask_confirm(turn: Turn, draft: CommendDraft) -> None:
    assert draft.decided_on is not None  # asked before
    turn.say(
        "commend.confirm",
        code=draft.code,
        form=draft.form,
        number=draft.decision_no,
        date=draft.decided_on.strftime("%d/%m/%Y"),
        issuer=draft.issuer,
        options=[Option("save", "commend.choice.save"), Option("cancel", "common.choice.cancel")],
    )


async def accept_confirm(turn: Turn, draft: CommendDraft, answer: Answer) -> Next:
    if answer.choice != "save":
        engine.finish(turn, "common.cancelled")
        return None
    assert turn.person is not None
    item = await _approved_in_scope(turn, draft.code or "")
    if item is None:
        engine.finish(turn)
        return None
    form, decision_no, decided_on, issuer = (
        draft.form,
        draft.decision_no,
        draft.decided_on,
        draft.issuer,
    )
    assert form and decision_no and decided_on and issuer  # asked before the confirmation
    await commend(
        turn,
        item,
        commendations.NewCommendation(
            nomination_id=item.id,
            form=form,
            decision_no=decision_no,
            decided_on=decided_on,
            issuer=issuer,
        ),
    )
    engine.finish(turn, "commend.saved", code=item.code)
    return None


# The questions that are one catalog text.
ask_code = says("commend.ask_code")
ask_number = says("commend.ask_number")
ask_date = says("commend.ask_date")
ask_issuer = says("commend.ask_issuer")

S = CommendStep
TYPED = Accepts.TEXT
TABLE: dict[CommendStep, Step[CommendStep, CommendDraft]] = {
    S.CODE: Step(ask_code, accept_code, {S.FORM}, TYPED, free_text=True),
    S.FORM: Step(ask_form, accept_form, {S.NUMBER}, Accepts.CHOICE | TYPED, free_text=True),
    S.NUMBER: Step(ask_number, accept_number, {S.DATE}, TYPED, free_text=True),
    S.DATE: Step(ask_date, accept_date, {S.ISSUER}, TYPED, free_text=True),
    S.ISSUER: Step(ask_issuer, accept_issuer, {S.CONFIRM}, TYPED, free_text=True),
    S.CONFIRM: Step(ask_confirm, accept_confirm, {END}),
}
FLOW = Flow("commend", CommendStep, CommendDraft, entry={S.CODE, S.FORM}, table=TABLE)
