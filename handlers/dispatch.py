"""Route one inbound event: events, commands, the running flow, or the idle menu."""

from __future__ import annotations

import re
from datetime import timedelta

from handlers import commands
from handlers.commands import Command
from handlers.flows import engine, join, link
from handlers.flows.base import AnyFlow
from handlers.localtime import local_date_time
from handlers.menu import show_main_menu
from handlers.officials.actions import action_in, run_action
from handlers.registry import ACTIONS, COMMANDS, FLOWS, MENU_COMMANDS
from handlers.roles import has_role
from handlers.text import match_option
from handlers.turn import Option, Turn
from handlers.types import InboundKind
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
    """A bulk message's button, a command, the running flow's step, or the idle menu."""
    inbound = turn.inbound
    action = action_in(inbound.button) if inbound.kind == InboundKind.BUTTON else None
    if action is not None:
        if withdrawn(turn):
            gate(turn)
            return
        await run_action(turn, action, ACTIONS)
        return
    step = engine.current_step(turn, flow) if flow is not None else None
    command, args = _command_in(turn, free_text=step.free_text if step else False)
    if isinstance(command, str):
        turn.say("common.unknown_command", command=command)
        if flow is not None:
            await engine.ask_again(turn, flow)
        return
    if command is not None:
        turn.args = args
        await run(turn, command)
        return
    if flow is not None and withdrawn(turn) and flow.name not in OPEN_FLOWS_WHEN_WITHDRAWN:
        gate(turn)
        return
    if flow is not None:
        await engine.handle(turn, flow)
        return
    await _idle(turn)


def _command_in(turn: Turn, *, free_text: bool) -> tuple[Command | str | None, str]:
    """The command an event carries; a str is an unknown command's name."""
    inbound = turn.inbound
    name: str | None = None
    args = inbound.args
    if inbound.kind == InboundKind.COMMAND and inbound.command:
        name = inbound.command.lower()
    elif inbound.kind == InboundKind.TEXT and inbound.text:
        slash = commands.parse_slash(inbound.text.strip())
        if slash:
            name, args = slash
        else:
            return commands.find_by_words(COMMANDS, inbound.text, free_text=free_text), ""
    if name is None:
        return None, ""
    found = commands.find(COMMANDS, name)
    return (found if found else "/" + name), args


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
    if turn.person is None:
        compact = text.replace("-", "").replace(" ", "")
        if inbound.kind == InboundKind.TEXT and _looks_like_code(text, compact):
            # A link code (from /my on another app) links this account; else an invite.
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
    show_main_menu(turn, "common.not_understood")


async def _menu_command(turn: Turn, value: str) -> None:
    if value.startswith("!"):  # a bulk message's option typed as its number
        await run_action(turn, value, ACTIONS)
        return
    name = MENU_COMMANDS.get(value)
    command = commands.find(COMMANDS, name) if name else None
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
    if state.flow is None or state.updated_at is None:
        return
    if turn.now - state.updated_at > timedelta(days=turn.config.draft_ttl_days):
        engine.finish(turn)
        turn.say("common.draft_expired")
