"""What a flow is: named steps, each asking one thing and accepting one answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from handlers.turn import Turn
from handlers.types import Attachment

END = "__end__"


class Accepts(StrEnum):
    """Kinds of answer a step takes."""

    CHOICE = "choice"
    TEXT = "text"
    MEDIA = "media"
    CONTACT = "contact"


@dataclass
class Answer:
    """A person's answer to the current step, with menus already resolved."""

    choice: str | None = None
    text: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    phone: str | None = None
    phone_is_own: bool = False


# A step returns the next step's name, END, or None to stay (having said why).
StepResult = str | None


@dataclass(frozen=True)
class Step:
    """One question of a flow."""

    ask: Callable[[Turn], Awaitable[None]]
    accept: Callable[[Turn, Answer], Awaitable[StepResult]]
    accepts: frozenset[Accepts] = frozenset({Accepts.CHOICE})
    # Free-text steps take plain words ("Huy" is a name) rather than reading them as commands.
    free_text: bool = False


@dataclass(frozen=True)
class Flow:
    """A conversation: its steps by name; a mermaid diagram of it lives beside its module."""

    name: str
    steps: Mapping[str, Step]
