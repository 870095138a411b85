"""Moving through a flow: loading its draft, asking, resolving answers, /back, ending."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from pydantic import ValidationError

from handlers.flows.base import END, Accepts, Answer, AnyFlow, D, End, Flow, FlowTableError, S, Step
from handlers.menu import show_main_menu
from handlers.text import match_option, normalize
from handlers.turn import Turn
from handlers.types import InboundKind

log = logging.getLogger(__name__)

HISTORY_LIMIT = 30


def resume(turn: Turn, flows: Mapping[str, AnyFlow]) -> AnyFlow | None:
    """The running flow with its draft loaded; a draft that cannot be read is dropped politely.

    A draft is unreadable when its flow, step or /back history no longer exist or its data
    does not validate (see Draft): the person is told to start again, never left at a step
    that would fail or fed a guessed value.
    """
    state = turn.state
    if state.flow is None:
        return None
    flow = flows.get(state.flow)
    try:
        if flow is None:
            raise ValueError(state.flow)
        for name in (state.step, *state.history):
            flow.step_named(name)
        turn.draft = flow.draft.model_validate(state.data)
    except ValueError as error:  # an unknown name, or pydantic's ValidationError
        # Field names only, never values: they are people's answers.
        where = [e["loc"] for e in error.errors()] if isinstance(error, ValidationError) else []
        log.warning("unreadable %s draft at %s dropped %s", state.flow, state.step, where)
        finish(turn)
        turn.say("common.draft_unreadable")
        return None
    return flow


def keep(turn: Turn) -> None:
    """Store the running draft back into the conversation state (before it is saved)."""
    if turn.state.flow is None:
        turn.state.data = {}
    elif turn.draft is not None:
        turn.state.data = turn.draft.model_dump(mode="json")


def current_step(turn: Turn, flow: Flow[S, D]) -> Step[S, D]:
    """The step the conversation is at (resume checked that the flow has it)."""
    return flow.table[flow.step_named(turn.state.step)]


async def start(turn: Turn, flow: Flow[S, D], step: S, draft: D) -> None:
    """Begin a flow at one of its entry steps, with a fresh draft."""
    if step not in flow.entry:
        raise FlowTableError(f"{flow.name} does not start at {step}")
    turn.state.flow = flow.name
    turn.state.step = None
    turn.state.history = []
    turn.draft = draft
    await go(turn, flow, step)


async def go(turn: Turn, flow: Flow[S, D], step: S | End, *, remember: bool = True) -> None:
    """Move to a step (END finishes the flow) and ask its question."""
    state = turn.state
    if step is END:
        finish(turn)
        return
    if remember and state.step is not None and state.step != step:
        state.history = [*state.history, state.step][-HISTORY_LIMIT:]
    state.step = step.value
    state.menu = None
    await flow.table[step].ask(turn, flow.draft_of(turn))


async def ask_again(turn: Turn, flow: Flow[S, D]) -> None:
    """Repeat the current question (after an answer that did not fit)."""
    turn.state.menu = None
    await current_step(turn, flow).ask(turn, flow.draft_of(turn))


def finish(turn: Turn, key: str | None = None, **params: object) -> None:
    """Leave the flow; the conversation is idle again. With a catalog key, say it and offer
    the main menu (after leaving, so the main menu is the one a typed number answers)."""
    state = turn.state
    state.flow = state.step = None
    state.data = {}
    state.history = []
    state.menu = None
    turn.draft = None
    if key is not None:
        show_main_menu(turn, key, **params)


async def back(turn: Turn, flow: Flow[S, D]) -> bool:
    """Return one step; False at the first step."""
    if not turn.state.history:
        return False
    previous = flow.step_named(turn.state.history[-1])
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


async def handle(turn: Turn, flow: Flow[S, D]) -> None:
    """Feed the inbound event to the current step, and move where its table allows."""
    here = flow.step_named(turn.state.step)
    step = flow.table[here]
    answer, error = _answer_for(turn, step)
    if error:
        turn.say(error)
        await ask_again(turn, flow)
        return
    assert answer is not None
    result = await step.accept(turn, flow.draft_of(turn), answer)
    moved = END if turn.state.flow != flow.name else result
    if moved is not None and moved not in step.to:
        raise FlowTableError(f"{flow.name}: {here} -> {moved} is not in its table")
    if result is not None:
        await go(turn, flow, result)


def _answer_for(turn: Turn, step: Step[S, D]) -> tuple[Answer | None, str | None]:
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


def _expected(step: Step[S, D]) -> str:
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
