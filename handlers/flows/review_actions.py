"""Review decisions, each re-checked on the server and recorded with who, when, what and why.

A button proves nothing, and neither does a form: before any decision the nomination is
loaded again and `handlers.permissions.authorise` checks the actor's role, scope (the deciding
unit lies in a unit where they hold reviewer rank) and the current status. The status change
itself is a conditional update, so of two reviewers deciding the same nomination at once
exactly one wins and the other is told. The chat and the web console both act through these
functions (an `Acting` is a chat turn or a console request).
"""

from __future__ import annotations

import math

from handlers.acting import Acting
from handlers.messages import t
from handlers.permissions import Action, Verdict, authorise
from handlers.text import decimal
from storage import audit, commendations, criteria, reviews
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


def tell_refusal(actor: Acting, verdict: Verdict, item: ReviewItem, action: Action) -> None:
    """Say why `action` may not be done to this nomination."""
    status = t(f"status.{item.status}")
    if verdict is not Verdict.WRONG_STATUS:
        # No role at all, none high enough, or not over this unit: for this nomination the
        # same thing (a role removed after the card was shown lands here too).
        actor.tell("review.out_of_scope", code=item.code)
    elif action is Action.COMMEND:
        actor.tell("commend.not_approved", code=item.code, status=status)
    else:
        actor.tell("review.already_decided", code=item.code, status=status)


async def load_for(actor: Acting, nomination_id: int, action: Action) -> ReviewItem | None:
    """The nomination if the actor may do `action` to it now; otherwise say why, None."""
    item = await reviews.get_item(actor.conn, nomination_id)
    if item is None:
        actor.tell("review.not_found")
        return None
    verdict = authorise(actor.memberships, action, item.deciding_path, item.status)
    if not verdict:
        tell_refusal(actor, verdict, item, action)
        return None
    return item


async def load_in_scope(actor: Acting, nomination_id: int) -> ReviewItem | None:
    """The nomination if the actor may open it for review (any status); otherwise say why."""
    return await load_for(actor, nomination_id, Action.OPEN)


async def load_for_decision(
    actor: Acting, nomination_id: int, action: Action = Action.APPROVE
) -> ReviewItem | None:
    """The nomination if the actor may decide it now; otherwise say why and give None."""
    return await load_for(actor, nomination_id, action)


async def decide(actor: Acting, item: ReviewItem, action: str, note: str | None) -> bool:
    """Approve, ask for more, reject or forward; False when someone decided first."""
    assert actor.person is not None
    conn, now = actor.conn, actor.now
    if action == "forward" and item.deciding_parent_id is None:
        actor.tell("review.no_parent")
        return False
    if not await reviews.change_status(conn, item.id, WAITING, OUTCOME[action], now):
        current = await reviews.get_item(conn, item.id)
        status = current.status if current else item.status
        actor.tell("review.already_decided", code=item.code, status=t(f"status.{status}"))
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
        actor_id=actor.person.id,
        action=EVENT[action],
        note=note,
        now=now,
    )
    await audit.record(
        conn,
        at=now,
        actor_id=actor.person.id,
        action=f"nomination.{OUTCOME[action]}",
        object_type="nomination",
        object_id=item.id,
        detail=detail,
    )
    for reporter in await reviews.reporters_of(conn, item.id):
        actor.notify(
            reporter,
            f"review.notify.{action}",
            code=item.code,
            name=item.nominee_name,
            note=note or t("review.no_note"),
        )
    actor.tell(f"review.done.{action}", code=item.code)
    return True


async def merge(actor: Acting, item: ReviewItem, into_id: int) -> bool:
    """Merge a duplicate into an earlier nomination; evidence and reporters are kept."""
    assert actor.person is not None
    conn, now = actor.conn, actor.now
    other = await load_in_scope(actor, into_id)
    if other is None:
        return False
    if other.id == item.id:
        actor.tell("review.no_duplicate")
        return False
    if other.status in ("merged", "rejected"):
        actor.tell("review.merge_target_gone", code=other.code, status=t(f"status.{other.status}"))
        return False
    if not await reviews.change_status(conn, item.id, WAITING, "merged", now):
        actor.tell("review.already_decided", code=item.code, status=t("status.merged"))
        return False
    await reviews.record_merge(conn, item.id, other.id, actor.person.id, now)
    await reviews.add_event(
        conn,
        nomination_id=item.id,
        unit_id=item.deciding_unit_id,
        actor_id=actor.person.id,
        action="merge",
        note=other.code,
        now=now,
    )
    await audit.record(
        conn,
        at=now,
        actor_id=actor.person.id,
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
        actor.notify(reporter, key, code=item.code, into=other.code, name=other.nominee_name)
    actor.tell("review.done.merge", code=item.code, into=other.code)
    return True


def score_examples(maximum: float) -> str:
    """Two scores a reviewer may type for this criterion, a whole one and a half one, both
    within 0..maximum ("4 hoặc 3,5" for a 5-point criterion, never "7")."""
    whole = max(1, math.floor(maximum * 0.8)) if maximum >= 1 else 0
    half = whole - 0.5 if whole >= 1 else maximum / 2
    return t("review.score_examples", whole=decimal(whole), half=decimal(half))


async def score(actor: Acting, item: ReviewItem, criterion_id: int, value: float) -> bool:
    """Record the actor's score of one criterion of the set that applies to the nomination."""
    assert actor.person is not None
    _, applicable = await criteria.effective_set(actor.conn, item.deciding_path, item.field)
    criterion = next((c for c in applicable if c.id == criterion_id), None)
    if criterion is None:
        actor.tell("review.no_criteria")
        return False
    if not 0 <= value <= criterion.max_score:
        maximum = criterion.max_score
        actor.tell("review.score_invalid", max=decimal(maximum), examples=score_examples(maximum))
        return False
    await criteria.save_score(actor.conn, item.id, criterion.id, actor.person.id, value, actor.now)
    await audit.record(
        actor.conn,
        at=actor.now,
        actor_id=actor.person.id,
        action="nomination.scored",
        object_type="nomination",
        object_id=item.id,
        detail={"code": item.code, "criterion_id": criterion.id, "score": value},
    )
    return True


async def commend(actor: Acting, item: ReviewItem, record: commendations.NewCommendation) -> bool:
    """Record the commendation decided for an approved nomination; its reporters are told."""
    assert actor.person is not None
    await commendations.record(actor.conn, record, actor.person.id, actor.now)
    await audit.record(
        actor.conn,
        at=actor.now,
        actor_id=actor.person.id,
        action="nomination.commended",
        object_type="nomination",
        object_id=item.id,
        detail={"code": item.code, "form": record.form, "decision_no": record.decision_no},
    )
    for reporter in await reviews.reporters_of(actor.conn, item.id):
        actor.notify(
            reporter, "commend.notify", code=item.code, name=item.nominee_name, form=record.form
        )
    return True
