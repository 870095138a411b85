"""What the engine holds between two messages besides the running flow's draft.

A flow put aside (`Suspended`) while a shorter one runs: a member answering a reviewer's
question in the middle of a nomination gets the nomination back afterwards, its question
repeated. A message held (`Held`) until the person says what it was for: a navigation word
typed where free text is asked, a story longer than the step takes, a name tidied before it
is stored, or a message that fits nothing. Nothing a person sends is stored silently as
something they may not have meant, and nothing is dropped without saying so.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from handlers.types import Attachment
from storage.conversations import Menu


class HeldFor(StrEnum):
    """Why a message is held, which decides what the person is offered."""

    # "huy", "quay lai"… typed whole at a free-text step: the command, or the words?
    NAVIGATION = "navigation"
    # Longer than the step takes: keep the first part, or send a shorter one.
    TOO_LONG = "too_long"
    # A name tidied (capitals, spaces): store it so, or type it again.
    NAME = "name"
    # Fits nothing (no flow, no command): nominate with it, answer a question, or drop it.
    LOOSE = "loose"


class Held(BaseModel):
    """A message kept until the person chooses what it was for."""

    model_config = ConfigDict(extra="forbid")

    reason: HeldFor
    text: str | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    # The flow and step it answers (None for a loose message).
    flow: str | None = None
    step: str | None = None
    # NAVIGATION: the command the word names.
    command: str | None = None
    # The menu that offers the choices: an answer to another menu lets the hold go.
    menu_seq: int = 0
    # The step's own menu, back in place when the message is given to the step after all.
    step_menu: Menu | None = None


class Suspended(BaseModel):
    """A flow put aside while another runs; it resumes with its question repeated."""

    model_config = ConfigDict(extra="forbid")

    flow: str
    step: str
    data: dict[str, Any]
    history: list[str] = Field(default_factory=list)


class Pending(BaseModel):
    """The engine's state beside the draft, stored in `conversations.pending`."""

    model_config = ConfigDict(extra="forbid")

    held: Held | None = None
    suspended: Suspended | None = None

    @classmethod
    def load(cls, stored: dict[str, Any] | None) -> Pending:
        """The stored state; what an older version wrote and cannot be read is let go."""
        if not stored:
            return cls()
        try:
            return cls.model_validate(stored)
        except ValidationError:
            return cls()

    def dump(self) -> dict[str, Any] | None:
        """What to store (None when nothing is pending)."""
        if self.held is None and self.suspended is None:
            return None
        return self.model_dump(mode="json", exclude_none=True)
