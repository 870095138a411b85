"""/campaign, managing a call: its details, extending the deadline, closing it early."""

from __future__ import annotations

import re
from datetime import date

from handlers.flows import engine
from handlers.flows.base import Answer, StepResult
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.officials import common
from handlers.officials.sending import close_call, deadline_problem, extend_call
from handlers.roles import Role, scopes
from handlers.turn import Option, Turn
from storage import campaigns
from storage.campaigns import CampaignDetail

MAX_DAYS_AHEAD = 366
MAX_REMINDERS = 5


async def own_call(turn: Turn, value: str | None) -> CampaignDetail | None:
    """The call an answer names, re-checked against the official's scope."""
    if not value or not value.startswith("c") or not value[1:].isdigit():
        return None
    campaign = await campaigns.get_detail(turn.conn, int(value[1:]))
    if campaign is None:
        return None
    if not any(campaign.unit_path.startswith(s) for s in scopes(turn.memberships, Role.OFFICIAL)):
        return None
    return campaign


def check_deadline(turn: Turn, text: str) -> date | None:
    """A typed deadline: a real date, after today, at most a year ahead."""
    day = common.parse_date(text)
    if day is None:
        turn.say("officials.campaign.deadline_invalid")
        return None
    problem = deadline_problem(day, turn)
    if problem is not None:
        turn.say(problem)
        return None
    return day


async def ask_manage(turn: Turn) -> None:
    campaign = await campaigns.get_detail(turn.conn, turn.state.data["campaign_id"])
    assert campaign is not None
    nominated = len(await campaigns.reporters_in(turn.conn, campaign.id))
    options = []
    if campaign.status == "open":
        options = [
            Option("extend", "officials.campaign.choice.extend"),
            Option("reminders", "officials.campaign.choice.reminders"),
            Option("close", "officials.campaign.choice.close"),
        ]
    options.append(Option("back", "common.choice.back"))
    turn.say(
        "officials.campaign.detail",
        title=campaign.title,
        unit=campaign.unit_name,
        status=t(f"officials.campaign.status.{campaign.status}"),
        deadline=common.deadline_date(campaign.deadline_at, turn.config),
        reporters=common.number(nominated),
        reminders=_days_text(_reminder_days(turn, campaign)),
        options=options,
    )


async def _current(turn: Turn) -> CampaignDetail | None:
    """The call being managed, re-checked: still in scope and still open."""
    campaign = await own_call(turn, f"c{turn.state.data.get('campaign_id', 0)}")
    if campaign is None or campaign.status != "open":
        turn.say("officials.campaign.not_open")
        engine.finish(turn)
        show_main_menu(turn)
        return None
    return campaign


async def accept_manage(turn: Turn, answer: Answer) -> StepResult:
    if answer.choice == "back":
        return "menu"
    if await _current(turn) is None:
        return None
    return {"extend": "extend", "reminders": "reminders"}.get(answer.choice or "", "close")


async def ask_extend(turn: Turn) -> None:
    turn.say("officials.campaign.ask_extend")


async def accept_extend(turn: Turn, answer: Answer) -> StepResult:
    campaign = await _current(turn)
    if campaign is None:
        return None
    day = check_deadline(turn, answer.text or "")
    if day is None:
        return None
    if not await extend_call(turn, campaign.id, day):
        return None
    engine.finish(turn)
    show_main_menu(turn)
    return None


def _reminder_days(turn: Turn, campaign: CampaignDetail) -> list[int]:
    if campaign.reminder_days is None:
        return list(turn.config.reminder_days)
    return campaign.reminder_days


def _days_text(days: list[int]) -> str:
    if not days:
        return t("officials.campaign.no_reminders")
    listed = ", ".join(str(d) for d in sorted(days, reverse=True))
    return t("officials.campaign.days", days=listed)


async def ask_reminders(turn: Turn) -> None:
    campaign = await campaigns.get_detail(turn.conn, turn.state.data["campaign_id"])
    assert campaign is not None
    turn.say("officials.campaign.ask_reminders", days=_days_text(_reminder_days(turn, campaign)))


def parse_days(text: str) -> list[int] | None:
    """ "7, 3, 1" -> [7, 3, 1]; "0" -> [] (no reminders); None when not that form."""
    parts = [p for p in re.split(r"[\s,;]+", text.strip()) if p]
    if not parts or not all(p.isdigit() for p in parts):
        return None
    days = sorted({int(p) for p in parts if int(p) > 0}, reverse=True)
    if len(days) > MAX_REMINDERS or any(d > MAX_DAYS_AHEAD for d in days):
        return None
    return days


async def accept_reminders(turn: Turn, answer: Answer) -> StepResult:
    campaign = await _current(turn)
    if campaign is None:
        return None
    days = parse_days(answer.text or "")
    if days is None:
        turn.say("officials.campaign.reminders_invalid", max=MAX_REMINDERS)
        return None
    await campaigns.set_reminder_days(turn.conn, campaign.id, days)
    engine.finish(turn)
    show_main_menu(
        turn, "officials.campaign.reminders_set", title=campaign.title, days=_days_text(days)
    )
    return None


async def ask_close(turn: Turn) -> None:
    turn.say(
        "officials.campaign.ask_close",
        options=[
            Option("yes", "officials.campaign.choice.close_yes"),
            Option("no", "common.choice.back"),
        ],
    )


async def accept_close(turn: Turn, answer: Answer) -> StepResult:
    if answer.choice == "no":
        return "manage"
    campaign = await _current(turn)
    if campaign is None:
        return None
    await close_call(turn, campaign.id)
    engine.finish(turn)
    show_main_menu(turn)
    return None
