"""Moving through a flow: loading its draft, asking, resolving answers, /back, ending."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from pydantic import ValidationError

from handlers.flows.base import END, Accepts, Answer, AnyFlow, D, End, Flow, FlowTableError, S, Step
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.pending import Held, HeldFor, Pending, Suspended
from handlers.text import cut_at_sentence, fold, match_option, normalize, number
from handlers.turn import Option, Turn
from handlers.types import InboundKind

log = logging.getLogger(__name__)

HISTORY_LIMIT = 30
# Typed at a step that offers "Bỏ qua" (or "Không có ý kiến thêm"), these mean it.
SKIP_WORDS = frozenset(
    {
        "khong co",
        "ko co",
        "k co",
        "kh co",
        "khong",
        "ko",
        "khong biet",
        "ko biet",
        "khong ro",
        "ko ro",
        "chua co",
        "chua",
        "bo qua",
        "bo",
        "skip",
        "khong can",
        "ko can",
        "khong co a",
        "khong co so",
    }
)
SKIP_VALUES = ("skip", "none")
# A text longer than a step takes is held, and its first part offered, when the step takes
# at least this much (a story); shorter fields (a name) are simply asked again.
HOLD_LONGER_THAN = 1000


def resume(turn: Turn, flows: Mapping[str, AnyFlow]) -> AnyFlow | None:
    """The running flow with its draft loaded; a draft that cannot be read is dropped politely.

    A draft is unreadable when its flow, step or /back history no longer exist or its data
    does not validate (see Draft): the person is told to start again, never left at a step
    that would fail or fed a guessed value.
    """
    state = turn.state
    turn.pending = Pending.load(state.pending)
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
    """Store the running draft and the engine's state back into the conversation state."""
    if turn.state.flow is None:
        turn.state.data = {}
    elif turn.draft is not None:
        turn.state.data = turn.draft.model_dump(mode="json")
    turn.state.pending = turn.pending.dump()


def suspend(turn: Turn) -> bool:
    """Put the running flow aside (another one starts); False when one is aside already,
    or nothing runs. The dispatcher resumes it when the other one ends."""
    state = turn.state
    if state.flow is None or state.step is None or turn.pending.suspended is not None:
        return False
    data = turn.draft.model_dump(mode="json") if turn.draft is not None else dict(state.data)
    turn.pending.suspended = Suspended(
        flow=state.flow, step=state.step, data=data, history=list(state.history)
    )
    finish(turn)
    return True


async def resume_suspended(turn: Turn, flows: Mapping[str, AnyFlow]) -> None:
    """With no flow running, take the flow put aside back and ask its question again."""
    aside = turn.pending.suspended
    if turn.state.flow is not None or aside is None:
        return
    turn.pending.suspended = None
    flow = flows.get(aside.flow)
    try:
        if flow is None:
            raise ValueError(aside.flow)
        step = flow.step_named(aside.step)
        draft = flow.draft.model_validate(aside.data)
    except ValueError:
        show_main_menu(turn, "common.draft_unreadable")
        return
    turn.state.flow, turn.state.step, turn.state.history = flow.name, step.value, aside.history
    turn.draft = draft
    turn.say("common.resumed")
    await ask_again(turn, flow)


def current_step(turn: Turn, flow: Flow[S, D]) -> Step[S, D]:
    """The step the conversation is at (resume checked that the flow has it)."""
    return flow.table[flow.step_named(turn.state.step)]


async def start(turn: Turn, flow: Flow[S, D], step: S, draft: D) -> None:
    """Begin a flow at one of its entry steps, with a fresh draft."""
    if step not in flow.entry:
        raise FlowTableError(f"{flow.name} does not start at {step}")
    if turn.state.flow not in (None, flow.name):
        # What the person was doing is put aside, and resumed when this one ends.
        suspend(turn)
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
    turn.moved = True
    await flow.table[step].ask(turn, flow.draft_of(turn))


async def ask_again(turn: Turn, flow: Flow[S, D]) -> None:
    """Repeat the current question (after an answer that did not fit)."""
    turn.state.menu = None
    turn.moved = True
    await current_step(turn, flow).ask(turn, flow.draft_of(turn))


def finish(turn: Turn, key: str | None = None, **params: object) -> None:
    """Leave the flow; the conversation is idle again. With a catalog key, say it and offer
    the main menu (after leaving, so the main menu is the one a typed number answers);
    when a flow waits aside, the dispatcher resumes it instead of offering the menu."""
    state = turn.state
    state.flow = state.step = None
    state.data = {}
    state.history = []
    state.menu = None
    turn.draft = None
    turn.pending.held = None
    turn.moved = True
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
    if menu is None or not seq.isdigit():
        return None, "common.stale_button"
    offered = value in {v for v, _ in menu.options}
    # An older menu of the same step ("Xong" under the question, while a file was still
    # on its way and its receipt offered "Xong" again) means the same choice.
    earlier = menu.since is not None and menu.since <= int(seq) < menu.seq
    if int(seq) != menu.seq and not (earlier and offered):
        return None, "common.stale_button"
    if not offered:
        return None, "common.not_an_option"
    return value, None


async def handle(turn: Turn, flow: Flow[S, D]) -> None:
    """Feed the inbound event to the current step, and move where its table allows."""
    step = current_step(turn, flow)
    # A file that arrives after the step that asked for it (a slow upload, "Xong" tapped
    # meanwhile) is kept with the draft, never refused.
    late = turn.inbound.kind == InboundKind.MEDIA and Accepts.MEDIA not in step.accepts
    if late and flow.late_files is not None:
        await flow.late_files(turn, flow.draft_of(turn), list(turn.inbound.attachments))
        await ask_again(turn, flow)
        return
    answer, error = _answer_for(turn, step)
    if error:
        turn.say(error)
        await ask_again(turn, flow)
        return
    assert answer is not None
    await apply(turn, flow, answer)


async def apply(turn: Turn, flow: Flow[S, D], answer: Answer) -> None:
    """Give an answer to the current step, and move where its table allows."""
    here = flow.step_named(turn.state.step)
    step = flow.table[here]
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
            skip = _skip_value(inbound.text, [value for value, _ in menu.options])
            if skip is not None:
                return Answer(choice=skip), None
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


def _skip_value(text: str, values: list[str]) -> str | None:
    """ "không có", "ko co", "khong ro"… at a step that offers to skip: that option."""
    if fold(text) not in SKIP_WORDS:
        return None
    return next((v for v in SKIP_VALUES if v in values), None)


def _expected(step: Step[S, D]) -> str:
    if Accepts.MEDIA in step.accepts:
        return "nominate.evidence_expected"
    if Accepts.TEXT in step.accepts:
        return "common.expected_text"
    return "common.expected_choice"


def length_ok(turn: Turn, text: str, limits: tuple[int, int]) -> bool:
    """Whether a typed text is within (min, max) characters; if not, say which bound.

    A story longer than the step takes is never lost: it is held, and the person chooses
    to keep its first part (cut at a sentence end) or to send a shorter one."""
    low, high = limits
    if len(text) < low:
        turn.say("common.too_short", min=low)
        return False
    if len(text) > high:
        if high <= HOLD_LONGER_THAN:
            turn.say("common.too_long", max=high, got=len(text))
            return False
        first = cut_at_sentence(text, high)
        hold(
            turn,
            Held(reason=HeldFor.TOO_LONG, text=first),
            "common.too_long_held",
            [
                Option("held.use", "common.choice.keep_first"),
                Option("held.retype", "common.choice.retype"),
            ],
            max=number(high),
            got=number(len(text)),
            kept=number(len(first)),
            end=first[-60:].lstrip(),
        )
        return False
    return True


def hold(turn: Turn, held: Held, key: str, options: list[Option], **params: object) -> None:
    """Keep a message until the person says what it was for; the options are the menu."""
    held.flow, held.step, held.step_menu = turn.state.flow, turn.state.step, turn.state.menu
    turn.say_text(t(key, **params), options=options)
    held.menu_seq = turn.state.menu_seq
    turn.pending.held = held


def held_choice(turn: Turn) -> str | None:
    """The option of the held message's menu this event picks, if it picks one."""
    held = turn.pending.held
    menu = turn.state.menu
    if held is None or menu is None or menu.seq != held.menu_seq:
        return None
    inbound = turn.inbound
    if inbound.kind == InboundKind.BUTTON:
        value, error = resolve_button(turn)
        return value if error is None else None
    if inbound.kind == InboundKind.TEXT and inbound.text is not None:
        index = match_option(inbound.text, [label for _, label in menu.options])
        return menu.options[index][0] if index is not None else None
    return None


def confirm_tidied(turn: Turn, typed: str, tidied: str) -> bool:
    """Whether a tidied answer can be stored now: the same as typed, or already confirmed.

    Otherwise it is held and the person asked: "I will write «Nguyen Thi Lan» — right?"."""
    if " ".join(typed.split()) == tidied:
        return True
    hold(
        turn,
        Held(reason=HeldFor.NAME, text=tidied),
        "common.confirm_name",
        [
            Option("held.use", label_text=t("common.choice.name_ok", name=tidied)),
            Option("held.retype", "common.choice.retype"),
        ],
        name=tidied,
    )
    return False
