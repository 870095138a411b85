"""/broadcast: a free message to every member of a scope, with preview, confirmation and a
daily cap; `/broadcast status` shows the latest sends. Diagram: broadcast.mmd."""

from __future__ import annotations

from enum import StrEnum, auto

from handlers.flows import engine
from handlers.flows.base import END, Accepts, Answer, Flow, Step, StepResult
from handlers.localtime import local_date_time
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.officials.holding import offer_undo
from handlers.officials.progress import PENDING, progress_reply
from handlers.officials.scope import (
    BulkDraft,
    accept_scope_then,
    ask_scope,
    ask_to_confirm_bulk,
    confirmed_unit,
)
from handlers.officials.sending import broadcast_text, broadcasts_left, send_broadcast
from handlers.text import fold, number
from handlers.turn import Option, Turn
from storage import bulk, outbox
from storage import decisions as stored_decisions
from storage.rows import Unit
from storage.units import get_unit

TEXT_LIMITS = (5, 3000)
STATUS_SHOWN = 5
STATUS_WORDS = ("status", "trang thai", "tinh trang")


class BroadcastStep(StrEnum):
    """The questions of a broadcast."""

    TEXT = auto()
    SCOPE = auto()
    PREVIEW = auto()


Next = StepResult[BroadcastStep]


class BroadcastDraft(BulkDraft):
    """The message, then (from BulkDraft) the unit it goes to."""

    text: str | None = None


async def begin(turn: Turn) -> None:
    """Start a broadcast, or show the status of the latest ones."""
    if fold(turn.args) in STATUS_WORDS:
        await show_status(turn)
        return
    if await _left_today(turn) <= 0:
        show_main_menu(turn, "officials.broadcast.cap_reached", cap=turn.config.broadcast_daily_cap)
        return
    await engine.start(turn, FLOW, BroadcastStep.TEXT, BroadcastDraft())


async def _left_today(turn: Turn) -> int:
    return await broadcasts_left(turn)


async def show_status(turn: Turn) -> None:
    """The official's latest bulk sends with their counts by status."""
    assert turn.person is not None
    items = await bulk.latest_bulks_by(turn.conn, turn.person.id, STATUS_SHOWN)
    if not items:
        show_main_menu(turn, "officials.broadcast.status_empty")
        return
    lines = [t("officials.broadcast.status_header")]
    for item in items:
        counts = await outbox.counts_by_status(turn.conn, item.batch)
        pending = sum(counts.get(s, 0) for s in PENDING)
        state = t(
            "officials.broadcast.state_done" if not pending else "officials.broadcast.state_sending"
        )
        lines.append(
            t(
                "officials.broadcast.status_line",
                kind=t(f"officials.bulk_kind.{item.kind}"),
                when=local_date_time(item.created_at, turn.config),
                preview=item.text[:60],
                state=state,
                progress=progress_reply(item, counts, final=False, minor=False).text.split("\n")[
                    -1
                ],
            )
        )
    turn.say_text("\n\n".join(lines))
    show_main_menu(turn)


async def ask_text(turn: Turn, draft: BroadcastDraft) -> None:
    turn.say("officials.broadcast.ask_text", left=await _left_today(turn))


async def accept_text(turn: Turn, draft: BroadcastDraft, answer: Answer) -> Next:
    text = answer.text or ""
    if not engine.length_ok(turn, text, TEXT_LIMITS):
        return None
    draft.text = text
    return BroadcastStep.SCOPE


def _message(turn: Turn, draft: BroadcastDraft, unit: Unit) -> str:
    assert turn.person is not None
    return broadcast_text(turn.person, turn.memberships, unit, draft.text or "")


async def ask_preview(turn: Turn, draft: BroadcastDraft) -> None:
    unit = await get_unit(turn.conn, draft.unit_id or 0)
    assert unit is not None
    people = await bulk.people_in_scope(turn.conn, unit.path)
    turn.say_text(t("officials.preview_header"))
    turn.say_text(_message(turn, draft, unit))
    ask_to_confirm_bulk(
        turn,
        "officials.broadcast.confirm",
        unit.name,
        len(people),
        Option("send", "officials.broadcast.choice.send"),
    )


async def accept_preview(turn: Turn, draft: BroadcastDraft, answer: Answer) -> Next:
    unit = await confirmed_unit(turn, draft, answer)
    if unit is None:
        return None
    # The same function as the console's (handlers.officials.sending): scope and the daily
    # cap checked again here, since another broadcast may have gone out since the first step;
    # its rows wait for the undo window, offered first in the menu.
    sent = await send_broadcast(turn, unit, draft.text or "")
    engine.finish(turn)
    if sent is not None:
        turn.say("officials.broadcast.queued", count=number(sent.total))
        turn.replies.append(progress_reply(sent, {}, final=False, minor=False))
        decision = await stored_decisions.of_batch(turn.conn, sent.batch)
        if decision is not None:
            offer_undo(turn, decision)
    return None


TABLE: dict[BroadcastStep, Step[BroadcastStep, BroadcastDraft]] = {
    BroadcastStep.TEXT: Step(
        ask_text, accept_text, {BroadcastStep.SCOPE}, Accepts.TEXT, free_text=True
    ),
    BroadcastStep.SCOPE: Step(
        ask_scope, accept_scope_then(BroadcastStep.PREVIEW), {BroadcastStep.PREVIEW}
    ),
    BroadcastStep.PREVIEW: Step(ask_preview, accept_preview, {END}),
}
FLOW = Flow("broadcast", BroadcastStep, BroadcastDraft, entry={BroadcastStep.TEXT}, table=TABLE)
