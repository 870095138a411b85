"""The reviewer's queue (/review, /duyet): one card at a time, decisions, scoring, merging.

Diagram: review.mmd. `/duyet` opens the longest-waiting nomination in the reviewer's scope;
`/duyet GS-2026-000123` opens that one (the codes come from the digest). Every action is
re-checked on the server in review_actions before it changes anything.
"""

from __future__ import annotations

from handlers.flows import engine
from handlers.flows.base import Accepts, Answer, Flow, Step, StepResult
from handlers.flows.review_actions import (
    decide,
    load_for_decision,
    load_in_scope,
    merge,
    score,
)
from handlers.flows.review_card import find_duplicate, reviewer_scopes, show_card
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.permissions import Action
from handlers.turn import Option, Turn
from storage import criteria, reviews
from storage.reviews import WAITING

REASONS = ("evidence", "achievement", "scope", "duplicate")
# How many skipped nominations a session remembers (they come back in a later session).
SKIP_LIMIT = 200
NOTE_LIMIT = 1000


async def begin(turn: Turn) -> None:
    """Open the queue, or the nomination whose code follows the command."""
    code = turn.args.strip()
    if code:
        item = await reviews.find_by_code(turn.conn, code)
        if item is None:
            turn.say("review.code_unknown", code=code.upper())
            return
        item = await load_in_scope(turn, item.id)
        if item is None:
            return
        if item.status not in WAITING:
            turn.say("review.not_waiting", code=item.code, status=_status(item.status))
            return
        await engine.start(turn, FLOW, "card", {"nid": item.id, "skip": []})
        return
    item = await reviews.next_waiting(turn.conn, reviewer_scopes(turn))
    if item is None:
        show_main_menu(turn, "review.queue_empty")
        return
    await engine.start(turn, FLOW, "card", {"nid": item.id, "skip": []})


def _status(status: str) -> str:
    return t(f"status.{status}")


async def _advance(turn: Turn) -> StepResult:
    """Show the next waiting card, or end the session when the queue is empty."""
    data = turn.state.data
    item = await reviews.next_waiting(turn.conn, reviewer_scopes(turn), data.get("skip", []))
    if item is None:
        engine.finish(turn)
        later = await reviews.count_waiting(turn.conn, reviewer_scopes(turn))
        if later:
            show_main_menu(turn, "review.queue_done_skipped", count=later)
        else:
            show_main_menu(turn, "review.queue_done")
        return None
    data["nid"] = item.id
    data.pop("dup", None)
    return "card"


async def ask_card(turn: Turn) -> None:
    data = turn.state.data
    # The card is the root of a session: /back from a later step returns here, never to a
    # step of the previous nomination.
    turn.state.history = []
    item = await reviews.get_item(turn.conn, int(data["nid"]))
    if item is None or item.status not in WAITING:
        # Decided by someone else since: move on rather than show a stale card.
        nxt = await _advance(turn)
        if nxt is not None:
            await ask_card(turn)
        return
    duplicate = await find_duplicate(turn.conn, item)
    data["dup"] = duplicate[0] if duplicate else None
    await show_card(turn, item, duplicate)


async def accept_card(turn: Turn, answer: Answer) -> StepResult:
    data = turn.state.data
    choice = answer.choice
    if choice == "stop":
        engine.finish(turn)
        show_main_menu(turn, "review.stopped")
        return None
    if choice == "next":
        data["skip"] = [*data.get("skip", []), data["nid"]][-SKIP_LIMIT:]
        return await _advance(turn)
    item = await load_for_decision(turn, int(data["nid"]))
    if item is None:
        return await _advance(turn)
    if choice == "approve":
        await decide(turn, item, "approve", None)
        return await _advance(turn)
    if choice == "forward" and item.deciding_parent_id is None:
        turn.say("review.no_parent")
        return "card"
    if choice == "merge" and not data.get("dup"):
        turn.say("review.no_duplicate")
        return "card"
    if choice == "score":
        _, items = await criteria.effective_set(turn.conn, item.deciding_path, item.field)
        if not items:
            turn.say("review.no_criteria")
            return "card"
        data["cids"] = [c.id for c in items]
        data["ci"] = 0
    return {"ask": "question", "reject": "reason", "forward": "recommend"}.get(
        choice or "", choice or "card"
    )


def _note_ok(turn: Turn, text: str) -> bool:
    if len(text) < 2:
        turn.say("common.too_short", min=2)
        return False
    if len(text) > NOTE_LIMIT:
        turn.say("common.too_long", max=NOTE_LIMIT, got=len(text))
        return False
    return True


async def ask_question(turn: Turn) -> None:
    turn.say("review.ask_question")


async def accept_question(turn: Turn, answer: Answer) -> StepResult:
    text = answer.text or ""
    if not _note_ok(turn, text):
        return None
    item = await load_for_decision(turn, int(turn.state.data["nid"]))
    if item is not None:
        await decide(turn, item, "ask", text)
    return await _advance(turn)


async def ask_reason(turn: Turn) -> None:
    turn.say("review.ask_reason", options=[Option(r, f"review.reason.{r}") for r in REASONS])


async def accept_reason(turn: Turn, answer: Answer) -> StepResult:
    reason = t(f"review.reason.{answer.choice}") if answer.choice else (answer.text or "")
    if not _note_ok(turn, reason):
        return None
    item = await load_for_decision(turn, int(turn.state.data["nid"]))
    if item is not None:
        await decide(turn, item, "reject", reason)
    return await _advance(turn)


async def ask_recommend(turn: Turn) -> None:
    turn.say("review.ask_recommend", options=[Option("none", "review.choice.no_recommendation")])


async def accept_recommend(turn: Turn, answer: Answer) -> StepResult:
    note = None if answer.choice == "none" else (answer.text or "")
    if note is not None and not _note_ok(turn, note):
        return None
    item = await load_for_decision(turn, int(turn.state.data["nid"]))
    if item is not None:
        await decide(turn, item, "forward", note)
    return await _advance(turn)


async def ask_merge(turn: Turn) -> None:
    data = turn.state.data
    other = await reviews.get_item(turn.conn, int(data.get("dup") or 0))
    item = await reviews.get_item(turn.conn, int(data["nid"]))
    if other is None or item is None:
        turn.say("review.no_duplicate")
        engine.finish(turn)
        return
    turn.say(
        "review.ask_merge",
        code=item.code,
        into=other.code,
        options=[Option("yes", "review.choice.merge_yes"), Option("no", "review.choice.merge_no")],
    )


async def accept_merge(turn: Turn, answer: Answer) -> StepResult:
    data = turn.state.data
    if answer.choice != "yes":
        return "card"
    item = await load_for_decision(turn, int(data["nid"]))
    if item is not None and data.get("dup"):
        await merge(turn, item, int(data["dup"]))
    return await _advance(turn)


async def ask_score(turn: Turn) -> None:
    data = turn.state.data
    ids: list[int] = data["cids"]
    item = await criteria.get_criterion(turn.conn, ids[data["ci"]])
    assert item is not None
    turn.say(
        "review.ask_score",
        n=data["ci"] + 1,
        count=len(ids),
        name=item.name,
        max=_num(item.max_score),
        weight=_num(item.weight),
        options=[
            Option("skip", "review.choice.skip_criterion"),
            Option("done", "review.choice.done_scoring"),
        ],
    )


def _num(value: float) -> str:
    return f"{value:g}".replace(".", ",")


async def accept_score(turn: Turn, answer: Answer) -> StepResult:
    data = turn.state.data
    if answer.choice == "done":
        return "card"
    if answer.choice != "skip":
        criterion = await criteria.get_criterion(turn.conn, data["cids"][data["ci"]])
        assert criterion is not None
        text = (answer.text or "").strip().replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if not 0 <= value <= criterion.max_score:
            turn.say("review.score_invalid", max=_num(criterion.max_score))
            return None
        item = await load_for_decision(turn, int(data["nid"]), Action.SCORE)
        if item is None:
            return await _advance(turn)
        await score(turn, item, criterion.id, value)
    data["ci"] += 1
    if data["ci"] >= len(data["cids"]):
        turn.say("review.scored")
        return "card"
    return "score"


FLOW = Flow(
    name="review",
    steps={
        # free_text: on the card, "duyet" typed plainly means the "Duyệt" button, not /duyet.
        "card": Step(ask_card, accept_card, free_text=True),
        "question": Step(ask_question, accept_question, frozenset({Accepts.TEXT}), free_text=True),
        "reason": Step(
            ask_reason, accept_reason, frozenset({Accepts.CHOICE, Accepts.TEXT}), free_text=True
        ),
        "recommend": Step(
            ask_recommend,
            accept_recommend,
            frozenset({Accepts.CHOICE, Accepts.TEXT}),
            free_text=True,
        ),
        "merge": Step(ask_merge, accept_merge, free_text=True),
        "score": Step(
            ask_score, accept_score, frozenset({Accepts.CHOICE, Accepts.TEXT}), free_text=True
        ),
    },
)
