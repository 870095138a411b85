"""One turn of a conversation: the inbound event, the state, and the replies it produces."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from handlers.config import CoreConfig
from handlers.draft import Draft
from handlers.messages import t
from handlers.pending import Pending
from handlers.types import Attachment, Choice, Inbound, Reply, TemplateFill
from storage.conversations import ConversationState, Menu
from storage.db import Connection
from storage.rows import Identity, Membership, Person


class StepRaced(Exception):
    """A row the step takes last (so that others wait for it briefly) went to someone else
    meanwhile, after the step had checked it: the runner rolls the step back and runs it
    again, and the rerun reads what was lost (an invite's last use)."""


@dataclass(frozen=True)
class Option:
    """A choice offered to a person: a short value and the catalog key of its label."""

    value: str
    label_key: str = ""
    # A label that is data rather than catalog text (a campaign's title).
    label_text: str = ""

    @property
    def label(self) -> str:
        """The text shown on the button or menu line."""
        return self.label_text or t(self.label_key)


def option_id(value: str | None, prefix: str) -> int | None:
    """The id in an option value made of a prefix and a number ("u12" -> 12); else None."""
    digits = (value or "")[len(prefix) :]
    if not value or value[: len(prefix)] != prefix or not (digits.isascii() and digits.isdigit()):
        return None
    return int(digits)


@dataclass
class Outgoing:
    """A message to someone other than the sender (a notification)."""

    person_id: int
    reply: Reply
    # Held until a decision stands: not sent before this time, cancelled with its batch.
    not_before: datetime | None = None
    batch: str | None = None


class Notifies:
    """`notify` for whatever acts (a chat turn, a console action): the messages to others
    collect in `notifications` and are queued when the action commits."""

    notifications: list[Outgoing]

    def notify(
        self,
        person_id: int,
        key: str,
        *,
        choices: Sequence[Choice] = (),
        reply_action: str | None = None,
        not_before: datetime | None = None,
        batch: str | None = None,
        template: TemplateFill | None = None,
        **params: object,
    ) -> None:
        """Tell another person something, through their most recent channel; a decision's
        notices wait until it stands (`not_before`, cancelled with `batch` if undone);
        `template` lets Zalo OA reach them outside its window (handlers/templates.py)."""
        reply = Reply(
            text=t(key, **params),
            choices=list(choices),
            aside=True,
            reply_action=reply_action,
            template=template,
        )
        self.notifications.append(
            Outgoing(person_id=person_id, reply=reply, not_before=not_before, batch=batch)
        )


@dataclass
class Cleanup:
    """What a step leaves for after its commit: stored files no longer referenced, texts
    (a name, a phone) whose generated spreadsheets must go, and whether the database files
    must be scrubbed of what was deleted (an erasure)."""

    files: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    scrub: bool = False
    # Evidence was recorded: the fetcher of clean copies of platform pictures is woken (only
    # then: a query after every step would cost every step a statement).
    evidence: bool = False

    def __bool__(self) -> bool:
        return bool(self.files or self.texts or self.scrub)


@dataclass
class Turn(Notifies):
    """Everything a flow step may read, and the effects it collects; the runner commits them."""

    conn: Connection
    inbound: Inbound
    identity: Identity
    person: Person | None
    memberships: list[Membership]
    state: ConversationState
    now: datetime
    config: CoreConfig
    # The payload of the last message the chat received, loaded with the turn: a typed
    # answer may be meant for it when it was sent outside the conversation.
    latest_delivered: dict[str, Any] | None = None
    # The arguments of the command being run ("/start CODE" -> "CODE").
    args: str = ""
    # The running flow's draft, loaded from state.data by the dispatcher and stored back.
    draft: Draft | None = None
    # The engine's state beside the draft (handlers/pending.py), loaded and stored with it.
    pending: Pending = field(default_factory=Pending)
    replies: list[Reply] = field(default_factory=list)
    notifications: list[Outgoing] = field(default_factory=list)
    # Set when the engine asked a question or left a flow in this turn: a command run in the
    # middle of a flow that did neither is followed by the flow's question again.
    moved: bool = False
    # The event carried a code (an invite, a sign-in code): its inbox copy is stripped now.
    secret_inbound: bool = False
    # The sender's account was forgotten in this step (an erasure): no state is kept for it.
    forgotten: bool = False
    cleanup: Cleanup = field(default_factory=Cleanup)

    def say(
        self,
        key: str,
        *,
        options: Sequence[Option] = (),
        ask_phone: bool = False,
        media: Sequence[Attachment] = (),
        **params: object,
    ) -> None:
        """Reply with a catalog text; options become the current menu."""
        self.say_text(t(key, **params), options=options, ask_phone=ask_phone, media=media)

    def say_text(
        self,
        text: str,
        *,
        options: Sequence[Option] = (),
        ask_phone: bool = False,
        media: Sequence[Attachment] = (),
    ) -> None:
        """Reply with text already taken from the catalog."""
        choices: list[Choice] = []
        if options:
            self.state.menu_seq += 1
            before = self.state.menu
            same_step = before is not None and self.state.step is not None
            self.state.menu = Menu(
                seq=self.state.menu_seq,
                options=[(o.value, o.label) for o in options],
                since=(before.since or before.seq) if same_step and before else None,
            )
            choices = [
                Choice(label=o.label, token=f"{self.state.menu_seq}.{o.value}") for o in options
            ]
        self.replies.append(
            Reply(text=text, choices=choices, ask_phone=ask_phone, media=list(media))
        )

    def tell(self, key: str, **params: object) -> None:
        """Reply with a catalog text and no choices (what domain functions say; see Acting)."""
        self.say_text(t(key, **params))

    def keep_secret(self) -> None:
        """The last reply shows a code: its stored copy is stripped once it is delivered."""
        self.replies[-1] = self.replies[-1].model_copy(update={"secret": True})

    def say_listed(self, parts: Sequence[tuple[str, Sequence[Option]]]) -> None:
        """Several messages whose texts number their options across all of them (a digest,
        whose options are bulk-message actions, "!…"): each message keeps the buttons of its
        own lines and, when no flow is running, every option becomes the menu, so a typed
        number answers. Within a flow a typed number stays the flow's."""
        prefix = ""
        if self.state.flow is None:
            options = [o for _, opts in parts for o in opts]
            self.state.menu_seq += 1
            self.state.menu = Menu(
                seq=self.state.menu_seq, options=[(o.value, o.label) for o in options]
            )
            prefix = f"{self.state.menu_seq}."
        for text, opts in parts:
            choices = [Choice(label=o.label, token=f"{prefix}{o.value}") for o in opts]
            self.replies.append(Reply(text=text, choices=choices, listed=True))

    @property
    def joined(self) -> bool:
        """Whether the sender is a person with at least one role."""
        return self.person is not None and bool(self.memberships)
