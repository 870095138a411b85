"""Moving through a flow: asking, resolving answers, /back, ending."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.flows.base import END, Accepts, Answer, Flow, Step
from handlers.text import match_option, normalize
from handlers.turn import Turn
from handlers.types import InboundKind

HISTORY_LIMIT = 30


def current_step(turn: Turn, flows: Mapping[str, Flow]) -> Step | None:
    """The step the conversation is at, if any (unknown names after an upgrade are dropped)."""
    state = turn.state
    if state.flow is None or state.step is None:
        return None
    flow = flows.get(state.flow)
    return flow.steps.get(state.step) if flow else None


async def start(turn: Turn, flow: Flow, step: str, data: dict[str, Any] | None = None) -> None:
    """Begin a flow at a step, with fresh data."""
    turn.state.flow = flow.name
    turn.state.step = None
    turn.state.history = []
    turn.state.data = data or {}
    await go(turn, flow, step)


async def go(turn: Turn, flow: Flow, step: str, *, remember: bool = True) -> None:
    """Move to a step (END finishes the flow) and ask its question."""
    state = turn.state
    if step == END:
        finish(turn)
        return
    if remember and state.step is not None and state.step != step:
        state.history = [*state.history, state.step][-HISTORY_LIMIT:]
    state.step = step
    state.menu = None
    await flow.steps[step].ask(turn)


async def ask_again(turn: Turn, flow: Flow) -> None:
    """Repeat the current question (after an answer that did not fit)."""
    assert turn.state.step is not None
    turn.state.menu = None
    await flow.steps[turn.state.step].ask(turn)


def finish(turn: Turn) -> None:
    """Leave the flow; the conversation is idle again."""
    state = turn.state
    state.flow = state.step = None
    state.data = {}
    state.history = []
    state.menu = None


async def back(turn: Turn, flow: Flow) -> bool:
    """Return one step; False at the first step."""
    if not turn.state.history:
        return False
    previous = turn.state.history[-1]
    turn.state.history = turn.state.history[:-1]
    await go(turn, flow, previous, remember=False)
    return True


def resolve_button(turn: Turn) -> tuple[str | None, str | None]:
    """(value, error key) for a pressed button; buttons are checked against the current menu."""
    token = turn.inbound.button or ""
    seq, _, value = token.partition(".")
    menu = turn.state.menu
    if menu is None or not seq.isdigit() or int(seq) != menu.seq:
        return None, "common.stale_button"
    if value not in {v for v, _ in menu.options}:
        return None, "common.not_an_option"
    return value, None


async def handle(turn: Turn, flow: Flow) -> None:
    """Feed the inbound event to the current step."""
    state = turn.state
    assert state.step is not None
    step = flow.steps[state.step]
    answer, error = _answer_for(turn, step)
    if error:
        turn.say(error)
        await ask_again(turn, flow)
        return
    assert answer is not None
    result = await step.accept(turn, answer)
    if result is not None:
        await go(turn, flow, result)


def _answer_for(turn: Turn, step: Step) -> tuple[Answer | None, str | None]:
    inbound = turn.inbound
    menu = turn.state.menu
    if inbound.kind == InboundKind.BUTTON:
        value, error = resolve_button(turn)
        return (Answer(choice=value), None) if error is None else (None, error)
    if inbound.kind == InboundKind.TEXT and inbound.text is not None:
        if menu and Accepts.CHOICE in step.accepts:
            index = match_option(inbound.text, [label for _, label in menu.options])
            if index is not None:
                return Answer(choice=menu.options[index][0]), None
        if Accepts.TEXT in step.accepts:
            return Answer(text=normalize(inbound.text)), None
        if Accepts.CHOICE in step.accepts:
            return None, "common.not_an_option"
        return None, _expected(step)
    if inbound.kind == InboundKind.MEDIA and Accepts.MEDIA in step.accepts:
        return Answer(attachments=list(inbound.attachments)), None
    if inbound.kind == InboundKind.CONTACT and Accepts.CONTACT in step.accepts:
        return Answer(phone=inbound.contact_phone, phone_is_own=inbound.contact_is_own), None
    if inbound.kind == InboundKind.UNSUPPORTED:
        return None, "common.unsupported_message"
    if inbound.kind == InboundKind.LOCATION and Accepts.TEXT in step.accepts:
        return None, "common.location_received"
    return None, _expected(step)


def _expected(step: Step) -> str:
    if Accepts.MEDIA in step.accepts:
        return "nominate.evidence_expected"
    if Accepts.TEXT in step.accepts:
        return "common.expected_text"
    return "common.expected_choice"


def length_ok(turn: Turn, text: str, limits: tuple[int, int]) -> bool:
    """Whether a typed text is within (min, max) characters; if not, say which bound."""
    low, high = limits
    if len(text) < low:
        turn.say("common.too_short", min=low)
        return False
    if len(text) > high:
        turn.say("common.too_long", max=high, got=len(text))
        return False
    return True
