"""Commands: names, Vietnamese aliases, plain words, who may use them, what they start."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from handlers.flows.base import AnyFlow
from handlers.roles import Role
from handlers.text import fold
from handlers.turn import Turn


@dataclass(frozen=True)
class Command:
    """A command and everything that names it: one line of the registry."""

    name: str
    # The Vietnamese name (/bosung); typed plainly ("bosung") it means the command too.
    alias: str
    # None: anyone, joined or not.
    role: Role | None
    run: Callable[[Turn], Awaitable[None]]
    # The flow it starts, if any: the dispatcher finds a running flow by its name here.
    flow: AnyFlow | None = None
    # More plain phrases (folded) that mean the command on channels without a command menu.
    words: tuple[str, ...] = ()


# Plain words accepted even at a free-text step: they carry diacritics, so a name like
# "Huy" is not read as "huỷ".
EXACT_WORDS = {"huỷ": "cancel", "hủy": "cancel", "quay lại": "back", "trợ giúp": "help"}


def parse_slash(text: str) -> tuple[str, str] | None:
    """('name', 'args') for '/name@bot args'; None when the text is not a command."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, args = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    return name, args.strip()


def find(commands: Sequence[Command], name: str) -> Command | None:
    """The command with this name or alias."""
    for command in commands:
        if name in (command.name, command.alias):
            return command
    return None


def find_by_words(commands: Sequence[Command], text: str, *, free_text: bool) -> Command | None:
    """The command a plainly typed text names; at free-text steps only EXACT_WORDS count."""
    lowered = " ".join(text.lower().split())
    if lowered in EXACT_WORDS:
        return find(commands, EXACT_WORDS[lowered])
    if free_text:
        return None
    folded = fold(text)
    for command in commands:
        if folded == command.alias or folded in command.words:
            return command
    return None
