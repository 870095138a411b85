"""/event: announce a visit or exchange with exemplary models; members answer Tham gia /
Không tham gia; the official sees the list. Diagram: event.mmd."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum, auto

from handlers.config import CoreConfig
from handlers.flows import engine
from handlers.flows.base import END, Accepts, Answer, Flow, Step, StepResult, says
from handlers.localtime import in_quiet_hours, local_date_time, parse_date_time
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.officials.fanout import fan_out
from handlers.officials.holding import held_bulk, hold_until, offer_undo
from handlers.officials.progress import progress_reply
from handlers.officials.scope import (
    BulkDraft,
    accept_scope_then,
    ask_scope,
    ask_to_confirm_bulk,
    confirmed_unit,
)
from handlers.roles import Role, in_scope, scopes
from handlers.text import fold, number
from handlers.turn import Option, Turn, option_id
from storage import audit, bulk, events
from storage.db import Connection
from storage.units import get_unit

TITLE_LIMITS = (5, 200)
PLACE_LIMITS = (2, 200)
MAX_CAPACITY = 100_000
LISTED = 10
REMIND_BEFORE = timedelta(days=1)
NO_LIMIT_WORDS = ("khong", "khong gioi han", "bo qua")


class EventStep(StrEnum):
    """Upcoming events (menu), then the questions of announcing a new one."""

    MENU = auto()
    TITLE = auto()
    PLACE = auto()
    WHEN = auto()
    CAPACITY = auto()
    SCOPE = auto()
    PREVIEW = auto()


Next = StepResult[EventStep]


class EventDraft(BulkDraft):
    """The event being announced, then (from BulkDraft) the unit it is announced to."""

    title: str | None = None
    place: str | None = None
    starts_at: datetime | None = None
    # None: no limit.
    capacity: int | None = None


def rsvp_options(event_id: int) -> list[tuple[str, str]]:
    """The buttons of an invitation."""
    return [
        (f"!rsvp.{event_id}.yes", t("officials.event.choice.yes")),
        (f"!rsvp.{event_id}.no", t("officials.event.choice.no")),
    ]


async def begin(turn: Turn) -> None:
    """List upcoming events in scope and offer to announce one."""
    await engine.start(turn, FLOW, EventStep.MENU, EventDraft())


async def ask_menu(turn: Turn, draft: EventDraft) -> None:
    items = await events.upcoming_in_scopes(
        turn.conn, scopes(turn.memberships, Role.OFFICIAL), turn.now, LISTED
    )
    options = [Option("new", "officials.event.new")]
    options += [Option(f"e{e.id}", label_text=e.title[:60]) for e in items]
    lines = [
        t(
            "officials.event.list_line",
            title=e.title,
            when=local_date_time(e.starts_at, turn.config),
        )
        for e in items
    ]
    turn.say(
        "officials.event.menu",
        items="\n".join(lines) if lines else t("officials.event.none_yet"),
        options=options,
    )


async def _own_event(turn: Turn, event_id: int | None) -> events.Event | None:
    event = await events.get_event(turn.conn, event_id) if event_id else None
    if event is None or not in_scope(event.unit_path, scopes(turn.memberships, Role.OFFICIAL)):
        return None
    return event


async def accept_menu(turn: Turn, draft: EventDraft, answer: Answer) -> Next:
    if answer.choice == "new":
        return EventStep.TITLE
    event = await _own_event(turn, option_id(answer.choice, "e"))
    if event is None:
        turn.say("officials.event.not_found")
        await ask_menu(turn, draft)
        return None
    await show_answers(turn, event)
    engine.finish(turn, "common.menu_prompt")
    return None


async def show_answers(turn: Turn, event: events.Event) -> None:
    """Who answered, and how."""
    found = await events.answers(turn.conn, event.id)
    going = [a.full_name for a in found if a.answer == "yes"]
    not_going = [a.full_name for a in found if a.answer == "no"]
    capacity = (
        " " + t("officials.event.capacity_of", capacity=number(event.capacity))
        if event.capacity
        else ""
    )
    turn.say(
        "officials.event.answers",
        title=event.title,
        when=local_date_time(event.starts_at, turn.config),
        place=event.place,
        going=number(len(going)),
        capacity=capacity,
        going_names="\n".join(f"  {n}. {name}" for n, name in enumerate(going, 1)) or "  —",
        not_going=number(len(not_going)),
    )


async def accept_title(turn: Turn, draft: EventDraft, answer: Answer) -> Next:
    if not engine.length_ok(turn, answer.text or "", TITLE_LIMITS):
        return None
    draft.title = answer.text
    return EventStep.PLACE


async def accept_place(turn: Turn, draft: EventDraft, answer: Answer) -> Next:
    if not engine.length_ok(turn, answer.text or "", PLACE_LIMITS):
        return None
    draft.place = answer.text
    return EventStep.WHEN


async def accept_when(turn: Turn, draft: EventDraft, answer: Answer) -> Next:
    today = turn.now.astimezone(turn.config.timezone).date()
    parsed = parse_date_time(answer.text or "", today)
    if parsed is None:
        turn.say("officials.event.when_invalid")
        return None
    day, at = parsed
    starts = datetime.combine(day, at, tzinfo=turn.config.timezone)
    if starts <= turn.now:
        turn.say("officials.event.when_past")
        return None
    if starts > turn.now + timedelta(days=366):
        turn.say("officials.campaign.deadline_far")
        return None
    draft.starts_at = starts
    return EventStep.CAPACITY


async def accept_capacity(turn: Turn, draft: EventDraft, answer: Answer) -> Next:
    text = (answer.text or "").strip()
    if fold(text) in NO_LIMIT_WORDS:
        text = "0"
    if not text.isdigit() or int(text) > MAX_CAPACITY:
        turn.say("officials.event.capacity_invalid")
        return None
    draft.capacity = int(text) or None
    return EventStep.SCOPE


def invitation(
    config: CoreConfig, title: str, place: str, starts_at: datetime, capacity: int | None
) -> str:
    """The announcement as members receive it."""
    return t(
        "officials.event.invitation",
        title=title,
        place=place,
        when=local_date_time(starts_at, config),
        capacity=" " + t("officials.event.capacity_of", capacity=number(capacity))
        if capacity
        else "",
    )


async def ask_preview(turn: Turn, draft: EventDraft) -> None:
    unit = await get_unit(turn.conn, draft.unit_id or 0)
    assert unit is not None and draft.title and draft.place and draft.starts_at  # asked before
    people = await bulk.people_in_scope(turn.conn, unit.path)
    turn.say_text(t("officials.preview_header"))
    turn.say_text(
        invitation(turn.config, draft.title, draft.place, draft.starts_at, draft.capacity)
    )
    ask_to_confirm_bulk(
        turn,
        "officials.event.confirm",
        unit.name,
        len(people),
        Option("send", "officials.event.choice.send"),
    )


async def accept_preview(turn: Turn, draft: EventDraft, answer: Answer) -> Next:
    assert turn.person is not None
    unit = await confirmed_unit(turn, draft, answer)
    if unit is None:
        return None
    assert draft.title and draft.place and draft.starts_at  # asked before the preview
    event = await events.create_event(
        turn.conn,
        unit_id=unit.id,
        created_by=turn.person.id,
        title=draft.title,
        place=draft.place,
        starts_at=draft.starts_at,
        capacity=draft.capacity,
        now=turn.now,
    )
    sent = await fan_out(
        turn.conn,
        turn.config,
        turn.now,
        kind="event",
        batch=f"event:{event.id}",
        created_by=turn.person.id,
        unit=unit,
        text=invitation(turn.config, event.title, event.place, event.starts_at, event.capacity),
        label=event.title,
        options=rsvp_options(event.id),
        hold_until=hold_until(turn),
    )
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id,
        action="event.announced",
        object_type="event",
        object_id=event.id,
        detail={"unit": unit.id, "recipients": sent.total},
    )
    decision = await held_bulk(turn, "event", sent, event.id, event.title)
    engine.finish(turn)
    turn.say("officials.event.announced", title=event.title)
    turn.replies.append(progress_reply(sent, {}, final=False, minor=False))
    offer_undo(turn, decision)
    return None


async def rsvp(turn: Turn, args: list[str]) -> None:
    """ "Tham gia" / "Không tham gia": re-checked against scope, time and capacity."""
    if not turn.joined or turn.person is None:
        turn.say("common.not_joined")
        return
    event_id = int(args[0]) if args and args[0].isdigit() else 0
    answer = args[1] if len(args) > 1 and args[1] in ("yes", "no") else None
    event = await events.get_event(turn.conn, event_id)
    # Invited: a member of the event's unit or of a unit below it.
    invited = event is not None and any(
        in_scope(path, [event.unit_path]) for path in scopes(turn.memberships, Role.MEMBER)
    )
    if event is None or answer is None or not invited or event.status != "open":
        show_main_menu(turn, "officials.event.not_available")
        return
    if event.starts_at <= turn.now:
        show_main_menu(turn, "officials.event.already_started", title=event.title)
        return
    if not await events.set_answer(turn.conn, event.id, turn.person.id, answer, turn.now):
        # Full. The invitation's choices stay the menu, so "2" (Không tham gia) answers it.
        again = [Option(value, label_text=label) for value, label in rsvp_options(event.id)]
        turn.say("officials.event.full", title=event.title, options=again)
        return
    show_main_menu(
        turn,
        f"officials.event.answered_{answer}",
        title=event.title,
        when=local_date_time(event.starts_at, turn.config),
        place=event.place,
    )


async def remind_attendees(conn: Connection, config: CoreConfig, now: datetime) -> int:
    """The day before an event, remind those who answered Tham gia (outside quiet hours)."""
    if in_quiet_hours(now, config):
        return 0
    total = 0
    today = now.astimezone(config.timezone).date()
    for event in await events.due_reminders(conn, now, now + 2 * REMIND_BEFORE):
        # "The day before" is the local calendar day, from the end of the quiet hours.
        if event.starts_at.astimezone(config.timezone).date() - REMIND_BEFORE > today:
            continue
        going = {a.person_id for a in await events.answers(conn, event.id) if a.answer == "yes"}
        await events.mark_reminded(conn, event.id, now)
        unit = await get_unit(conn, event.unit_id)
        assert unit is not None
        sent = await fan_out(
            conn,
            config,
            now,
            kind="reminder",
            batch=f"event-remind:{event.id}",
            created_by=event.created_by,
            unit=unit,
            text=t(
                "officials.event.reminder",
                title=event.title,
                when=local_date_time(event.starts_at, config),
                place=event.place,
            ),
            label=event.title,
            only=going,
            report=False,
        )
        total += sent.total
    return total


# The questions that are one catalog text.
ask_title = says("officials.event.ask_title")
ask_place = says("officials.event.ask_place")
ask_when = says("officials.event.ask_when")
# No menu here: a typed "1" must mean one person, not the first option.
ask_capacity = says("officials.event.ask_capacity")

S = EventStep
TYPED = Accepts.TEXT
TABLE: dict[EventStep, Step[EventStep, EventDraft]] = {
    S.MENU: Step(ask_menu, accept_menu, {S.TITLE, END}),
    S.TITLE: Step(ask_title, accept_title, {S.PLACE}, TYPED, free_text=True),
    S.PLACE: Step(ask_place, accept_place, {S.WHEN}, TYPED, free_text=True),
    S.WHEN: Step(ask_when, accept_when, {S.CAPACITY}, TYPED),
    S.CAPACITY: Step(ask_capacity, accept_capacity, {S.SCOPE}, TYPED),
    S.SCOPE: Step(ask_scope, accept_scope_then(S.PREVIEW), {S.PREVIEW}),
    S.PREVIEW: Step(ask_preview, accept_preview, {END}),
}
FLOW = Flow("event", EventStep, EventDraft, entry={S.MENU}, table=TABLE)
