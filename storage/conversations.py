"""Conversation state per channel identity: flow, step, data, /back history, current menu."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import bindparam, select

from storage.db import Connection
from storage.prepared import Prepared
from storage.schema import conversations


class Menu(BaseModel):
    """The options last offered, so a typed number or a button maps back to a value."""

    seq: int
    options: list[tuple[str, str]]  # (value, label)


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
    updated_at: datetime | None = None


# Built once: every step runs both.
_LOAD = Prepared(
    select(conversations).where(conversations.c.identity_id == bindparam("identity_id"))
)
_SAVE = Prepared(
    conversations.update().where(conversations.c.identity_id == bindparam("of_identity"))
)


async def load_state(conn: Connection, identity_id: int) -> ConversationState:
    """The saved state, or an idle one."""
    row = (await conn.run(_LOAD, {"identity_id": identity_id})).first()
    if row is None:
        return ConversationState()
    return ConversationState(
        flow=row.flow,
        step=row.step,
        data=row.data,
        history=row.history,
        menu=Menu.model_validate(row.menu) if row.menu else None,
        menu_seq=row.menu_seq,
        updated_at=row.updated_at,
    )


async def save_state(
    conn: Connection, identity_id: int, state: ConversationState, now: datetime
) -> None:
    """Write the state in the step's transaction."""
    values = {
        "flow": state.flow,
        "step": state.step,
        "data": state.data,
        "history": state.history,
        "menu": state.menu.model_dump(mode="json") if state.menu else None,
        "menu_seq": state.menu_seq,
        "updated_at": now,
    }
    # The values go as parameters: the statement stays the one built above.
    updated = await conn.run(_SAVE, {"of_identity": identity_id, **values})
    if updated.rowcount == 0:
        await conn.execute(conversations.insert().values(identity_id=identity_id, **values))
