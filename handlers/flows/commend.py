"""Recording a commendation (khen thưởng) on an approved nomination. Diagram: commend.mmd.

`/khenthuong GS-2026-000123` (or /khenthuong, then the code). The person must hold reviewer
rank or above in a unit whose scope holds the level that approved it (the deciding level);
this is checked when the code is given and again when the record is saved.
"""

from __future__ import annotations

from datetime import date

from handlers.flows import engine
from handlers.flows.base import Accepts, Answer, Flow, Step, StepResult
from handlers.flows.review_actions import commend, load_for
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.permissions import Action
from handlers.turn import Option, Turn
from storage import commendations, reviews

FORMS = ("certificate", "merit", "title", "letter")
TEXT_LIMITS = {"form": 100, "number": 64, "issuer": 200}


async def begin(turn: Turn) -> None:
    """Start recording; the code may follow the command."""
    code = turn.args.strip()
    if code:
        item = await _approved_in_scope(turn, code)
        if item is not None:
            await engine.start(turn, FLOW, "form", {"nid": item.id, "code": item.code})
        return
    await engine.start(turn, FLOW, "code", {})


async def _approved_in_scope(turn: Turn, code: str) -> reviews.ReviewItem | None:
    found = await reviews.find_by_code(turn.conn, code)
    if found is None:
        turn.say("review.code_unknown", code=code.upper())
        return None
    return await load_for(turn, found.id, Action.COMMEND)


async def ask_code(turn: Turn) -> None:
    turn.say("commend.ask_code")


async def accept_code(turn: Turn, answer: Answer) -> StepResult:
    item = await _approved_in_scope(turn, answer.text or "")
    if item is None:
        return None
    turn.state.data.update({"nid": item.id, "code": item.code})
    return "form"


async def ask_form(turn: Turn) -> None:
    turn.say(
        "commend.ask_form",
        code=turn.state.data["code"],
        options=[Option(f, f"commend.form.{f}") for f in FORMS],
    )


def _text(turn: Turn, answer: Answer, limit: int) -> str | None:
    text = (answer.text or "").strip()
    if len(text) < 1:
        turn.say("common.too_short", min=1)
        return None
    if len(text) > limit:
        turn.say("common.too_long", max=limit, got=len(text))
        return None
    return text


async def accept_form(turn: Turn, answer: Answer) -> StepResult:
    form = t(f"commend.form.{answer.choice}") if answer.choice else _text(turn, answer, 100)
    if form is None:
        return None
    turn.state.data["form"] = form
    return "number"


async def ask_number(turn: Turn) -> None:
    turn.say("commend.ask_number")


async def accept_number(turn: Turn, answer: Answer) -> StepResult:
    number = _text(turn, answer, TEXT_LIMITS["number"])
    if number is None:
        return None
    turn.state.data["number"] = number
    return "date"


async def ask_date(turn: Turn) -> None:
    turn.say("commend.ask_date")


def parse_date(text: str) -> date | None:
    """dd/mm/yyyy (or with - or .) as a date; None when it is not a real date."""
    parts = text.strip().replace("-", "/").replace(".", "/").split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    day, month, year = (int(p) for p in parts)
    try:
        return date(year, month, day)
    except ValueError:
        return None


async def accept_date(turn: Turn, answer: Answer) -> StepResult:
    when = parse_date(answer.text or "")
    today = turn.now.astimezone(turn.config.timezone).date()
    if when is None or when.year < 1945 or when > today:
        turn.say("commend.date_invalid")
        return None
    turn.state.data["date"] = when.isoformat()
    return "issuer"


async def ask_issuer(turn: Turn) -> None:
    turn.say("commend.ask_issuer")


async def accept_issuer(turn: Turn, answer: Answer) -> StepResult:
    issuer = _text(turn, answer, TEXT_LIMITS["issuer"])
    if issuer is None:
        return None
    turn.state.data["issuer"] = issuer
    return "confirm"


async def ask_confirm(turn: Turn) -> None:
    data = turn.state.data
    turn.say(
        "commend.confirm",
        code=data["code"],
        form=data["form"],
        number=data["number"],
        date=date.fromisoformat(data["date"]).strftime("%d/%m/%Y"),
        issuer=data["issuer"],
        options=[Option("save", "commend.choice.save"), Option("cancel", "common.choice.cancel")],
    )


async def accept_confirm(turn: Turn, answer: Answer) -> StepResult:
    if answer.choice != "save":
        engine.finish(turn)
        show_main_menu(turn, "common.cancelled")
        return None
    assert turn.person is not None
    data = turn.state.data
    item = await _approved_in_scope(turn, data["code"])
    if item is None:
        engine.finish(turn)
        return None
    await commend(
        turn,
        item,
        commendations.NewCommendation(
            nomination_id=item.id,
            form=data["form"],
            decision_no=data["number"],
            decided_on=date.fromisoformat(data["date"]),
            issuer=data["issuer"],
        ),
    )
    engine.finish(turn)
    show_main_menu(turn, "commend.saved", code=item.code)
    return None


FLOW = Flow(
    name="commend",
    steps={
        "code": Step(ask_code, accept_code, frozenset({Accepts.TEXT}), free_text=True),
        "form": Step(
            ask_form, accept_form, frozenset({Accepts.CHOICE, Accepts.TEXT}), free_text=True
        ),
        "number": Step(ask_number, accept_number, frozenset({Accepts.TEXT}), free_text=True),
        "date": Step(ask_date, accept_date, frozenset({Accepts.TEXT}), free_text=True),
        "issuer": Step(ask_issuer, accept_issuer, frozenset({Accepts.TEXT}), free_text=True),
        "confirm": Step(ask_confirm, accept_confirm),
    },
)
