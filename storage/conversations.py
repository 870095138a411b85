"""Conversation state per channel identity: flow, step, data, /back history, current menu."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from pydantic import BaseModel, Field
from sqlalchemy import FromClause, Select, bindparam, select

from storage.db import Connection
from storage.outbox import chat_waiting, latest_delivered
from storage.rows import Membership, Person
from storage.schema import conversations, identities, memberships, people, units
from storage.sql import Write, dialect_insert


class Menu(BaseModel):
    """The options last offered, so a typed number or a button maps back to a value."""

    seq: int
    options: list[tuple[str, str]]  # (value, label)
    # The first menu offered at the same step: a button of any menu since then (a "Xong"
    # tapped under the question while a photo was uploading) still means the same there.
    since: int | None = None


class ConversationState(BaseModel):
    """Everything a conversation needs between two messages; JSON, never pickle."""

    # Names of the flow and of its steps; the core reads them as the flow's step enum.
    flow: str | None = None
    step: str | None = None
    # The flow's draft as JSON; the core validates it into the flow's model when loaded.
    data: dict[str, Any] = Field(default_factory=dict)
    history: list[str] = Field(default_factory=list)
    menu: Menu | None = None
    menu_seq: int = 0
    # The engine's own state beside the draft (a flow put aside, a message held until the
    # person says what it was for): JSON the core validates, like `data`.
    pending: dict[str, Any] | None = None
    updated_at: datetime | None = None


def load_statement(source: FromClause, identity_id: Any, person_id: Any) -> Select[Any]:
    """The state, the person and their roles of the account `source` gives (its id and
    person columns named): a row per membership (at least one), each repeating the state
    and the person."""
    return (
        select(
            conversations.c.flow,
            conversations.c.step,
            conversations.c.data,
            conversations.c.history,
            conversations.c.menu,
            conversations.c.menu_seq,
            conversations.c.pending,
            conversations.c.updated_at,
            people.c.id.label("person_id"),
            people.c.full_name,
            people.c.phone,
            people.c.created_at.label("person_created_at"),
            people.c.consent_withdrawn_at,
            people.c.erased_at,
            memberships.c.id.label("membership_id"),
            memberships.c.unit_id,
            memberships.c.role,
            units.c.path.label("unit_path"),
            units.c.name.label("unit_name"),
        )
        .select_from(
            source.outerjoin(conversations, conversations.c.identity_id == identity_id)
            .outerjoin(people, people.c.id == person_id)
            .outerjoin(memberships, memberships.c.person_id == people.c.id)
            .outerjoin(units, units.c.id == memberships.c.unit_id)
        )
        .order_by(memberships.c.id)
    )


# Built once: every step runs it, and building a statement costs more than running it. One
# round trip for the state, the person and their roles.
_LOAD = load_statement(identities, identities.c.id, identities.c.person_id).where(
    identities.c.id == bindparam("identity_id")
)


# The same, with the last message the chat received (a subquery run once).
_LOAD_IN_CHAT = _LOAD.add_columns(
    latest_delivered().label("latest_delivered"), chat_waiting().label("chat_waiting")
)


class Loaded(NamedTuple):
    """What a step knows of whoever wrote: the person (once joined), their roles, the state,
    and the payload of the last message their chat received (when asked for with `chat`)."""

    person: Person | None
    memberships: list[Membership]
    state: ConversationState
    latest_delivered: dict[str, Any] | None = None
    # The chat has a message still to send that a reply must not overtake (with `chat`).
    chat_waiting: bool = False


async def load_turn(
    conn: Connection,
    identity_id: int,
    chat: tuple[str, str, datetime] | None = None,
) -> Loaded:
    """The person behind an identity, their memberships and the saved (or an idle) state;
    with `chat` (channel, chat id, now), also the last message that chat received and
    whether a message to it still waits."""
    if chat is None:
        rows = (await conn.execute(_LOAD, {"identity_id": identity_id})).all()
    else:
        values = {
            "identity_id": identity_id,
            "chat_channel": chat[0],
            "chat": chat[1],
            "chat_due_by": chat[2],
        }
        rows = (await conn.execute(_LOAD_IN_CHAT, values)).all()
    return loaded_from(rows, in_chat=chat is not None)


def loaded_from(rows: Sequence[Any], *, in_chat: bool) -> Loaded:
    """What rows of `load_statement` (with the columns `latest_delivered` and
    `chat_waiting` when `in_chat`) say."""
    first = rows[0]
    latest = first.latest_delivered if in_chat else None
    waiting = bool(first.chat_waiting) if in_chat else False
    person = None
    if first.person_id is not None:
        person = Person(
            id=first.person_id,
            full_name=first.full_name,
            phone=first.phone,
            created_at=first.person_created_at,
            consent_withdrawn_at=first.consent_withdrawn_at,
            erased_at=first.erased_at,
        )
    roles = [
        Membership(
            id=r.membership_id,
            person_id=first.person_id,
            unit_id=r.unit_id,
            role=r.role,
            unit_path=r.unit_path,
            unit_name=r.unit_name,
        )
        for r in rows
        if r.membership_id is not None
    ]
    if first.updated_at is None:  # no state saved yet
        return Loaded(person, roles, ConversationState(), latest, waiting)
    state = ConversationState(
        flow=first.flow,
        step=first.step,
        data=first.data,
        history=first.history,
        menu=Menu.model_validate(first.menu) if first.menu else None,
        menu_seq=first.menu_seq,
        pending=first.pending,
        updated_at=first.updated_at,
    )
    return Loaded(person, roles, state, latest, waiting)


async def save_state(
    conn: Connection, identity_id: int, state: ConversationState, now: datetime
) -> None:
    """Write the state in the step's transaction."""
    statement, parameters = state_write(conn, identity_id, state, now)
    await conn.execute(statement, parameters)


def state_write(
    conn: Connection, identity_id: int, state: ConversationState, now: datetime
) -> Write:
    """The statement that saves the state: `save_state` runs it, or the step's replies carry
    it (storage/outbox.py `enqueue_claimed`'s `first`)."""
    values = {
        "identity_id": identity_id,
        "flow": state.flow,
        "step": state.step,
        "data": state.data,
        "history": state.history,
        "menu": state.menu.model_dump(mode="json") if state.menu else None,
        "menu_seq": state.menu_seq,
        "pending": state.pending,
        "updated_at": now,
    }
    # The values go as parameters: the statement stays one SQLAlchemy has compiled before.
    return Write(_save(conn.dialect.name), {_STATE + key: value for key, value in values.items()})


# The binds of `_save`, named apart from any other statement's (a WITH may join them).
_STATE = "state_"


@cache
def _save(dialect: str) -> Any:
    """INSERT … ON CONFLICT (identity_id) DO UPDATE of every column (built once per engine)."""
    columns = list(conversations.c)
    statement = dialect_insert(dialect, conversations).values(
        {c.name: bindparam(_STATE + c.name, type_=c.type) for c in columns}
    )
    return statement.on_conflict_do_update(
        index_elements=["identity_id"],
        set_={c.name: statement.excluded[c.name] for c in columns if c.name != "identity_id"},
    )
