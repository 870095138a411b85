"""Undoing a decision in the chat: "↩ Hoàn tác" on the next card or menu, or typed
("hoàn tác", /hoantac) for the latest one. The domain rules are in handlers/decisions.py."""

from __future__ import annotations

from handlers import decisions
from handlers.decisions import Undone
from handlers.flows import engine, review
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.turn import Turn
from handlers.types import Reply
from storage import decisions as stored

# Decisions on a nomination: once undone, its card is shown again.
ON_NOMINATION = frozenset({"approve", "reject", "forward", "merge"})
BULK = frozenset({"broadcast", "call", "event"})


async def undo_latest(turn: Turn) -> None:
    """/hoantac: undo the sender's latest decision that can still be undone."""
    assert turn.person is not None
    latest = await stored.latest_undoable(turn.conn, turn.person.id, turn.now)
    if latest is None:
        show_main_menu(turn, "undo.nothing")
        return
    await _undo(turn, latest.id)


async def undo_action(turn: Turn, args: list[str]) -> None:
    """ "↩ Hoàn tác" (!undo.<id>): re-checked against who made it and its window."""
    if turn.person is None:
        turn.say("common.not_joined")
        return
    decision_id = int(args[0]) if args and args[0].isdigit() else 0
    await _undo(turn, decision_id)


async def _undo(turn: Turn, decision_id: int) -> None:
    assert turn.person is not None
    result, decision = await decisions.undo(
        turn.conn, turn.config, turn.person.id, decision_id, turn.now
    )
    if result is not Undone.DONE or decision is None:
        label = decision.label if decision is not None else ""
        show_main_menu(turn, f"undo.{result.value}", label=label)
        return
    turn.say(f"undo.done.{decision.kind}", label=decision.label)
    if decision.kind in BULK:
        # The progress message of the send says so too (edited where the channel can).
        progress = Reply(text=t("undo.progress"), replace_key=f"progress:{decision.batch}")
        turn.replies.append(progress)
    if decision.kind in ON_NOMINATION:
        # Back to the card, to decide it again (the session's current card waits in the
        # queue); another flow running (a nomination being written) is put aside.
        if turn.state.flow not in (None, review.FLOW.name) and not engine.suspend(turn):
            return
        engine.finish(turn)
        await review.open_card(turn, decision.object_id)
        return
    if turn.state.flow is None:
        show_main_menu(turn)
