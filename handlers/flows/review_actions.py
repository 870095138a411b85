"""Review decisions, each re-checked on the server and recorded with who, when, what and why.

A button proves nothing, and neither does a form: before any decision the nomination is
loaded again and `handlers.permissions.authorise` checks the actor's role, scope (the deciding
unit lies in a unit where they hold reviewer rank) and the current status. The status change
itself is a conditional update, so of two reviewers deciding the same nomination at once
exactly one wins and the other is told. The chat and the web console both act through these
functions (an `Acting` is a chat turn or a console request).

Approving, rejecting, forwarding and merging are decisions a member will see: each is
recorded as an undoable decision (handlers/decisions.py) and the reporters' notices wait
until the undo window has passed, whether decided in the chat or in the console. Asking for
more is not held: the question is meant to be answered, and the member's reply comes back to
the same card.
"""

from __future__ import annotations

import math
from datetime import datetime

from handlers import decisions
from handlers.acting import Acting
from handlers.localtime import local_time
from handlers.messages import t
from handlers.permissions import Action, Verdict, authorise, scope_of
from handlers.roles import in_scope
from handlers.text import decimal
from handlers.types import Choice
from storage import audit, commendations, criteria, people, reviews
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


def held_until(actor: Acting, decision: Decision) -> str:
    """When the decision stands, as people read the time ("09:35")."""
    return local_time(decision.undo_until, actor.config)


async def decide(
    actor: Acting, item: ReviewItem, action: str, note: str | None, target: Unit | None = None
) -> Decision | bool:
    """Approve, ask for more, reject or forward (to `target`, else the next level another
    reviewer sees); the decision made, True for a question (which is not held), False when
    it could not be done (someone decided first: they are told)."""
    assert actor.person is not None
    conn, now = actor.conn, actor.now
    if action == "forward" and target is None:
        target = await next_level(
            conn, item, scope_of(actor.memberships, Action.OPEN), actor.person.id
        )
        if target is None:
            actor.tell("review.no_parent")
            return False
    level_before = await reviews.level_of(conn, item.id)
    if not await reviews.change_status(conn, item.id, WAITING, OUTCOME[action], now):
        current = await reviews.get_item(conn, item.id)
        status = current.status if current else item.status
        actor.tell("review.already_decided", code=item.code, status=t(f"status.{status}"))
        return False
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
    reporters = await reviews.reporters_of(conn, item.id)
    if action == "ask":
        for reporter in reporters:
            actor.notify(
                reporter,
                "review.notify.ask",
                choices=[Choice(label=t("review.choice.reply"), token=f"!answer.{item.id}")],
                reply_action=f"!answer.{item.id}",
                code=item.code,
                name=item.nominee_name,
                note=note or t("review.no_note"),
            )
        actor.tell("review.done.ask", code=item.code)
        return True
    undo: dict[str, object] = {
        "from_status": item.status,
        "to_status": OUTCOME[action],
        "event_id": event_id,
        "from_level": level_before,
        "to_level": target.id if target is not None else level_before,
    }
    decision = await decisions.made(
        conn,
        actor.config,
        now,
        kind=action,
        actor_id=actor.person.id,
        object_id=item.id,
        label=item.code,
        detail=undo,
        batch=decisions.new_batch(),
    )
    level = target.name if target is not None else ""
    for reporter in reporters:
        actor.notify(
            reporter,
            f"review.notify.{action}",
            not_before=decision.undo_until,
            batch=decision.batch,
            code=item.code,
            name=item.nominee_name,
            note=note or t("review.no_note"),
            level=level,
        )
    _say_held(actor, f"review.done.{action}", decision, code=item.code, level=level)
    return decision


def _say_held(actor: Acting, key: str, decision: Decision, **params: object) -> None:
    """What was decided, and until when it can be undone (when it can)."""
    actor.tell(key, **params)
    if decision.undo_until > decision.made_at:
        actor.tell("review.held", at=held_until(actor, decision))


async def merge(actor: Acting, item: ReviewItem, into_id: int) -> Decision | None:
    """Merge a duplicate into an earlier nomination; evidence and reporters are kept."""
    assert actor.person is not None
    conn, now = actor.conn, actor.now
    other = await load_in_scope(actor, into_id)
    if other is None:
        return None
    if other.id == item.id:
        actor.tell("review.no_duplicate")
        return None
    if other.status in ("merged", "rejected"):
        actor.tell("review.merge_target_gone", code=other.code, status=t(f"status.{other.status}"))
        return None
    if not await reviews.change_status(conn, item.id, WAITING, "merged", now):
        actor.tell("review.already_decided", code=item.code, status=t("status.merged"))
        return None
    moves = await reviews.record_merge(conn, item.id, other.id, actor.person.id, now)
    event_id = await reviews.add_event(
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
    decision = await decisions.made(
        conn,
        actor.config,
        now,
        kind="merge",
        actor_id=actor.person.id,
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
        actor.notify(
            reporter,
            key,
            not_before=decision.undo_until,
            batch=decision.batch,
            code=item.code,
            into=other.code,
            name=other.nominee_name,
        )
    _say_held(actor, "review.done.merge", decision, code=item.code, into=other.code)
    return decision


def undoable(decision_id: int | None, until: datetime | None, now: datetime) -> bool:
    """Whether a decision remembered by a review session can still be offered for undoing."""
    return decision_id is not None and until is not None and until > now


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
