"""/event: announce a visit or exchange with exemplary models; members answer Tham gia /
Không tham gia; the official sees the list. Diagram: event.mmd."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from handlers.config import CoreConfig
from handlers.flows import engine
from handlers.flows.base import Accepts, Answer, Flow, Step, StepResult
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.officials import common
from handlers.officials.progress import progress_reply
from handlers.roles import Role, scopes
from handlers.text import fold
from handlers.turn import Option, Turn
from storage import audit, bulk, events
from storage.db import Connection
from storage.units import get_unit

TITLE_LIMITS = (5, 200)
PLACE_LIMITS = (2, 200)
MAX_CAPACITY = 100_000
LISTED = 10
REMIND_BEFORE = timedelta(days=1)
NO_LIMIT_WORDS = ("khong", "khong gioi han", "bo qua")


def rsvp_options(event_id: int) -> list[tuple[str, str]]:
    """The buttons of an invitation."""
    return [
        (f"!rsvp.{event_id}.yes", t("officials.event.choice.yes")),
        (f"!rsvp.{event_id}.no", t("officials.event.choice.no")),
    ]


async def begin(turn: Turn) -> None:
    """List upcoming events in scope and offer to announce one."""
    await engine.start(turn, FLOW, "menu", {})


async def ask_menu(turn: Turn) -> None:
    items = await events.upcoming_in_scopes(
        turn.conn, scopes(turn.memberships, Role.OFFICIAL), turn.now, LISTED
    )
    options = [Option("new", "officials.event.new")]
    options += [Option(f"e{e.id}", label_text=e.title[:60]) for e in items]
    lines = [
        t(
            "officials.event.list_line",
            title=e.title,
            when=common.local_date_time(e.starts_at, turn.config),
        )
        for e in items
    ]
    turn.say(
        "officials.event.menu",
        items="\n".join(lines) if lines else t("officials.event.none_yet"),
        options=options,
    )


async def _own_event(turn: Turn, value: str | None) -> events.Event | None:
    if not value or not value.startswith("e") or not value[1:].isdigit():
        return None
    event = await events.get_event(turn.conn, int(value[1:]))
    if event is None:
        return None
    if not any(event.unit_path.startswith(s) for s in scopes(turn.memberships, Role.OFFICIAL)):
        return None
    return event


async def accept_menu(turn: Turn, answer: Answer) -> StepResult:
    if answer.choice == "new":
        return "title"
    event = await _own_event(turn, answer.choice)
    if event is None:
        turn.say("officials.event.not_found")
        await ask_menu(turn)
        return None
    await show_answers(turn, event)
    engine.finish(turn)
    show_main_menu(turn)
    return None


async def show_answers(turn: Turn, event: events.Event) -> None:
    """Who answered, and how."""
    found = await events.answers(turn.conn, event.id)
    going = [a.full_name for a in found if a.answer == "yes"]
    not_going = [a.full_name for a in found if a.answer == "no"]
    capacity = (
        " " + t("officials.event.capacity_of", capacity=common.number(event.capacity))
        if event.capacity
        else ""
    )
    turn.say(
        "officials.event.answers",
        title=event.title,
        when=common.local_date_time(event.starts_at, turn.config),
        place=event.place,
        going=common.number(len(going)),
        capacity=capacity,
        going_names="\n".join(f"  {n}. {name}" for n, name in enumerate(going, 1)) or "  —",
        not_going=common.number(len(not_going)),
    )


async def ask_title(turn: Turn) -> None:
    turn.say("officials.event.ask_title")


async def accept_title(turn: Turn, answer: Answer) -> StepResult:
    if not engine.length_ok(turn, answer.text or "", TITLE_LIMITS):
        return None
    turn.state.data["title"] = answer.text
    return "place"


async def ask_place(turn: Turn) -> None:
    turn.say("officials.event.ask_place")


async def accept_place(turn: Turn, answer: Answer) -> StepResult:
    if not engine.length_ok(turn, answer.text or "", PLACE_LIMITS):
        return None
    turn.state.data["place"] = answer.text
    return "when"


async def ask_when(turn: Turn) -> None:
    turn.say("officials.event.ask_when")


async def accept_when(turn: Turn, answer: Answer) -> StepResult:
    parsed = common.parse_date_time(answer.text or "")
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
    turn.state.data["starts_at"] = starts.isoformat()
    return "capacity"


async def ask_capacity(turn: Turn) -> None:
    # No menu here: a typed "1" must mean one person, not the first option.
    turn.say("officials.event.ask_capacity")


async def accept_capacity(turn: Turn, answer: Answer) -> StepResult:
    text = (answer.text or "").strip()
    if fold(text) in NO_LIMIT_WORDS:
        text = "0"
    if not text.isdigit() or int(text) > MAX_CAPACITY:
        turn.say("officials.event.capacity_invalid")
        return None
    turn.state.data["capacity"] = int(text) or None
    return "scope"


def invitation(
    config: CoreConfig, title: str, place: str, starts_at: datetime, capacity: int | None
) -> str:
    """The announcement as members receive it."""
    return t(
        "officials.event.invitation",
        title=title,
        place=place,
        when=common.local_date_time(starts_at, config),
        capacity=" " + t("officials.event.capacity_of", capacity=common.number(capacity))
        if capacity
        else "",
    )


async def ask_preview(turn: Turn) -> None:
    data = turn.state.data
    unit = await get_unit(turn.conn, data["unit_id"])
    assert unit is not None
    people = await bulk.people_in_scope(turn.conn, unit.path)
    starts = datetime.fromisoformat(data["starts_at"])
    turn.say_text(t("officials.preview_header"))
    turn.say_text(invitation(turn.config, data["title"], data["place"], starts, data["capacity"]))
    common.ask_to_confirm_bulk(
        turn,
        "officials.event.confirm",
        unit.name,
        len(people),
        Option("send", "officials.event.choice.send"),
    )


async def accept_preview(turn: Turn, answer: Answer) -> StepResult:
    assert turn.person is not None
    if answer.choice == "cancel":
        engine.finish(turn)
        show_main_menu(turn, "common.cancelled")
        return None
    data = turn.state.data
    unit = await common.chosen_unit(turn, f"u{data['unit_id']}")
    if unit is None:
        engine.finish(turn)
        show_main_menu(turn, "common.no_permission")
        return None
    event = await events.create_event(
        turn.conn,
        unit_id=unit.id,
        created_by=turn.person.id,
        title=data["title"],
        place=data["place"],
        starts_at=datetime.fromisoformat(data["starts_at"]),
        capacity=data["capacity"],
        now=turn.now,
    )
    sent = await common.fan_out(
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
    engine.finish(turn)
    turn.say("officials.event.announced", title=event.title)
    turn.replies.append(progress_reply(sent, {}, final=False, minor=False))
    return None


async def rsvp(turn: Turn, args: list[str]) -> None:
    """ "Tham gia" / "Không tham gia": re-checked against scope, time and capacity."""
    if not turn.joined or turn.person is None:
        turn.say("common.not_joined")
        return
    event_id = int(args[0]) if args and args[0].isdigit() else 0
    answer = args[1] if len(args) > 1 and args[1] in ("yes", "no") else None
    event = await events.get_event(turn.conn, event_id)
    in_scope = event is not None and any(
        p.startswith(event.unit_path) for p in scopes(turn.memberships, Role.MEMBER)
    )
    if event is None or answer is None or not in_scope or event.status != "open":
        show_main_menu(turn, "officials.event.not_available")
        return
    if event.starts_at <= turn.now:
        show_main_menu(turn, "officials.event.already_started", title=event.title)
        return
    if not await events.set_answer(turn.conn, event.id, turn.person.id, answer, turn.now):
        # Full. The invitation stays the menu, so "2" (Không tham gia) still answers it.
        turn.say("officials.event.full", title=event.title)
        return
    show_main_menu(
        turn,
        f"officials.event.answered_{answer}",
        title=event.title,
        when=common.local_date_time(event.starts_at, turn.config),
        place=event.place,
    )


async def remind_attendees(conn: Connection, config: CoreConfig, now: datetime) -> int:
    """The day before an event, remind those who answered Tham gia (outside quiet hours)."""
    if common.in_quiet_hours(now, config):
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
        sent = await common.fan_out(
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
                when=common.local_date_time(event.starts_at, config),
                place=event.place,
            ),
            label=event.title,
            only=going,
            report=False,
        )
        total += sent.total
    return total


def _step(ask: Any, accept: Any, *accepts: Accepts, free_text: bool = False) -> Step:
    return Step(ask, accept, frozenset(accepts or (Accepts.CHOICE,)), free_text=free_text)


FLOW = Flow(
    name="event",
    steps={
        "menu": _step(ask_menu, accept_menu),
        "title": _step(ask_title, accept_title, Accepts.TEXT, free_text=True),
        "place": _step(ask_place, accept_place, Accepts.TEXT, free_text=True),
        "when": _step(ask_when, accept_when, Accepts.TEXT),
        "capacity": _step(ask_capacity, accept_capacity, Accepts.TEXT),
        "scope": _step(common.ask_scope, common.accept_scope_then("preview")),
        "preview": _step(ask_preview, accept_preview),
    },
)
