"""/campaign: open a call for nominations, or list, extend and close calls. Diagram:
campaign.mmd."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from handlers.flows import engine
from handlers.flows.base import Accepts, Answer, Flow, Step, StepResult
from handlers.flows.campaign_manage import (
    accept_close,
    accept_extend,
    accept_manage,
    accept_reminders,
    ask_close,
    ask_extend,
    ask_manage,
    ask_reminders,
    check_deadline,
    own_call,
)
from handlers.flows.nominate import FIELDS
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.officials import common
from handlers.officials.progress import progress_reply
from handlers.officials.sending import call_text, field_names, open_call
from handlers.roles import Role, scopes
from handlers.turn import Option, Turn
from handlers.types import Attachment
from storage import bulk, campaigns
from storage.campaigns import CampaignDetail
from storage.units import get_unit

TITLE_LIMITS = (5, 200)
BODY_LIMITS = (20, 3000)
LISTED = 10


async def begin(turn: Turn) -> None:
    """Show the official's calls and the way to open a new one."""
    await engine.start(turn, FLOW, "menu", {})


async def _calls(turn: Turn) -> list[CampaignDetail]:
    return await campaigns.campaigns_in_scopes(
        turn.conn, scopes(turn.memberships, Role.OFFICIAL), LISTED
    )


async def ask_menu(turn: Turn) -> None:
    calls = await _calls(turn)
    options = [Option("new", "officials.campaign.new")]
    lines = [t("officials.campaign.list_header")] if calls else []
    for call in calls:
        status = t(f"officials.campaign.status.{call.status}")
        lines.append(
            t(
                "officials.campaign.list_line",
                title=call.title,
                status=status,
                deadline=common.deadline_date(call.deadline_at, turn.config),
            )
        )
        options.append(Option(f"c{call.id}", label_text=call.title[:60]))
    text = "\n".join(lines) if lines else t("officials.campaign.none_yet")
    turn.say("officials.campaign.menu", calls=text, options=options)


async def accept_menu(turn: Turn, answer: Answer) -> StepResult:
    if answer.choice == "new":
        turn.state.data = {"fields": []}
        return "title"
    campaign = await own_call(turn, answer.choice)
    if campaign is None:
        turn.say("officials.campaign.not_found")
        await ask_menu(turn)
        return None
    turn.state.data = {"campaign_id": campaign.id}
    return "manage"


async def ask_title(turn: Turn) -> None:
    turn.say("officials.campaign.ask_title")


async def accept_title(turn: Turn, answer: Answer) -> StepResult:
    text = answer.text or ""
    if not engine.length_ok(turn, text, TITLE_LIMITS):
        return None
    turn.state.data["title"] = text
    return "body"


async def ask_body(turn: Turn) -> None:
    turn.say("officials.campaign.ask_body", min=BODY_LIMITS[0])


async def accept_body(turn: Turn, answer: Answer) -> StepResult:
    text = answer.text or ""
    if not engine.length_ok(turn, text, BODY_LIMITS):
        return None
    turn.state.data["body"] = text
    return "fields"


async def ask_fields(turn: Turn) -> None:
    chosen: list[str] = turn.state.data.get("fields", [])
    options = [Option("all", "officials.campaign.all_fields")]
    options += [
        Option(f, label_text=("✓ " if f in chosen else "") + t(f"nominate.field.{f}"))
        for f in FIELDS
    ]
    options.append(Option("done", "common.choice.done"))
    turn.say("officials.campaign.ask_fields", chosen=field_names(chosen), options=options)


async def accept_fields(turn: Turn, answer: Answer) -> StepResult:
    chosen: list[str] = turn.state.data.setdefault("fields", [])
    if answer.choice == "all":
        turn.state.data["fields"] = list(FIELDS)
        return "deadline"
    if answer.choice == "done":
        if not chosen:
            turn.state.data["fields"] = list(FIELDS)
        return "deadline"
    if answer.choice in FIELDS:
        if answer.choice in chosen:
            chosen.remove(answer.choice)
        else:
            chosen.append(answer.choice)
    await ask_fields(turn)
    return None


async def ask_deadline(turn: Turn) -> None:
    example = (turn.now.astimezone(turn.config.timezone) + timedelta(days=30)).strftime("%d/%m/%Y")
    turn.say("officials.campaign.ask_deadline", example=example)


async def accept_deadline(turn: Turn, answer: Answer) -> StepResult:
    day = check_deadline(turn, answer.text or "")
    if day is None:
        return None
    turn.state.data["deadline"] = day.isoformat()
    return "scope"


async def ask_photo(turn: Turn) -> None:
    turn.say("officials.campaign.ask_photo", options=[Option("skip", "common.choice.skip")])


async def accept_photo(turn: Turn, answer: Answer) -> StepResult:
    if answer.choice == "skip":
        turn.state.data["photo"] = None
        return "preview"
    photos = [a for a in answer.attachments if a.kind == "photo"]
    if not photos:
        turn.say("officials.campaign.photo_expected")
        return None
    turn.state.data["photo"] = photos[0].model_dump(mode="json")
    return "preview"


def _deadline_at(turn: Turn) -> datetime:
    return common.end_of_day(date.fromisoformat(turn.state.data["deadline"]), turn.config)


async def ask_preview(turn: Turn) -> None:
    data = turn.state.data
    unit = await get_unit(turn.conn, data["unit_id"])
    assert unit is not None
    people = await bulk.people_in_scope(turn.conn, unit.path)
    text = call_text(
        data["title"],
        data["body"],
        data["fields"],
        common.deadline_date(_deadline_at(turn), turn.config),
    )
    media = [Attachment.model_validate(data["photo"])] if data.get("photo") else []
    turn.say_text(t("officials.preview_header"))
    turn.say_text(text, media=media)
    common.ask_to_confirm_bulk(
        turn,
        "officials.campaign.confirm",
        unit.name,
        len(people),
        Option("open", "officials.campaign.choice.open"),
    )


async def accept_preview(turn: Turn, answer: Answer) -> StepResult:
    if answer.choice == "cancel":
        engine.finish(turn)
        show_main_menu(turn, "common.cancelled")
        return None
    await _open(turn)
    return None


async def _open(turn: Turn) -> None:
    """Store the call and send it to every member in scope (handlers.officials.sending)."""
    data = turn.state.data
    unit = await common.chosen_unit(turn, f"u{data['unit_id']}")
    engine.finish(turn)
    if unit is None:  # the official lost the role since the scope step
        show_main_menu(turn, "common.no_permission")
        return
    opened = await open_call(
        turn,
        unit,
        title=data["title"],
        body=data["body"],
        fields=data["fields"],
        last_day=date.fromisoformat(data["deadline"]),
        photo=Attachment.model_validate(data["photo"]) if data.get("photo") else None,
    )
    if opened is not None:
        say_progress_start(turn, opened[1])


def say_progress_start(turn: Turn, sent: bulk.BulkSend) -> None:
    """The progress message that later reports edit (same replace_key)."""
    turn.replies.append(progress_reply(sent, {}, final=False, minor=False))


def _step(ask: Any, accept: Any, *accepts: Accepts, free_text: bool = False) -> Step:
    return Step(ask, accept, frozenset(accepts or (Accepts.CHOICE,)), free_text=free_text)


FLOW = Flow(
    name="campaign",
    steps={
        "menu": _step(ask_menu, accept_menu),
        "title": _step(ask_title, accept_title, Accepts.TEXT, free_text=True),
        "body": _step(ask_body, accept_body, Accepts.TEXT, free_text=True),
        "fields": _step(ask_fields, accept_fields),
        "deadline": _step(ask_deadline, accept_deadline, Accepts.TEXT),
        "scope": _step(common.ask_scope, common.accept_scope_then("photo")),
        "photo": _step(ask_photo, accept_photo, Accepts.CHOICE, Accepts.MEDIA),
        "preview": _step(ask_preview, accept_preview),
        "manage": _step(ask_manage, accept_manage),
        "extend": _step(ask_extend, accept_extend, Accepts.TEXT),
        "reminders": _step(ask_reminders, accept_reminders, Accepts.TEXT),
        "close": _step(ask_close, accept_close),
    },
)
