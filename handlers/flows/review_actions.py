"""Review decisions, each re-checked on the server and recorded with who, when, what and why.

A button proves nothing: before any decision the nomination is loaded again and the sender's
role, scope (the deciding unit lies in a unit where they hold reviewer rank) and the current
status are checked. The status change itself is a conditional update, so of two reviewers
deciding the same nomination at once exactly one wins and the other is told.

Approving, rejecting, forwarding and merging are decisions a member will see: each is
recorded as an undoable decision (handlers/decisions.py) and the reporters' notices wait
until the undo window has passed. Asking for more is not held: the question is meant to be
answered, and the member's reply comes back to the same card.
"""

from __future__ import annotations

from datetime import datetime

from handlers import decisions
from handlers.flows.review_card import reviewer_scopes
from handlers.localtime import local_time
from handlers.messages import t
from handlers.roles import in_scope
from handlers.turn import Turn
from handlers.types import Choice
from storage import audit, people, reviews
from storage.criteria import ancestor_ids
from storage.db import Connection
from storage.decisions import Decision
from storage.reviews import WAITING, ReviewItem
from storage.rows import Unit
from storage.units import get_unit

# What each decision does to the status.
OUTCOME = {
    "approve": "approved",
    "ask": "needs_info",
    "reject": "rejected",
    "forward": "forwarded",
}
# The history's name for each decision.
EVENT = {"approve": "approve", "ask": "needs_info", "reject": "reject", "forward": "forward"}


async def load_in_scope(turn: Turn, nomination_id: int) -> ReviewItem | None:
    """The nomination if the sender may review it (any status); otherwise say why."""
    item = await reviews.get_item(turn.conn, nomination_id)
    if item is None:
        turn.say("review.not_found")
        return None
    if not in_scope(item.deciding_path, reviewer_scopes(turn)):
        turn.say("review.out_of_scope", code=item.code)
        return None
    return item


async def load_for_decision(turn: Turn, nomination_id: int) -> ReviewItem | None:
    """The nomination if the sender may decide it now; otherwise say why and give None."""
    item = await load_in_scope(turn, nomination_id)
    if item is None:
        return None
    if item.status not in WAITING:
        turn.say("review.already_decided", code=item.code, status=t(f"status.{item.status}"))
        return None
    return item


async def next_level(
    conn: Connection, item: ReviewItem, scopes: list[str], reviewer_id: int
) -> Unit | None:
    """Where forwarding sends a nomination: the nearest unit above its deciding level that
    lies outside the forwarding reviewer's own scope and that someone else reviews.

    A commune union's reviewer often holds the commune's role too: its parent would only
    put the card back in the same queue, so the first level seen by another reviewer is it.
    """
    for unit_id in reversed(ancestor_ids(item.deciding_path)[:-1]):
        unit = await get_unit(conn, unit_id)
        if unit is None or in_scope(unit.path, scopes):
            continue
        if await people.reviewers_in_units(conn, ancestor_ids(unit.path)) - {reviewer_id}:
            return unit
    return None


def held_until(turn: Turn, decision: Decision) -> str:
    """When the decision stands, as people read the time ("09:35")."""
    return local_time(decision.undo_until, turn.config)


async def decide(
    turn: Turn, item: ReviewItem, action: str, note: str | None, target: Unit | None = None
) -> Decision | None:
    """Approve, ask for more, reject or forward (to `target`); None when someone decided
    first, or for a question (which is not held)."""
    assert turn.person is not None
    conn, now = turn.conn, turn.now
    if action == "forward" and target is None:
        turn.say("review.no_parent")
        return None
    level_before = await reviews.level_of(conn, item.id)
    if not await reviews.change_status(conn, item.id, WAITING, OUTCOME[action], now):
        current = await reviews.get_item(conn, item.id)
        status = current.status if current else item.status
        turn.say("review.already_decided", code=item.code, status=t(f"status.{status}"))
        return None
    detail: dict[str, object] = {"code": item.code, "unit_id": item.deciding_unit_id}
    if note:
        detail["note"] = note
    if target is not None:
        await reviews.move_level(conn, item.id, target.id, now)
        detail["to_unit_id"] = target.id
    event_id = await reviews.add_event(
        conn,
        nomination_id=item.id,
        unit_id=item.deciding_unit_id,
        actor_id=turn.person.id,
        action=EVENT[action],
        note=note,
        now=now,
    )
    await audit.record(
        conn,
        at=now,
        actor_id=turn.person.id,
        action=f"nomination.{OUTCOME[action]}",
        object_type="nomination",
        object_id=item.id,
        detail=detail,
    )
    reporters = await reviews.reporters_of(conn, item.id)
    if action == "ask":
        for reporter in reporters:
            turn.notify(
                reporter,
                "review.notify.ask",
                choices=[Choice(label=t("review.choice.reply"), token=f"!answer.{item.id}")],
                reply_action=f"!answer.{item.id}",
                code=item.code,
                name=item.nominee_name,
                note=note or t("review.no_note"),
            )
        turn.say("review.done.ask", code=item.code)
        return None
    undo: dict[str, object] = {
        "from_status": item.status,
        "to_status": OUTCOME[action],
        "event_id": event_id,
        "from_level": level_before,
        "to_level": target.id if target is not None else level_before,
    }
    decision = await decisions.made(
        conn,
        turn.config,
        now,
        kind=action,
        actor_id=turn.person.id,
        object_id=item.id,
        label=item.code,
        detail=undo,
        batch=decisions.new_batch(),
    )
    level = target.name if target is not None else ""
    for reporter in reporters:
        turn.notify(
            reporter,
            f"review.notify.{action}",
            not_before=decision.undo_until,
            batch=decision.batch,
            code=item.code,
            name=item.nominee_name,
            note=note or t("review.no_note"),
            level=level,
        )
    _say_held(turn, f"review.done.{action}", decision, code=item.code, level=level)
    return decision


def _say_held(turn: Turn, key: str, decision: Decision, **params: object) -> None:
    """What was decided, and until when it can be undone (when it can)."""
    turn.say_text(t(key, **params))
    if decision.undo_until > decision.made_at:
        turn.say("review.held", at=held_until(turn, decision))


async def merge(turn: Turn, item: ReviewItem, into_id: int) -> Decision | None:
    """Merge a duplicate into an earlier nomination; evidence and reporters are kept."""
    assert turn.person is not None
    conn, now = turn.conn, turn.now
    other = await load_in_scope(turn, into_id)
    if other is None:
        return None
    if other.status in ("merged", "rejected"):
        turn.say("review.merge_target_gone", code=other.code, status=t(f"status.{other.status}"))
        return None
    if not await reviews.change_status(conn, item.id, WAITING, "merged", now):
        turn.say("review.already_decided", code=item.code, status=t("status.merged"))
        return None
    moves = await reviews.record_merge(conn, item.id, other.id, turn.person.id, now)
    event_id = await reviews.add_event(
        conn,
        nomination_id=item.id,
        unit_id=item.deciding_unit_id,
        actor_id=turn.person.id,
        action="merge",
        note=other.code,
        now=now,
    )
    await audit.record(
        conn,
        at=now,
        actor_id=turn.person.id,
        action="nomination.merged",
        object_type="nomination",
        object_id=item.id,
        detail={"code": item.code, "into": other.code, "into_id": other.id},
    )
    decision = await decisions.made(
        conn,
        turn.config,
        now,
        kind="merge",
        actor_id=turn.person.id,
        object_id=item.id,
        label=item.code,
        detail={
            "from_status": item.status,
            "into_id": other.id,
            "event_id": event_id,
            "moves": moves.model_dump(),
        },
        batch=decisions.new_batch(),
    )
    told: set[int] = set()
    for reporter in await reviews.reporters_of(conn, other.id):
        if reporter in told:
            continue
        told.add(reporter)
        key = "review.notify.merged_into" if reporter != item.reporter_id else "review.notify.merge"
        turn.notify(
            reporter,
            key,
            not_before=decision.undo_until,
            batch=decision.batch,
            code=item.code,
            into=other.code,
            name=other.nominee_name,
        )
    _say_held(turn, "review.done.merge", decision, code=item.code, into=other.code)
    return decision


def undoable(decision_id: int | None, until: datetime | None, now: datetime) -> bool:
    """Whether a decision remembered by a review session can still be offered for undoing."""
    return decision_id is not None and until is not None and until > now
