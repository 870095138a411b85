"""Commands: names, Vietnamese aliases, plain words, who may use them, what they start.

On Zalo there is no command menu: people type "duyet GS-2026-000123", "thong bao trang
thai", "tôi muốn đề cử…" or "giúp tôi với". A command's plain words are matched at the start
of what was typed (after polite fillers such as "tôi muốn", "cho tôi"), with or without
diacritics, and the rest is its argument.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
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


# Fillers as folded words, the longest first.
_FILLER_WORDS = sorted((tuple(f.split()) for f in FILLERS), key=len, reverse=True)


@dataclass(frozen=True)
class _Phrases:
    """Every plain phrase of a command table as folded words, by first word, longest first
    (a typed text is compared with the few phrases its first word can start)."""

    by_first: dict[str, list[tuple[tuple[str, ...], Command]]]
    longest: int


def _index(commands: Sequence[Command]) -> _Phrases:
    found = sorted(
        (
            (tuple(phrase.split()), command)
            for command in commands
            for phrase in (command.alias, *command.words)
        ),
        key=lambda item: -len(item[0]),
    )
    by_first: dict[str, list[tuple[tuple[str, ...], Command]]] = {}
    for phrase, command in found:
        by_first.setdefault(phrase[0], []).append((phrase, command))
    return _Phrases(by_first, max((len(p) for p, _ in found), default=0))


class _FoldedWords:
    """(index of the typed word, one folded word) pairs, folded only as far as they are read:
    a long answer's words past the command's few are never folded."""

    def __init__(self, typed: list[str]) -> None:
        self._typed = typed
        self._next = 0
        self.pairs: list[tuple[int, str]] = []

    def up_to(self, end: int) -> list[tuple[int, str]]:
        """The pairs, at least `end` of them (+1 to see where a word ends) when there are."""
        while len(self.pairs) <= end and self._next < len(self._typed):
            word = self._typed[self._next]
            self.pairs.extend((self._next, w) for w in fold(word).split())
            self._next += 1
        return self.pairs


class CommandTable:
    """A registry's commands, with the index of their plain phrases built once."""

    def __init__(self, *commands: Command) -> None:
        self.commands = commands
        self._phrases = _index(self.commands)

    def __iter__(self) -> Iterator[Command]:
        return iter(self.commands)

    def find(self, name: str) -> Command | None:
        """The command with this name or alias."""
        for command in self.commands:
            if name in (command.name, command.alias):
                return command
        return None

    def find_by_words(self, text: str) -> tuple[Command, str] | None:
        """The command a plainly typed text names, and its argument (as typed)."""
        typed = text.split()
        # (index of the typed word, one folded word): "GS-2026-000123" folds to three.
        words = _FoldedWords(typed)
        start, moved = 0, True
        while moved:
            moved = False
            for filler in _FILLER_WORDS:
                end = start + len(filler)
                pairs = words.up_to(end)
                if end < len(pairs) and tuple(w for _, w in pairs[start:end]) == filler:
                    start, moved = end, True
                    break
        table = self._phrases
        pairs = words.up_to(start + table.longest)
        if start >= len(pairs):
            return None
        for phrase, command in table.by_first.get(pairs[start][1], ()):
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

    def navigation_word(self, text: str) -> Command | None:
        """The navigation command a whole message is (huỷ, quay lại, trợ giúp…), if it is one."""
        found = self.find_by_words(text)
        if found is None or found[1] or found[0].name not in NAVIGATION:
            return None
        return found[0]
