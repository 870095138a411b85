"""What a bulk send will cost in template messages, told before it starts (issue 15).

On Zalo OA, members who have not written for 7 days are reached only by paid template
messages. Before a call or an event goes out, the official sees how many messages that
means, what they cost when a price is configured, and the unit's budget left; a send that
would cross the daily or monthly budget does not start.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel

from handlers.config import CoreConfig
from handlers.messages import t
from handlers.templates import periods
from handlers.text import number
from storage import bulk, zalo_templates
from storage.db import Connection


class Estimate(BaseModel):
    """Template messages a send needs, and the unit's budget left (in messages)."""

    needed: int
    money: int | None
    left_day: int
    left_month: int | None

    def over(self) -> tuple[str, int] | None:
        """The period whose budget the send would cross, and what is left in it."""
        if self.needed > self.left_day:
            return "day", self.left_day
        if self.left_month is not None and self.needed > self.left_month:
            return "month", self.left_month
        return None


def _left(cap: int | None, used: int, money_cap: int | None, spent: int, price: int) -> int | None:
    """Messages left under a message cap and a money cap (None: no cap at all)."""
    lefts = [] if cap is None else [cap - used]
    if money_cap is not None and price:
        lefts.append((money_cap - spent) // price)
    return max(0, min(lefts)) if lefts else None


async def estimate(
    conn: Connection,
    config: CoreConfig,
    now: datetime,
    unit_id: int,
    kind: str,
    people: Sequence[int],
) -> Estimate | None:
    """The cost of sending `kind` to these people; None when no template is involved."""
    plan = config.templates
    if plan is None or kind not in plan.kinds:
        return None
    reachable = await bulk.reachable_identities(conn, list(people))
    ids = [r.identity_id for r in reachable.values() if r.channel == plan.channel]
    needed = await zalo_templates.outside_window(conn, ids, now - plan.window)
    if not needed:
        return None
    day, month = periods(now, config.timezone)
    used = await zalo_templates.used_in(conn, unit_id, [day, month])
    price = plan.price or 0
    left_day = _left(plan.daily, used[day].used, plan.daily_money, used[day].spent, price)
    left_month = _left(
        plan.monthly, used[month].used, plan.monthly_money, used[month].spent, price
    )
    return Estimate(
        needed=needed,
        money=needed * price if plan.price else None,
        left_day=left_day if left_day is not None else needed,
        left_month=left_month,
    )


def _money(estimate: Estimate) -> str:
    if estimate.money is None:
        return ""
    return " " + t("templates.cost_money", money=number(estimate.money))


def cost_note(estimate: Estimate | None) -> str:
    """The confirmation step's line about template messages ("" when none are needed)."""
    if estimate is None:
        return ""
    return "\n" + t(
        "templates.cost_note",
        templates=number(estimate.needed),
        cost=_money(estimate),
        left_day=number(estimate.left_day),
        left_month=(
            t("templates.month_left", count=number(estimate.left_month))
            if estimate.left_month is not None
            else t("templates.no_cap")
        ),
    )


def over_budget(estimate: Estimate | None) -> dict[str, object] | None:
    """The parameters of "templates.over_budget" when the send would cross a budget."""
    over = estimate.over() if estimate is not None else None
    if estimate is None or over is None:
        return None
    period, left = over
    return {
        "templates": number(estimate.needed),
        "cost": _money(estimate),
        "left": number(left),
        "period": t(f"templates.period.{period}"),
        "period_next": t(f"templates.period_next.{period}"),
    }
