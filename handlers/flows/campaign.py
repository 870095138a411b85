"""/campaign: open a call for nominations, or list, extend and close calls. Diagram:
campaign.mmd."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.flows import engine
from handlers.flows.base import END, Accepts, Answer, Flow, Step, says
from handlers.flows.campaign_manage import (
    CampaignDraft,
    CampaignStep,
    Next,
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
from handlers.localtime import deadline_date, end_of_day
from handlers.messages import t
from handlers.officials.holding import offer_undo
from handlers.officials.progress import progress_reply
from handlers.officials.scope import (
    accept_scope_then,
    ask_scope,
    ask_to_confirm_bulk,
    confirmed_unit,
)
from handlers.officials.sending import call_text, field_names, open_call
from handlers.roles import Role, scopes
from handlers.turn import Option, Turn, option_id
from storage import bulk, campaigns
from storage import decisions as stored_decisions
from storage.campaigns import CampaignDetail
from storage.rows import Unit
from storage.units import get_unit

TITLE_LIMITS = (5, 200)
BODY_LIMITS = (20, 3000)
LISTED = 10


async def begin(turn: Turn) -> None:
    """Show the official's calls and the way to open a new one."""
    await engine.start(turn, FLOW, CampaignStep.MENU, CampaignDraft())


async def _calls(turn: Turn) -> list[CampaignDetail]:
    return await campaigns.campaigns_in_scopes(
        turn.conn, scopes(turn.memberships, Role.OFFICIAL), LISTED
    )


async def ask_menu(turn: Turn, draft: CampaignDraft) -> None:
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
                deadline=deadline_date(call.deadline_at, turn.config),
            )
        )
        options.append(Option(f"c{call.id}", label_text=call.title[:60]))
    text = "\n".join(lines) if lines else t("officials.campaign.none_yet")
    turn.say("officials.campaign.menu", calls=text, options=options)


async def accept_menu(turn: Turn, draft: CampaignDraft, answer: Answer) -> Next:
    draft.clear()  # the menu starts over: a new call, or another call to manage
    if answer.choice == "new":
        return CampaignStep.TITLE
    campaign = await own_call(turn, option_id(answer.choice, "c"))
    if campaign is None:
        turn.say("officials.campaign.not_found")
        await ask_menu(turn, draft)
        return None
    draft.campaign_id = campaign.id
    return CampaignStep.MANAGE


async def accept_title(turn: Turn, draft: CampaignDraft, answer: Answer) -> Next:
    text = answer.text or ""
    if not engine.length_ok(turn, text, TITLE_LIMITS):
        return None
    draft.title = text
    return CampaignStep.BODY


async def accept_body(turn: Turn, draft: CampaignDraft, answer: Answer) -> Next:
    text = answer.text or ""
    if not engine.length_ok(turn, text, BODY_LIMITS):
        return None
    draft.body = text
    return CampaignStep.FIELDS


async def ask_fields(turn: Turn, draft: CampaignDraft) -> None:
    chosen = draft.fields
    options = [Option("all", "officials.campaign.all_fields")]
    options += [
        Option(f, label_text=("✓ " if f in chosen else "") + t(f"nominate.field.{f}"))
        for f in FIELDS
    ]
    options.append(Option("done", "common.choice.done"))
    turn.say("officials.campaign.ask_fields", chosen=field_names(chosen), options=options)


async def accept_fields(turn: Turn, draft: CampaignDraft, answer: Answer) -> Next:
    chosen = draft.fields
    if answer.choice == "all":
        draft.fields = list(FIELDS)
        return CampaignStep.DEADLINE
    if answer.choice == "done":
        if not chosen:
            draft.fields = list(FIELDS)
        return CampaignStep.DEADLINE
    if answer.choice in FIELDS:
        if answer.choice in chosen:
            chosen.remove(answer.choice)
        else:
            chosen.append(answer.choice)
    await ask_fields(turn, draft)
    return None


async def ask_deadline(turn: Turn, draft: CampaignDraft) -> None:
    example = (turn.now.astimezone(turn.config.timezone) + timedelta(days=30)).strftime("%d/%m/%Y")
    turn.say("officials.campaign.ask_deadline", example=example)


async def accept_deadline(turn: Turn, draft: CampaignDraft, answer: Answer) -> Next:
    day = check_deadline(turn, answer.text or "")
    if day is None:
        return None
    draft.deadline = day
    return CampaignStep.SCOPE


async def accept_photo(turn: Turn, draft: CampaignDraft, answer: Answer) -> Next:
    if answer.choice == "skip":
        draft.photo = None
        return CampaignStep.PREVIEW
    photos = [a for a in answer.attachments if a.kind == "photo"]
    if not photos:
        turn.say("officials.campaign.photo_expected")
        return None
    draft.photo = photos[0]
    return CampaignStep.PREVIEW


def _deadline_at(turn: Turn, draft: CampaignDraft) -> datetime:
    assert draft.deadline is not None  # asked before the preview
    return end_of_day(draft.deadline, turn.config)


async def ask_preview(turn: Turn, draft: CampaignDraft) -> None:
    unit = await get_unit(turn.conn, draft.unit_id or 0)
    assert unit is not None
    people = await bulk.people_in_scope(turn.conn, unit.path)
    text = call_text(
        draft.title or "",
        draft.body or "",
        draft.fields,
        deadline_date(_deadline_at(turn, draft), turn.config),
    )
    turn.say_text(t("officials.preview_header"))
    turn.say_text(text, media=[draft.photo] if draft.photo else [])
    ask_to_confirm_bulk(
        turn,
        "officials.campaign.confirm",
        unit.name,
        len(people),
        Option("open", "officials.campaign.choice.open"),
    )


async def accept_preview(turn: Turn, draft: CampaignDraft, answer: Answer) -> Next:
    unit = await confirmed_unit(turn, draft, answer)
    if unit is not None:
        await _open(turn, draft, unit)
    return None


async def _open(turn: Turn, draft: CampaignDraft, unit: Unit) -> None:
    """Store the call and send it to every member in scope (the console's function too)."""
    engine.finish(turn)
    assert draft.deadline is not None  # asked before the preview
    opened = await open_call(
        turn,
        unit,
        title=draft.title or "",
        body=draft.body or "",
        fields=draft.fields,
        last_day=draft.deadline,
        photo=draft.photo,
    )
    if opened is not None:
        turn.say("officials.campaign.opened", title=opened[0].title)
        # The progress message that later reports edit (same replace_key).
        turn.replies.append(progress_reply(opened[1], {}, final=False, minor=False))
        decision = await stored_decisions.of_batch(turn.conn, opened[1].batch)
        if decision is not None:
            offer_undo(turn, decision)


# The questions that are one catalog text.
ask_title = says("officials.campaign.ask_title")
ask_body = says("officials.campaign.ask_body", min=BODY_LIMITS[0])
ask_photo = says("officials.campaign.ask_photo", options=[Option("skip", "common.choice.skip")])

S = CampaignStep
TYPED = Accepts.TEXT
TABLE: dict[CampaignStep, Step[CampaignStep, CampaignDraft]] = {
    S.MENU: Step(ask_menu, accept_menu, {S.TITLE, S.MANAGE}),
    S.TITLE: Step(ask_title, accept_title, {S.BODY}, TYPED, free_text=True),
    S.BODY: Step(ask_body, accept_body, {S.FIELDS}, TYPED, free_text=True),
    # Each field chosen is ticked at the fields step itself, until Xong / Tất cả.
    S.FIELDS: Step(ask_fields, accept_fields, {S.FIELDS, S.DEADLINE}),
    S.DEADLINE: Step(ask_deadline, accept_deadline, {S.SCOPE}, TYPED),
    S.SCOPE: Step(ask_scope, accept_scope_then(S.PHOTO), {S.PHOTO}),
    S.PHOTO: Step(ask_photo, accept_photo, {S.PREVIEW}, Accepts.CHOICE | Accepts.MEDIA),
    S.PREVIEW: Step(ask_preview, accept_preview, {END}),
    S.MANAGE: Step(ask_manage, accept_manage, {S.MENU, S.EXTEND, S.REMINDERS, S.CLOSE, END}),
    S.EXTEND: Step(ask_extend, accept_extend, {END}, TYPED),
    S.REMINDERS: Step(ask_reminders, accept_reminders, {END}, TYPED),
    S.CLOSE: Step(ask_close, accept_close, {S.MANAGE, END}),
}
FLOW = Flow("campaign", CampaignStep, CampaignDraft, entry={S.MENU}, table=TABLE)
