"""Commands: names, Vietnamese aliases, plain words, who may use them, what they start.

On Zalo there is no command menu: people type "duyet GS-2026-000123", "thong bao trang
thai", "tôi muốn đề cử…" or "giúp tôi với". A command's plain words are matched at the start
of what was typed (after polite fillers such as "tôi muốn", "cho tôi"), with or without
diacritics, and the rest is its argument.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from handlers.flows.base import AnyFlow
from handlers.roles import Role
from handlers.text import fold
from handlers.turn import Turn

# What a button of a message outside the conversation runs ("!answer.12" -> ["12"]).
ActionFn = Callable[[Turn, list[str]], Awaitable[None]]


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
    # What "!<name>.<args>" runs: a button (or typed choice, or a plain reply) on a message
    # sent outside the conversation, such as a reviewer's question's "Trả lời".
    action: ActionFn | None = None


# Words people put before what they want ("tôi muốn đề cử…", "cho tôi xem…"), folded.
FILLERS = (
    "toi muon",
    "toi can",
    "toi xin",
    "minh muon",
    "em muon",
    "con muon",
    "chau muon",
    "cho toi",
    "cho minh",
    "cho em",
    "xin",
    "muon",
    "hay",
    "vui long",
    "lam on",
    "ban oi",
    "bot oi",
    "oi",
    "a",
    "da",
    "vang",
)
# Words people put after it ("giúp tôi với", "huỷ nhé"): never an argument alone.
TRAILERS = frozenset({"voi", "nhe", "nha", "a", "di", "giup", "giup toi", "giup toi voi", "ah"})
# The commands that leave or move within a flow: typed whole at a free-text step they might
# be the answer itself ("Huy" is a name), so the person is asked which was meant.
NAVIGATION = frozenset({"cancel", "back", "help", "undo"})


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


def _phrases(commands: Sequence[Command]) -> list[tuple[tuple[str, ...], Command]]:
    """Every plain phrase of every command as folded words, the longest first."""
    found = [
        (tuple(phrase.split()), command)
        for command in commands
        for phrase in (command.alias, *command.words)
    ]
    return sorted(found, key=lambda item: -len(item[0]))


def find_by_words(commands: Sequence[Command], text: str) -> tuple[Command, str] | None:
    """The command a plainly typed text names, and its argument (as typed)."""
    typed = text.split()
    # (index of the typed word, one folded word): "GS-2026-000123" folds to three.
    pairs = [(i, w) for i, word in enumerate(typed) for w in fold(word).split()]
    fillers = sorted((tuple(f.split()) for f in FILLERS), key=len, reverse=True)
    start, moved = 0, True
    while moved:
        moved = False
        for filler in fillers:
            end = start + len(filler)
            if end < len(pairs) and tuple(w for _, w in pairs[start:end]) == filler:
                start, moved = end, True
                break
    for phrase, command in _phrases(commands):
        end = start + len(phrase)
        window = pairs[start:end]
        if tuple(w for _, w in window) != phrase:
            continue
        last = window[-1][0]
        if end < len(pairs) and pairs[end][0] == last:
            continue  # the phrase ends inside a typed word ("decu2")
        args = " ".join(typed[last + 1 :])
        return command, "" if fold(args) in TRAILERS or not fold(args) else args
    return None


def navigation_word(commands: Sequence[Command], text: str) -> Command | None:
    """The navigation command a whole message is (huỷ, quay lại, trợ giúp…), if it is one."""
    found = find_by_words(commands, text)
    if found is None or found[1] or found[0].name not in NAVIGATION:
        return None
    return found[0]
