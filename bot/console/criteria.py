"""Tiêu chí: the criteria set that applies to a unit for each field (its own, or inherited
from the nearest unit above that has one), and, for admins over the unit, editing it.

Saving replaces the unit's own set for that field, as `criteria import` does for a CSV line
group: criteria left out stay for the scores that refer to them but no longer apply; an
empty set makes the unit inherit again.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.console.base import Console, Viewer, field_int, field_text
from handlers.flows.nominate import FIELDS
from handlers.messages import t
from handlers.permissions import Action
from storage import audit, criteria
from storage.units import children_of, get_unit, units_by_ids

MAX_CRITERIA = 30
BLANK_ROWS = 3
NAME_LIMIT = 200
MAX_NUMBER = 1000.0


def _number(text: str) -> float | None:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if 0 < value <= MAX_NUMBER else None


def parse_set(fields: FormData) -> tuple[list[criteria.NewCriterion], list[str]]:
    """The criteria a form lists (rows n0…), and what is wrong with it, in Vietnamese."""
    items: list[criteria.NewCriterion] = []
    problems: list[str] = []
    seen: set[str] = set()
    for n in range(MAX_CRITERIA + BLANK_ROWS):
        name = " ".join(field_text(fields, f"name{n}", NAME_LIMIT + 1).split())
        if not name:
            continue
        weight = _number(field_text(fields, f"weight{n}", 20))
        top = _number(field_text(fields, f"max{n}", 20))
        if len(name) > NAME_LIMIT:
            problems.append(t("console.criteria.too_long", name=name[:40], max=NAME_LIMIT))
        elif name in seen:
            problems.append(t("console.criteria.repeated", name=name))
        elif weight is None or top is None:
            problems.append(t("console.criteria.bad_number", name=name))
        else:
            seen.add(name)
            items.append(criteria.NewCriterion(name=name, weight=weight, max_score=top))
    if len(items) > MAX_CRITERIA:
        problems.append(t("console.criteria.too_many", max=MAX_CRITERIA))
    return items, problems


class Criteria(Console):
    """GET /console/criteria, POST /console/criteria."""

    def routes(self) -> list[BaseRoute]:
        """The criteria page and saving a set."""
        return [
            Route("/console/criteria", self.page(Action.VIEW, self.sets), methods=["GET"]),
            Route(
                "/console/criteria", self.form(Action.EDIT_CRITERIA, self.save), methods=["POST"]
            ),
        ]

    async def sets(self, request: Request, viewer: Viewer) -> Response:
        """Each field's set at the chosen unit; the chosen field's set as a form for admins."""
        params = {k: v[:40] for k, v in request.query_params.items()}
        field = params.get("field", FIELDS[0])
        field = field if field in FIELDS else FIELDS[0]
        async with self.deps.db.read() as conn:
            unit = await viewer.unit(conn, field_int(params, "unit"), Action.VIEW)
            every = []
            for name in FIELDS:
                owner, items = await criteria.effective_set(conn, unit.path, name)
                origin = (
                    await criteria.unit_name(conn, owner) if owner not in (None, unit.id) else ""
                )
                every.append((name, items, origin, owner == unit.id))
            children = await children_of(conn, unit.id)
            roots = await units_by_ids(conn, [m.unit_id for m in viewer.memberships])
        chosen = next(entry for entry in every if entry[0] == field)
        rows: list[tuple[str, float | None, float | None]] = (
            [(c.name, c.weight, c.max_score) for c in chosen[1]] if chosen[3] else []
        )
        rows += [("", None, None)] * BLANK_ROWS
        return self.show(
            viewer,
            "criteria.html",
            unit=unit,
            field=field,
            fields=FIELDS,
            every=every,
            rows=rows,
            editable=viewer.may(Action.EDIT_CRITERIA, unit.path),
            children=children,
            roots=[u for u in roots.values() if viewer.may(Action.VIEW, u.path)],
        )

    async def save(self, request: Request, viewer: Viewer, fields: FormData) -> Response:
        """Replace the unit's own set for a field."""
        field = field_text(fields, "field", 40)
        if field not in FIELDS:
            return self.error(viewer, "console.error.bad_form", 400)
        items, problems = parse_set(fields)
        if problems:
            return self.show(viewer, "error.html", status=400, message=" ".join(problems))
        async with self.acting(viewer) as actor:
            unit = await get_unit(actor.conn, field_int(fields, "unit") or 0)
            if unit is None or not viewer.may(Action.EDIT_CRITERIA, unit.path):
                return self.forbidden(viewer)
            await criteria.replace_set(actor.conn, unit.id, field, items)
            await audit.record(
                actor.conn,
                at=actor.now,
                actor_id=actor.person.id,
                action="criteria_set.replaced",
                object_type="unit",
                object_id=unit.id,
                detail={"field": field, "criteria": [i.name for i in items]},
            )
        return RedirectResponse(f"/console/criteria?unit={unit.id}&field={field}", status_code=303)
