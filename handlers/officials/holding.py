"""Bulk sends officials can undo: the fan-out waits for the undo window, the official is
offered "↩ Hoàn tác" with the main menu, and who sent it is named in the message."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from handlers import decisions
from handlers.acting import Acting
from handlers.localtime import local_time
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.roles import Role, in_scope
from handlers.turn import Option, Turn
from storage import bulk
from storage.decisions import Decision
from storage.rows import Membership, Person, Unit


def hold_until(actor: Acting) -> datetime:
    """Until when a bulk send made now can be undone (its rows wait until then)."""
    return actor.now + actor.config.undo_window


def sender_unit(memberships: Sequence[Membership], target: Unit) -> str:
    """The unit an official sends from: the nearest one of theirs whose scope holds the
    target (a province official writing to a commune writes as the province)."""
    holding = [
        m
        for m in memberships
        if Role(m.role) in (Role.OFFICIAL, Role.ADMIN) and in_scope(target.path, [m.unit_path])
    ]
    if not holding:
        return target.name
    return max(holding, key=lambda m: m.unit_path.count("/")).unit_name


def signed(
    person: Person, memberships: Sequence[Membership], key: str, target: Unit, **params: object
) -> str:
    """A bulk message's text naming the sending unit and official."""
    return t(key, unit=sender_unit(memberships, target), sender=person.full_name, **params)


async def held_bulk(
    actor: Acting, kind: str, sent: bulk.BulkSend, object_id: int, label: str
) -> Decision:
    """Record a bulk send as a decision its official may undo until its rows leave (from
    the chat or the console alike)."""
    assert actor.person is not None
    return await decisions.made(
        actor.conn,
        actor.config,
        actor.now,
        kind=kind,
        actor_id=actor.person.id,
        object_id=object_id,
        label=label[:60],
        detail={"bulk": sent.id},
        batch=sent.batch,
    )


def offer_undo(turn: Turn, decision: Decision) -> None:
    """The main menu, with "↩ Hoàn tác" first while the send can be undone."""
    if decision.undo_until <= decision.made_at:
        show_main_menu(turn)
        return
    undo = Option(f"!undo.{decision.id}", f"officials.choice.undo.{decision.kind}")
    at = local_time(decision.undo_until, turn.config)
    show_main_menu(turn, "officials.held", [undo], at=at)
