"""/campaign's step names and draft, and managing a call: its details, extending the
deadline, changing its reminders, closing it early (campaign.py holds the flow's table)."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum, auto

from pydantic import Field

from handlers.flows import engine
from handlers.flows.base import Answer, StepResult, says
from handlers.localtime import deadline_date, end_of_day, parse_date
from handlers.messages import t
from handlers.officials.scope import BulkDraft
from handlers.officials.sending import close_call, deadline_problem, extend_call
from handlers.roles import Role, in_scope, scopes
from handlers.text import number
from handlers.turn import Option, Turn
from handlers.types import Attachment
from storage import campaigns
from storage.campaigns import CampaignDetail

MAX_DAYS_AHEAD = 366
MAX_REMINDERS = 5


class CampaignStep(StrEnum):
    """The official's calls (menu), opening a new one, and managing one."""

    MENU = auto()
    TITLE = auto()
    BODY = auto()
    FIELDS = auto()
    DEADLINE = auto()
    SCOPE = auto()
    PHOTO = auto()
    PREVIEW = auto()
    MANAGE = auto()
    EXTEND = auto()
    REMINDERS = auto()
    CLOSE = auto()


Next = StepResult[CampaignStep]


class CampaignDraft(BulkDraft):
    """A call being written (title … photo, and the unit), or the call being managed."""

    title: str | None = None
    body: str | None = None
    fields: list[str] = Field(default_factory=list)
    # The last day nominations are taken.
    deadline: date | None = None
    photo: Attachment | None = None
    campaign_id: int | None = None


async def own_call(turn: Turn, campaign_id: int | None) -> CampaignDetail | None:
    """The call, re-checked against the official's scope (a button or a draft proves nothing)."""
    campaign = await campaigns.get_detail(turn.conn, campaign_id) if campaign_id else None
    if campaign is None or not in_scope(
        campaign.unit_path, scopes(turn.memberships, Role.OFFICIAL)
    ):
        return None
    return campaign


def check_deadline(turn: Turn, text: str) -> date | None:
    """A typed deadline: a real date, after today, at most a year ahead."""
    today = turn.now.astimezone(turn.config.timezone).date()
    day = parse_date(text, today)
    if day is None:
        turn.say("officials.campaign.deadline_invalid")
        return None
    problem = deadline_problem(day, turn)
    if problem is not None:
        turn.say(problem)
        return None
    return day


async def ask_manage(turn: Turn, draft: CampaignDraft) -> None:
    campaign = await campaigns.get_detail(turn.conn, draft.campaign_id or 0)
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
        deadline=deadline_date(campaign.deadline_at, turn.config),
        reporters=number(nominated),
        reminders=_days_text(_reminder_days(turn, campaign)),
        options=options,
    )


async def _current(turn: Turn, draft: CampaignDraft) -> CampaignDetail | None:
    """The call being managed, re-checked: still in scope and still open."""
    campaign = await own_call(turn, draft.campaign_id)
    if campaign is None or campaign.status != "open":
        turn.say("officials.campaign.not_open")
        engine.finish(turn, "common.menu_prompt")
        return None
    return campaign


ask_extend = says("officials.campaign.ask_extend")
ask_close = says(
    "officials.campaign.ask_close",
    options=[
        Option("yes", "officials.campaign.choice.close_yes"),
        Option("no", "common.choice.back"),
    ],
)
# The detail's actions; each asks one more question.
ACTIONS = {"extend": CampaignStep.EXTEND, "reminders": CampaignStep.REMINDERS}


async def accept_manage(turn: Turn, draft: CampaignDraft, answer: Answer) -> Next:
    if answer.choice == "back":
        return CampaignStep.MENU
    if await _current(turn, draft) is None:
        return None
    return ACTIONS.get(answer.choice or "", CampaignStep.CLOSE)


async def accept_extend(turn: Turn, draft: CampaignDraft, answer: Answer) -> Next:
    campaign = await _current(turn, draft)
    if campaign is None:
        return None
    day = check_deadline(turn, answer.text or "")
    if day is None or not await extend_call(turn, campaign.id, day):
        return None
    engine.finish(
        turn,
        "officials.campaign.extended",
        title=campaign.title,
        deadline=deadline_date(end_of_day(day, turn.config), turn.config),
    )
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


async def ask_reminders(turn: Turn, draft: CampaignDraft) -> None:
    campaign = await campaigns.get_detail(turn.conn, draft.campaign_id or 0)
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


async def accept_reminders(turn: Turn, draft: CampaignDraft, answer: Answer) -> Next:
    campaign = await _current(turn, draft)
    if campaign is None:
        return None
    days = parse_days(answer.text or "")
    if days is None:
        turn.say("officials.campaign.reminders_invalid", max=MAX_REMINDERS)
        return None
    await campaigns.set_reminder_days(turn.conn, campaign.id, days)
    engine.finish(
        turn, "officials.campaign.reminders_set", title=campaign.title, days=_days_text(days)
    )
    return None


async def accept_close(turn: Turn, draft: CampaignDraft, answer: Answer) -> Next:
    if answer.choice == "no":
        return CampaignStep.MANAGE
    campaign = await _current(turn, draft)
    if campaign is None:
        return None
    if await close_call(turn, campaign.id):
        engine.finish(turn, "officials.campaign.closed", title=campaign.title)
    else:
        engine.finish(turn)
    return None
