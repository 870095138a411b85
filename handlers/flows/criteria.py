"""/criteria (/tieuchi): the criteria sets that apply in the reviewer's units, per field."""

from __future__ import annotations

from handlers.flows.nominate import FIELDS
from handlers.flows.review_card import reviewer_scopes
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.text import decimal
from handlers.turn import Turn
from storage import criteria
from storage.rows import Membership


async def show(turn: Turn) -> None:
    """List, for each unit where the sender reviews, the set of each field (own or inherited)."""
    paths = set(reviewer_scopes(turn))
    units: list[Membership] = []
    for membership in turn.memberships:
        if membership.unit_path in paths and all(u.unit_id != membership.unit_id for u in units):
            units.append(membership)
    lines: list[str] = []
    for unit in units:
        lines.append(t("criteria.unit", unit=unit.unit_name))
        found = False
        for field in FIELDS:
            owner, items = await criteria.effective_set(turn.conn, unit.unit_path, field)
            if not items or owner is None:
                continue
            found = True
            origin = ""
            if owner != unit.unit_id:
                origin = t("criteria.inherited", unit=await criteria.unit_name(turn.conn, owner))
            lines.append(
                t("criteria.field", field=t(f"nominate.field.{field}"), origin=origin).rstrip()
            )
            for item in items:
                lines.append(
                    t(
                        "criteria.line",
                        name=item.name,
                        weight=decimal(item.weight),
                        max=decimal(item.max_score),
                    )
                )
        if not found:
            lines.append(t("criteria.none"))
    turn.say_text("\n".join(lines))
    show_main_menu(turn)
