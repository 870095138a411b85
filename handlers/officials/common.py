"""What officials' features share: quiet hours, dates, scopes, and fanning a message out."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta

from handlers.config import CoreConfig
from handlers.flows.base import Answer, StepResult
from handlers.messages import t
from handlers.roles import Role, scopes
from handlers.turn import Option, Turn
from handlers.types import Attachment, Choice, Reply
from storage import bulk, outbox
from storage.db import Connection
from storage.rows import Unit
from storage.units import get_unit, units_in_scopes

_DATE = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})")
_TIME = re.compile(r"(\d{1,2})\s*[:hH]\s*(\d{2})?")
MAX_SCOPE_OPTIONS = 20


def in_quiet_hours(now: datetime, config: CoreConfig) -> bool:
    """Whether `now` falls in the local quiet hours (no bulk sends)."""
    local = now.astimezone(config.timezone).time()
    start, end = config.quiet_start, config.quiet_end
    if start == end:
        return False
    if start > end:  # the window wraps midnight (21:00–07:00)
        return local >= start or local < end
    return start <= local < end


def quiet_until(now: datetime, config: CoreConfig) -> datetime | None:
    """When bulk sends may start if `now` is in quiet hours; None outside them."""
    if not in_quiet_hours(now, config):
        return None
    local = now.astimezone(config.timezone)
    day = local.date()
    if config.quiet_start > config.quiet_end and local.time() >= config.quiet_start:
        day += timedelta(days=1)
    return datetime.combine(day, config.quiet_end, tzinfo=config.timezone).astimezone(UTC)


def parse_date(text: str) -> date | None:
    """dd/mm/yyyy (also with . or -) as a date; None when it is not a real date."""
    match = _DATE.search(text)
    if match is None:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date_time(text: str) -> tuple[date, time] | None:
    """ "dd/mm/yyyy hh:mm" (or "8h30") as a date and a time."""
    when = parse_date(text)
    if when is None:
        return None
    rest = _DATE.sub(" ", text, count=1)
    match = _TIME.search(rest)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return when, time(hour, minute)


def end_of_day(day: date, config: CoreConfig) -> datetime:
    """The first moment after a local day (a deadline "dd/mm" includes the whole day)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=config.timezone).astimezone(
        UTC
    )


def local_date(moment: datetime, config: CoreConfig) -> str:
    """dd/mm/yyyy in local time."""
    return moment.astimezone(config.timezone).strftime("%d/%m/%Y")


def local_date_time(moment: datetime, config: CoreConfig) -> str:
    """HH:MM dd/mm/yyyy in local time."""
    return moment.astimezone(config.timezone).strftime("%H:%M %d/%m/%Y")


def deadline_date(deadline_at: datetime, config: CoreConfig) -> str:
    """The last day of a call (its deadline is the midnight after that day)."""
    return local_date(deadline_at - timedelta(seconds=1), config)


def number(value: int) -> str:
    """1234 -> "1.234", the Vietnamese way."""
    return f"{value:,}".replace(",", ".")


def start_of_local_day(now: datetime, config: CoreConfig) -> datetime:
    """Local midnight of today, in UTC."""
    local = now.astimezone(config.timezone)
    return datetime.combine(local.date(), time(0), tzinfo=config.timezone).astimezone(UTC)


async def scope_units(turn: Turn, role: Role = Role.OFFICIAL) -> list[Unit]:
    """Units the sender may address: where they hold the role, and every unit below."""
    return await units_in_scopes(turn.conn, scopes(turn.memberships, role))


async def scope_options(turn: Turn, role: Role = Role.OFFICIAL) -> list[Option]:
    """The scope step's options: the official's units and those below (the first ones)."""
    units = await scope_units(turn, role)
    return [Option(f"u{u.id}", label_text=u.name) for u in units[:MAX_SCOPE_OPTIONS]]


async def chosen_unit(turn: Turn, value: str | None, role: Role = Role.OFFICIAL) -> Unit | None:
    """The unit an answer names, re-checked against the sender's scope."""
    if not value or not value.startswith("u") or not value[1:].isdigit():
        return None
    unit = await get_unit(turn.conn, int(value[1:]))
    if unit is None or not any(unit.path.startswith(s) for s in scopes(turn.memberships, role)):
        return None
    return unit


async def fan_out(
    conn: Connection,
    config: CoreConfig,
    now: datetime,
    *,
    kind: str,
    batch: str,
    created_by: int | None,
    unit: Unit,
    text: str,
    label: str,
    options: Sequence[tuple[str, str]] = (),
    media: Sequence[Attachment] = (),
    exclude: Collection[int] = (),
    only: Collection[int] | None = None,
    report: bool = True,
    key: Callable[[int], str] | None = None,
) -> bulk.BulkSend:
    """Queue one message per member in the unit's scope on the bulk lane.

    Each person gets it on their most recent reachable account; people with none are
    counted, not sent to. Options are action values ("!call.12"): for idle conversations
    they also become the current menu, so a typed "1" answers on channels without buttons.
    In quiet hours the rows wait until the morning. `label` names the send in reports;
    `only` narrows the scope to some people (an event's attendees).
    """
    people = [p for p in await bulk.people_in_scope(conn, unit.path) if p not in exclude]
    if only is not None:
        people = [p for p in people if p in only]
    reachable = await bulk.reachable_identities(conn, people)
    recipients = [reachable[p] for p in people if p in reachable]
    idle = await bulk.idle_menu_seqs(conn, [r.identity_id for r in recipients]) if options else {}
    not_before = quiet_until(now, config)
    messages: list[outbox.NewMessage] = []
    menus: list[tuple[int, int, dict[str, object]]] = []
    for recipient in recipients:
        seq = idle.get(recipient.identity_id)
        prefix = f"{seq + 1}." if seq is not None else ""
        choices = [Choice(label=label, token=f"{prefix}{value}") for value, label in options]
        if seq is not None and options:
            menus.append(
                (
                    recipient.identity_id,
                    seq + 1,
                    {"seq": seq + 1, "options": [[v, label] for v, label in options]},
                )
            )
        reply = Reply(text=text, choices=choices, media=list(media))
        messages.append(
            outbox.NewMessage(
                channel=recipient.channel,
                chat_id=recipient.chat_id,
                identity_id=recipient.identity_id,
                payload=reply.model_dump(mode="json"),
                priority=outbox.PRIORITY_BULK,
                dedupe_key=key(recipient.person_id) if key else f"{batch}:{recipient.person_id}",
                batch=batch,
                not_before=not_before,
            )
        )
    # Rows whose dedupe key exists (a person reminded before) are not queued again.
    queued = await outbox.enqueue(conn, messages, now)
    await bulk.set_idle_menus(conn, menus)
    return await bulk.create_bulk(
        conn,
        kind=kind,
        batch=batch,
        created_by=created_by,
        unit_id=unit.id,
        object_id=None,
        text=label,
        total=queued,
        unreachable=len(people) - len(recipients),
        report=report,
        now=now,
    )


async def target_of(conn: Connection, person_id: int) -> bulk.Recipient | None:
    """A person's most recent reachable account, or None."""
    return (await bulk.reachable_identities(conn, [person_id])).get(person_id)


async def send_to(
    conn: Connection,
    now: datetime,
    target: bulk.Recipient,
    reply: Reply,
    dedupe_key: str,
    not_before: datetime | None = None,
) -> None:
    """Queue one message to one account on the reply lane (jobs use this)."""
    await outbox.enqueue(
        conn,
        [
            outbox.NewMessage(
                channel=target.channel,
                chat_id=target.chat_id,
                identity_id=target.identity_id,
                payload=reply.model_dump(mode="json"),
                dedupe_key=dedupe_key,
                not_before=not_before,
            )
        ],
        now,
    )


def ask_to_confirm_bulk(turn: Turn, key: str, unit: str, recipients: int, go: Option) -> None:
    """A bulk send's last question: whom it reaches, whether quiet hours delay it, go or not."""
    quiet = quiet_until(turn.now, turn.config)
    note = "\n" + t("officials.quiet_note", at=local_date_time(quiet, turn.config)) if quiet else ""
    turn.say(
        key,
        unit=unit,
        count=number(recipients),
        note=note,
        options=[go, Option("cancel", "common.choice.cancel")],
    )


async def ask_scope(turn: Turn) -> None:
    """Which unit a bulk send reaches: the official's own, or one below it."""
    turn.say("officials.ask_scope", options=await scope_options(turn))


def accept_scope_then(next_step: str) -> Callable[[Turn, Answer], Awaitable[StepResult]]:
    """The scope step's answer: a unit in the official's scope (re-checked), then `next_step`."""

    async def accept(turn: Turn, answer: Answer) -> StepResult:
        unit = await chosen_unit(turn, answer.choice)
        if unit is None:
            turn.say("common.not_an_option")
            await ask_scope(turn)
            return None
        turn.state.data["unit_id"] = unit.id
        return next_step

    return accept
