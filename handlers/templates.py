"""Proactive messages that may go out as pre-approved templates (Zalo OA outside its window).

Each kind names the placeholders its template parameters may use (the README lists them);
the flows fill them when they queue the message (`fill`), the channel maps them to the
template's own parameter names (ZALO_OA_TEMPLATES). Channels without templates ignore it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from handlers.messages import t
from handlers.types import TemplateFill

# Filled by the channel itself: the link that opens the conversation again (which re-opens
# its window, so the member can act on the message).
COMMON = ("link",)

PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "call_opened": ("title", "unit", "deadline", "hint"),
    "deadline_reminder": ("title", "unit", "deadline", "days_left", "hint"),
    "event_invitation": ("title", "unit", "when", "place", "hint"),
    "event_reminder": ("title", "when", "place", "hint"),
    "decision": ("code", "outcome", "hint"),
    "ask_for_more": ("code", "hint"),
    "digest": ("count", "overdue", "hint"),
    "sla_reminder": ("count", "days", "hint"),
}
KINDS = tuple(PLACEHOLDERS)
# Template parameters are short fields on Zalo's side; longer values are cut.
VALUE_LIMIT = 200


def fill(kind: str, unit_id: int | None, **values: object) -> TemplateFill:
    """The template side of a proactive message: every placeholder of its kind, as text.

    `hint` (what to type once back in the conversation) defaults to the kind's catalog text.
    """
    names = PLACEHOLDERS[kind]
    given = {k: str(v) for k, v in values.items()}
    if "hint" in names and "hint" not in given:
        given["hint"] = t(f"templates.hint.{kind}")
    missing = set(names) - set(given)
    unknown = set(given) - set(names)
    if missing or unknown:
        raise ValueError(f"template {kind}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    return TemplateFill(
        kind=kind, unit_id=unit_id, values={k: v[:VALUE_LIMIT] for k, v in given.items()}
    )


class TemplatePlan(BaseModel):
    """What the core must know of template messages to tell an official what a send will
    cost: the channel, its window, the kinds mapped, the budgets and prices (settings)."""

    model_config = ConfigDict(frozen=True)

    channel: str
    window: timedelta
    kinds: frozenset[str]
    daily: int
    monthly: int | None = None
    # đồng per message (by user id; the phone path may cost more) and the money caps
    price: int | None = None
    daily_money: int | None = None
    monthly_money: int | None = None


def periods(now: datetime, timezone: ZoneInfo) -> tuple[str, str]:
    """The budget periods a moment falls in: its local day and month."""
    local = now.astimezone(timezone)
    return f"{local:%Y-%m-%d}", f"{local:%Y-%m}"
