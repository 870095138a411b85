"""What a flow is: a table of named steps, each asking one thing and accepting one answer.

A flow declares its step names as one enum, its draft as one pydantic model, and for each
step the steps its answer may lead to. mypy checks that every `ask`/`accept` pair takes the
flow's draft and returns the flow's step names; the table is checked when it is built (every
name has a step, every target exists) and the engine checks each move against it; the
diagram beside the flow's module draws the same table (tests/test_flow_tables.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from enum import Enum, Flag, StrEnum, auto
from typing import Any, Final, Generic, TypeAlias, TypeVar

from handlers.draft import Draft
from handlers.messages import t
from handlers.turn import Option, Turn
from handlers.types import Attachment


class End(Enum):
    """The one step after the last: the flow is over."""

    END = "end"


END: Final = End.END


class Accepts(Flag):
    """Kinds of answer a step takes (combine with |)."""

    CHOICE = auto()
    TEXT = auto()
    MEDIA = auto()
    CONTACT = auto()


@dataclass
class Answer:
    """A person's answer to the current step, with menus already resolved."""

    choice: str | None = None
    text: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    phone: str | None = None
    phone_is_own: bool = False


S = TypeVar("S", bound=StrEnum)
D = TypeVar("D", bound=Draft)
# A step only produces step names and only consumes drafts: a step written for a base draft
# (the officials' scope step) fits every flow whose draft extends it.
S_co = TypeVar("S_co", bound=StrEnum, covariant=True)
D_contra = TypeVar("D_contra", bound=Draft, contravariant=True)

# What `accept` returns: the next step, END, or None to stay (having said why).
StepResult: TypeAlias = S | End | None


@dataclass(frozen=True)
class Step(Generic[S_co, D_contra]):
    """One question of a flow and where its answer may lead."""

    ask: Callable[[Turn, D_contra], Awaitable[None]]
    accept: Callable[[Turn, D_contra, Answer], Awaitable[S_co | End | None]]
    to: Set[S_co | End]
    accepts: Accepts = Accepts.CHOICE
    # Free-text steps take plain words ("Huy" is a name) rather than reading them as commands.
    free_text: bool = False


def says(
    key: str, *, options: Sequence[Option] = (), ask_phone: bool = False, **params: object
) -> Callable[[Turn, Draft], Awaitable[None]]:
    """An `ask` that says one catalog text (with its choices), for any flow."""

    async def ask(turn: Turn, draft: Draft) -> None:
        turn.say_text(t(key, **params), options=options, ask_phone=ask_phone)

    return ask


class FlowTableError(Exception):
    """A flow's table names a step it lacks, or a step moved where its table says it cannot."""


@dataclass(frozen=True)
class Flow(Generic[S, D]):
    """A conversation: its step names, its draft, where it starts, and its table of steps."""

    name: str
    steps: type[S]
    draft: type[D]
    entry: Set[S]
    table: Mapping[S, Step[S, D]]
    # Files that arrive at a step that does not ask for them (a slow upload finishing after
    # "Xong"): kept with the draft (having said so) rather than refused.
    late_files: Callable[[Turn, D, list[Attachment]], Awaitable[None]] | None = None

    def __post_init__(self) -> None:
        missing = set(self.steps) - self.table.keys()
        unknown = {t for s in self.table.values() for t in s.to if t is not END} - set(self.steps)
        if missing or unknown or not self.entry <= self.table.keys():
            raise FlowTableError(f"{self.name}: no step for {missing}, unknown targets {unknown}")

    def step_named(self, name: str | None) -> S:
        """The step a stored name means; ValueError for a name this flow does not have."""
        return self.steps(name or "")

    def draft_of(self, turn: Turn) -> D:
        """The running draft, which the dispatcher loaded for this flow."""
        if not isinstance(turn.draft, self.draft):
            raise FlowTableError(f"{self.name}: the turn holds no {self.draft.__name__}")
        return turn.draft


# Any flow, for the registry and the dispatcher, which only move through flows by name.
AnyFlow: TypeAlias = Flow[Any, Any]
