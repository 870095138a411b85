"""Whom officials' bulk sends reach: the units they may address, the step asking which one,
and the last question before a send (who gets it, whether quiet hours delay it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.draft import Draft
from handlers.flows.base import Answer, S
from handlers.flows.engine import finish
from handlers.localtime import local_date_time, quiet_until
from handlers.messages import t
from handlers.roles import Role, in_scope, scopes
from handlers.text import number
from handlers.turn import Option, Turn, option_id
from storage.rows import Unit
from storage.units import get_unit, units_in_scopes

MAX_SCOPE_OPTIONS = 20


class BulkDraft(Draft):
    """The draft of a flow that ends in a bulk send: the unit chosen at its scope step."""

    unit_id: int | None = None


async def chosen_unit(turn: Turn, unit_id: int | None) -> Unit | None:
    """The unit, re-checked against the official's scope (a button or a draft proves nothing)."""
    unit = await get_unit(turn.conn, unit_id) if unit_id is not None else None
    if unit is None or not in_scope(unit.path, scopes(turn.memberships, Role.OFFICIAL)):
        return None
    return unit


async def ask_scope(turn: Turn, draft: BulkDraft) -> None:
    """Which unit a bulk send reaches: the official's own, or one below it (the first ones)."""
    units = await units_in_scopes(turn.conn, scopes(turn.memberships, Role.OFFICIAL))
    options = [Option(f"u{u.id}", label_text=u.name) for u in units[:MAX_SCOPE_OPTIONS]]
    turn.say("officials.ask_scope", options=options)


def accept_scope_then(then: S) -> Callable[[Turn, BulkDraft, Answer], Awaitable[S | None]]:
    """The scope step's answer: a unit in the official's scope (re-checked), then `then`."""

    async def accept(turn: Turn, draft: BulkDraft, answer: Answer) -> S | None:
        unit = await chosen_unit(turn, option_id(answer.choice, "u"))
        if unit is None:
            turn.say("common.not_an_option")
            await ask_scope(turn, draft)
            return None
        draft.unit_id = unit.id
        return then

    return accept


async def confirmed_unit(turn: Turn, draft: BulkDraft, answer: Answer) -> Unit | None:
    """The unit a confirmed bulk send goes to, re-checked; None when the official cancelled
    or no longer holds the scope (the flow has ended, and they were told)."""
    if answer.choice == "cancel":
        finish(turn, "common.cancelled")
        return None
    unit = await chosen_unit(turn, draft.unit_id)
    if unit is None:
        finish(turn, "common.no_permission")
    return unit


def ask_to_confirm_bulk(
    turn: Turn, key: str, unit: str, recipients: int, go: Option, cost: str = ""
) -> None:
    """A bulk send's last question: whom it reaches, whether quiet hours delay it, what its
    template messages cost (handlers/officials/template_cost.py), go or not."""
    quiet = quiet_until(turn.now, turn.config)
    note = "\n" + t("officials.quiet_note", at=local_date_time(quiet, turn.config)) if quiet else ""
    note += cost
    turn.say(
        key,
        unit=unit,
        count=number(recipients),
        note=note,
        options=[go, Option("cancel", "common.choice.cancel")],
    )
