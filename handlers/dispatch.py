"""Route one inbound event: events, commands, the running flow, or the idle menu.

The order encodes what a person means. A button, or a message held until they said what it
was for, is answered first. Then a reply right after a message sent outside the
conversation (an event invitation, a reviewer's question) answers that message, even with a
flow running, which then resumes with its question repeated. A navigation word typed whole
where free text is asked ("huy", "quay lai") is asked about, never stored silently; plain
words elsewhere may be commands with arguments ("duyet GS-2026-000123"). Whatever fits
nothing is held and the person told what was kept and what they can do with it.
"""

from __future__ import annotations

import re
from datetime import timedelta

from handlers import commands
from handlers.commands import NAVIGATION, Command
from handlers.flows import engine, join, link, nominate
from handlers.flows.base import Accepts, AnyFlow
from handlers.localtime import local_date_time
from handlers.loose import hold_loose, hold_reply
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.officials.actions import action_in, run_action
from handlers.pending import Held, HeldFor
from handlers.registry import ACTIONS, COMMANDS, FLOWS, MENU_COMMANDS
from handlers.roles import has_role
from handlers.text import match_option
from handlers.turn import Option, Turn
from handlers.types import InboundKind, Reply
from storage import people

_CODE_LIKE = re.compile(r"[A-Za-z0-9]{6,40}")


def _looks_like_code(text: str, compact: str) -> bool:
    """A typed invite or link code: one word, or spaced groups with a digit in them.

    "xin chao" typed without diacritics is a greeting, not a wrong code (which would also
    count against the hourly limit of wrong codes)."""
    if not _CODE_LIKE.fullmatch(compact):
        return False
    return " " not in text.strip() or any(ch.isdigit() for ch in compact)


async def dispatch(turn: Turn) -> None:
    """Handle one inbound event in the sender's conversation."""
    _expire_old_draft(turn)
    if turn.inbound.kind == InboundKind.EVENT:
        await _on_event(turn)
        return
    flow = engine.resume(turn, FLOWS)
    await _route(turn, flow)
    await engine.resume_suspended(turn, FLOWS)
    engine.keep(turn)


# What a member who withdrew consent may still do: their rights, help, and joining again.
OPEN_WHEN_WITHDRAWN = frozenset({"mydata", "erase", "consent", "help", "cancel", "back", "start"})
OPEN_FLOWS_WHEN_WITHDRAWN = frozenset({"mydata", "erase", "join"})


def withdrawn(turn: Turn) -> bool:
    """Whether the sender is a member who withdrew consent."""
    return turn.person is not None and turn.person.consent_withdrawn_at is not None


def gate(turn: Turn) -> None:
    """Tell a member who withdrew consent what they can do (any running flow ends)."""
    assert turn.person is not None and turn.person.consent_withdrawn_at is not None
    engine.finish(turn)
    turn.say(
        "consent.gate",
        at=local_date_time(turn.person.consent_withdrawn_at, turn.config),
        options=[
            Option("cmd.consent", "consent.choice.again"),
            Option("cmd.mydata", "consent.choice.mydata"),
            Option("cmd.erase", "consent.choice.erase"),
        ],
    )


async def _route(turn: Turn, flow: AnyFlow | None) -> None:
    """Buttons and held messages, commands, replies to asides, the flow, or the idle menu."""
    inbound = turn.inbound
    action = action_in(inbound.button) if inbound.kind == InboundKind.BUTTON else None
    if action is not None:
        await _action(turn, flow, action)
        return
    choice = engine.held_choice(turn)
    if choice is not None:
        await _resolve_held(turn, flow, choice)
        return
    turn.pending.held = None  # the person moved on: what was held is let go
    command, args = _slash_command(turn)
    if isinstance(command, str):
        turn.say("common.unknown_command", command=command)
        if flow is not None:
            await engine.ask_again(turn, flow)
        return
    if command is not None:
        await _command(turn, flow, command, args)
        return
    if await _answers_aside(turn, flow):
        return
    if flow is not None and withdrawn(turn) and flow.name not in OPEN_FLOWS_WHEN_WITHDRAWN:
        gate(turn)
        return
    if flow is not None:
        await _in_flow(turn, flow)
        return
    await _idle(turn)


def _slash_command(turn: Turn) -> tuple[Command | str | None, str]:
    """The command a /command carries; a str is an unknown command's name."""
    inbound = turn.inbound
    name: str | None = None
    args = inbound.args
    if inbound.kind == InboundKind.COMMAND and inbound.command:
        name = inbound.command.lower()
    elif inbound.kind == InboundKind.TEXT and inbound.text:
        slash = commands.parse_slash(inbound.text.strip())
        if slash:
            name, args = slash
    if name is None:
        return None, ""
    found = COMMANDS.find(name)
    return (found if found else "/" + name), args


async def _command(turn: Turn, flow: AnyFlow | None, command: Command, args: str) -> None:
    """Run a command; a flow it left untouched asks its question again afterwards."""
    turn.args = args
    await run(turn, command)
    if flow is not None and turn.state.flow == flow.name and not turn.moved:
        turn.say("common.resumed")
        await engine.ask_again(turn, flow)


async def _action(turn: Turn, flow: AnyFlow | None, value: str) -> None:
    """Run a button's action ("!rsvp.3.yes"); a flow it left untouched resumes."""
    if withdrawn(turn):
        gate(turn)
        return
    await run_action(turn, value, ACTIONS)
    if flow is not None and turn.state.flow == flow.name and not turn.moved:
        turn.say("common.resumed")
        await engine.ask_again(turn, flow)


async def run(turn: Turn, command: Command) -> None:
    """Run a command after checking who may."""
    if command.role is not None:
        if not turn.joined:
            turn.say("common.not_joined")
            return
        if not has_role(turn.memberships, command.role):
            turn.say("common.no_permission")
            return
    if withdrawn(turn) and command.name not in OPEN_WHEN_WITHDRAWN:
        gate(turn)
        return
    await command.run(turn)


async def _answers_aside(turn: Turn, flow: AnyFlow | None) -> bool:
    """A reply to the last message the chat received, when that was sent outside the
    conversation: a typed choice of it runs its action; other text or files go to its
    `reply_action` (a reviewer's question takes the answer)."""
    inbound = turn.inbound
    if inbound.kind not in (InboundKind.TEXT, InboundKind.MEDIA) or turn.person is None:
        return False
    payload = turn.latest_delivered
    if payload is None or not payload.get("aside"):
        return False
    latest = Reply.model_validate(payload)
    if inbound.kind == InboundKind.TEXT and latest.choices:
        index = match_option(inbound.text or "", [c.label for c in latest.choices])
        value = action_in(latest.choices[index].token) if index is not None else None
        if value is not None:
            await _action(turn, flow, value)
            return True
    if latest.reply_action is None:
        return False
    if inbound.kind == InboundKind.TEXT and COMMANDS.find_by_words(inbound.text or ""):
        return False  # "huỷ", "đề cử…": a command, not the answer
    if flow is not None:
        # A flow runs too: the reply may be meant for either; ask, one tap or number.
        hold_reply(turn, latest.reply_action)
        return True
    await _action(turn, flow, f"{latest.reply_action}.reply")
    return True


async def _resolve_held(turn: Turn, flow: AnyFlow | None, choice: str) -> None:
    """Do what the person chose for the message held last turn."""
    held = turn.pending.held
    assert held is not None
    turn.pending.held = None
    if (held.flow, held.step) != (turn.state.flow, turn.state.step):
        show_main_menu(turn, "common.stale_button")
        return
    if choice == "held.run" and held.command:
        command = COMMANDS.find(held.command)
        assert command is not None  # held for a navigation command by name
        await _command(turn, flow, command, "")
        return
    if choice == "held.retype":
        if flow is not None:
            await engine.ask_again(turn, flow)
        else:
            show_main_menu(turn)
        return
    if choice == "held.drop":
        show_main_menu(turn, "common.dropped")
        return
    _replay(turn, held)
    turn.state.menu = held.step_menu
    if choice == "held.use" and flow is not None:
        await engine.handle(turn, flow)
    elif choice == "held.nominate":
        await nominate.begin(turn, story=held.text, files=held.attachments)
    elif choice.startswith("held.action."):
        await _action(turn, flow, choice.removeprefix("held.action.") + ".reply")
    else:
        show_main_menu(turn, "common.not_an_option")


def _replay(turn: Turn, held: Held) -> None:
    """Make the held message the event being handled, as if it had just been sent."""
    kind = InboundKind.MEDIA if held.attachments else InboundKind.TEXT
    turn.inbound = turn.inbound.model_copy(
        update={"kind": kind, "text": held.text, "attachments": held.attachments, "button": None}
    )


async def _in_flow(turn: Turn, flow: AnyFlow) -> None:
    """The running flow's step, after what typed words may mean instead."""
    inbound = turn.inbound
    step = engine.current_step(turn, flow)
    text = inbound.text or ""
    if inbound.kind == InboundKind.TEXT and turn.state.menu is not None:
        index = match_option(text, [label for _, label in turn.state.menu.options])
        value = turn.state.menu.options[index][0] if index is not None else ""
        if value.startswith("!"):  # an action offered in the menu ("↩ Hoàn tác")
            await _action(turn, flow, value)
            return
        if index is not None and Accepts.CHOICE in step.accepts:
            await engine.handle(turn, flow)
            return
    if inbound.kind == InboundKind.TEXT:
        if step.free_text and Accepts.TEXT in step.accepts:
            word = COMMANDS.navigation_word(text)
            if word is not None:
                _ask_which(turn, word, text)
                return
        else:
            found = COMMANDS.find_by_words(text)
            if found is not None:
                await _command(turn, flow, *found)
                return
    await engine.handle(turn, flow)


def _ask_which(turn: Turn, command: Command, typed: str) -> None:
    """ "huy" typed where a name is asked: cancel, or the name "Huy"? One tap or number."""
    assert command.name in NAVIGATION
    engine.hold(
        turn,
        Held(reason=HeldFor.NAVIGATION, text=typed.strip(), command=command.name),
        "common.which_meant",
        [
            Option("held.run", f"common.meant.{command.name}"),
            Option("held.use", label_text=t("common.meant.answer", text=typed.strip())),
        ],
        text=typed.strip(),
    )


async def _idle(turn: Turn) -> None:
    inbound = turn.inbound
    if inbound.kind == InboundKind.BUTTON:
        value, error = engine.resolve_button(turn)
        if error:
            # Main-menu buttons stay usable after a bulk message replaced the idle menu:
            # they only start commands, which check the role themselves.
            _, _, typed = (inbound.button or "").partition(".")
            if typed in MENU_COMMANDS:
                await _menu_command(turn, typed)
                return
            show_main_menu(turn, error)
            return
        await _menu_command(turn, value or "")
        return
    text = (inbound.text or "").strip()
    if inbound.kind == InboundKind.TEXT and turn.state.menu is not None:
        index = match_option(text, [label for _, label in turn.state.menu.options])
        if index is not None:
            await _menu_command(turn, turn.state.menu.options[index][0])
            return
    if inbound.kind == InboundKind.TEXT:
        found = COMMANDS.find_by_words(text)
        if found is not None:
            await _command(turn, None, *found)
            return
    if turn.person is None:
        compact = text.replace("-", "").replace(" ", "")
        if inbound.kind == InboundKind.TEXT and _looks_like_code(text, compact):
            # A link code (from /taikhoan on another app) links this account; else an invite.
            if not await link.redeem(turn, compact):
                await join.begin(turn, compact)
        elif turn.identity.consent_refused_at is not None:
            turn.say("join.refused_before")
        else:
            turn.say("common.welcome_stranger")
        return
    if withdrawn(turn):
        gate(turn)
        return
    if inbound.kind == InboundKind.UNSUPPORTED:
        show_main_menu(turn, "common.unsupported_message")
        return
    if inbound.kind in (InboundKind.TEXT, InboundKind.MEDIA) and turn.joined:
        await hold_loose(turn)
        return
    show_main_menu(turn, "common.not_understood")


async def _menu_command(turn: Turn, value: str) -> None:
    if value.startswith("!"):  # a bulk message's option typed as its number
        await _action(turn, None, value)
        return
    name = MENU_COMMANDS.get(value)
    command = COMMANDS.find(name) if name else None
    if command is None:
        show_main_menu(turn, "common.not_an_option")
        return
    await run(turn, command)


async def _on_event(turn: Turn) -> None:
    event = turn.inbound.event
    if event in ("blocked", "unfollow"):
        await people.mark_unreachable(turn.conn, turn.identity.id, turn.now)
        return
    if event in ("follow", "unblocked"):
        if turn.joined and turn.person is not None:
            show_main_menu(turn, "common.welcome_joined", name=turn.person.full_name)
        else:
            turn.say("common.welcome_stranger")


def _expire_old_draft(turn: Turn) -> None:
    state = turn.state
    if (state.flow is None and state.pending is None) or state.updated_at is None:
        return
    if turn.now - state.updated_at > timedelta(days=turn.config.draft_ttl_days):
        had_flow = state.flow is not None
        engine.finish(turn)
        state.pending = None
        if had_flow:
            turn.say("common.draft_expired")
