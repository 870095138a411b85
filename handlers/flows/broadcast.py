"""/broadcast: a free message to every member of a scope, with preview, confirmation and a
daily cap; `/broadcast status` shows the latest sends. Diagram: broadcast.mmd."""

from __future__ import annotations

from typing import Any

from handlers.flows import engine
from handlers.flows.base import Accepts, Answer, Flow, Step, StepResult
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.officials import common
from handlers.officials.progress import PENDING, progress_reply
from handlers.officials.sending import broadcast_text, broadcasts_left, send_broadcast
from handlers.text import fold
from handlers.turn import Option, Turn
from storage import bulk, outbox
from storage.units import get_unit

TEXT_LIMITS = (5, 3000)
STATUS_SHOWN = 5
STATUS_WORDS = ("status", "trang thai", "tinh trang")


async def begin(turn: Turn) -> None:
    """Start a broadcast, or show the status of the latest ones."""
    if fold(turn.args) in STATUS_WORDS:
        await show_status(turn)
        return
    if await _left_today(turn) <= 0:
        show_main_menu(turn, "officials.broadcast.cap_reached", cap=turn.config.broadcast_daily_cap)
        return
    await engine.start(turn, FLOW, "text", {})


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
                when=common.local_date_time(item.created_at, turn.config),
                preview=item.text[:60],
                state=state,
                progress=progress_reply(item, counts, final=False, minor=False).text.split("\n")[
                    -1
                ],
            )
        )
    turn.say_text("\n\n".join(lines))
    show_main_menu(turn)


async def ask_text(turn: Turn) -> None:
    turn.say("officials.broadcast.ask_text", left=await _left_today(turn))


async def accept_text(turn: Turn, answer: Answer) -> StepResult:
    text = answer.text or ""
    if not engine.length_ok(turn, text, TEXT_LIMITS):
        return None
    turn.state.data["text"] = text
    return "scope"


def _message(turn: Turn, unit_name: str) -> str:
    return broadcast_text(unit_name, turn.state.data["text"])


async def ask_preview(turn: Turn) -> None:
    unit = await get_unit(turn.conn, turn.state.data["unit_id"])
    assert unit is not None
    people = await bulk.people_in_scope(turn.conn, unit.path)
    turn.say_text(t("officials.preview_header"))
    turn.say_text(_message(turn, unit.name))
    common.ask_to_confirm_bulk(
        turn,
        "officials.broadcast.confirm",
        unit.name,
        len(people),
        Option("send", "officials.broadcast.choice.send"),
    )


async def accept_preview(turn: Turn, answer: Answer) -> StepResult:
    assert turn.person is not None
    if answer.choice == "cancel":
        engine.finish(turn)
        show_main_menu(turn, "common.cancelled")
        return None
    unit = await common.chosen_unit(turn, f"u{turn.state.data['unit_id']}")
    if unit is None:
        engine.finish(turn)
        show_main_menu(turn, "common.no_permission")
        return None
    sent = await send_broadcast(turn, unit, turn.state.data["text"])
    engine.finish(turn)
    if sent is not None:
        turn.replies.append(progress_reply(sent, {}, final=False, minor=False))
    return None


def _step(ask: Any, accept: Any, *accepts: Accepts, free_text: bool = False) -> Step:
    return Step(ask, accept, frozenset(accepts or (Accepts.CHOICE,)), free_text=free_text)


FLOW = Flow(
    name="broadcast",
    steps={
        "text": _step(ask_text, accept_text, Accepts.TEXT, free_text=True),
        "scope": _step(common.ask_scope, common.accept_scope_then("preview")),
        "preview": _step(ask_preview, accept_preview),
    },
)
