"""Review decisions, each re-checked on the server and recorded with who, when, what and why.

A button proves nothing: before any decision the nomination is loaded again and the sender's
role, scope (the deciding unit lies in a unit where they hold reviewer rank) and the current
status are checked. The status change itself is a conditional update, so of two reviewers
deciding the same nomination at once exactly one wins and the other is told.
"""

from __future__ import annotations

from handlers.flows.review_card import reviewer_scopes
from handlers.messages import t
from handlers.roles import in_scope
from handlers.turn import Turn
from storage import audit, reviews
from storage.reviews import WAITING, ReviewItem

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


async def decide(turn: Turn, item: ReviewItem, action: str, note: str | None) -> bool:
    """Approve, ask for more, reject or forward; False when someone decided first."""
    assert turn.person is not None
    conn, now = turn.conn, turn.now
    if not await reviews.change_status(conn, item.id, WAITING, OUTCOME[action], now):
        current = await reviews.get_item(conn, item.id)
        status = current.status if current else item.status
        turn.say("review.already_decided", code=item.code, status=t(f"status.{status}"))
        return False
    detail: dict[str, object] = {"code": item.code, "unit_id": item.deciding_unit_id}
    if note:
        detail["note"] = note
    if action == "forward":
        assert item.deciding_parent_id is not None
        await reviews.move_level(conn, item.id, item.deciding_parent_id, now)
        detail["to_unit_id"] = item.deciding_parent_id
    await reviews.add_event(
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
    for reporter in await reviews.reporters_of(conn, item.id):
        turn.notify(
            reporter,
            f"review.notify.{action}",
            code=item.code,
            name=item.nominee_name,
            note=note or t("review.no_note"),
        )
    turn.say(f"review.done.{action}", code=item.code)
    return True


async def merge(turn: Turn, item: ReviewItem, into_id: int) -> bool:
    """Merge a duplicate into an earlier nomination; evidence and reporters are kept."""
    assert turn.person is not None
    conn, now = turn.conn, turn.now
    other = await load_in_scope(turn, into_id)
    if other is None:
        return False
    if other.status in ("merged", "rejected"):
        turn.say("review.merge_target_gone", code=other.code, status=t(f"status.{other.status}"))
        return False
    if not await reviews.change_status(conn, item.id, WAITING, "merged", now):
        turn.say("review.already_decided", code=item.code, status=t("status.merged"))
        return False
    await reviews.record_merge(conn, item.id, other.id, turn.person.id, now)
    await reviews.add_event(
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
    told: set[int] = set()
    for reporter in await reviews.reporters_of(conn, other.id):
        if reporter in told:
            continue
        told.add(reporter)
        key = "review.notify.merged_into" if reporter != item.reporter_id else "review.notify.merge"
        turn.notify(reporter, key, code=item.code, into=other.code, name=other.nominee_name)
    turn.say("review.done.merge", code=item.code, into=other.code)
    return True
