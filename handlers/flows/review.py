"""The reviewer's queue (/review, /duyet): one card at a time, decisions, scoring, merging.

Diagram: review.mmd. `/duyet` opens the longest-waiting nomination in the reviewer's scope;
`/duyet GS-2026-000123` opens that one (the codes come from the digest). Every action is
re-checked on the server in review_actions before it changes anything. Approving, rejecting
and forwarding are confirmed on a summary first; once made, the next card offers to undo
the decision until it stands (the member is told only then).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum, auto
from typing import ClassVar

from pydantic import Field

from handlers.draft import Draft
from handlers.flows import engine
from handlers.flows.base import END, Accepts, Answer, End, Flow, Step, StepResult, says
from handlers.flows.review_actions import (
    decide,
    load_for_decision,
    load_in_scope,
    merge,
    next_level,
    score,
    score_examples,
    undoable,
)
from handlers.flows.review_card import find_duplicate, reviewer_scopes, show_card
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.permissions import Action
from handlers.roles import Role, has_role
from handlers.text import decimal
from handlers.turn import Option, Turn
from storage import criteria, reviews
from storage.decisions import Decision
from storage.reviews import WAITING
from storage.units import get_unit

REASONS = ("evidence", "achievement", "scope", "duplicate")
# How many skipped nominations a session remembers (they come back in a later session).
SKIP_LIMIT = 200
NOTE_LIMITS = (2, 1000)


class ReviewStep(StrEnum):
    """The card of one nomination, and what each of its actions asks next."""

    CARD = auto()
    QUESTION = auto()
    REASON = auto()
    RECOMMEND = auto()
    MERGE = auto()
    SCORE = auto()
    CONFIRM = auto()


Next = StepResult[ReviewStep]


# The card's actions that ask something more before they act.
ASKS_MORE = {
    "approve": ReviewStep.CONFIRM,
    "ask": ReviewStep.QUESTION,
    "reject": ReviewStep.REASON,
    "forward": ReviewStep.RECOMMEND,
    "merge": ReviewStep.MERGE,
    "score": ReviewStep.SCORE,
}


class ReviewDraft(Draft):
    """A review session: the card shown, what was skipped, and scoring in progress."""

    RENAMED: ClassVar[dict[str, str]] = {
        "nid": "nomination_id",
        "skip": "skipped",
        "dup": "duplicate_id",
        "cids": "criterion_ids",
        "ci": "criterion_index",
    }

    nomination_id: int
    # Skipped this session ("Để sau"); they come back in a later session.
    skipped: list[int] = Field(default_factory=list)
    # A possible duplicate found for the card (an earlier nomination).
    duplicate_id: int | None = None
    criterion_ids: list[int] = Field(default_factory=list)
    criterion_index: int = 0
    # A decision waiting for its confirmation: approve, reject or forward, its note and
    # where a forward goes.
    action: str | None = None
    note: str | None = None
    target_id: int | None = None
    # The last decision of this session, offered for undoing on the next card until then.
    undo_id: int | None = None
    undo_until: datetime | None = None
    undo_label: str | None = None


async def begin(turn: Turn) -> None:
    """Open the queue, or the nomination whose code follows the command."""
    code = turn.args.strip()
    if code:
        item = await reviews.find_by_code(turn.conn, code)
        if item is None:
            turn.say("review.code_unknown", code=code.upper())
            return
        await _open(turn, item.id)
        return
    item = await reviews.next_waiting(turn.conn, reviewer_scopes(turn))
    if item is None:
        show_main_menu(turn, "review.queue_empty")
        return
    await engine.start(turn, FLOW, ReviewStep.CARD, ReviewDraft(nomination_id=item.id))


async def open_card(turn: Turn, nomination_id: int) -> None:
    """Show one nomination's card (a decision on it was just undone)."""
    await engine.start(turn, FLOW, ReviewStep.CARD, ReviewDraft(nomination_id=nomination_id))


async def open_listed(turn: Turn, args: list[str]) -> None:
    """ "Duyệt ngay" on a digest line (or its number typed): that nomination's card, checked
    like `/duyet CODE` (role, scope, still waiting)."""
    if not turn.joined:
        turn.say("common.not_joined")
        return
    if not has_role(turn.memberships, Role.REVIEWER):
        turn.say("common.no_permission")
        return
    nomination_id = int(args[0]) if args and args[0].isascii() and args[0].isdigit() else 0
    await _open(turn, nomination_id)


async def _open(turn: Turn, nomination_id: int) -> None:
    item = await load_in_scope(turn, nomination_id)
    if item is None:
        return
    if item.status not in WAITING:
        turn.say("review.not_waiting", code=item.code, status=_status(item.status))
        return
    await engine.start(turn, FLOW, ReviewStep.CARD, ReviewDraft(nomination_id=item.id))


def _status(status: str) -> str:
    return t(f"status.{status}")


async def _advance(turn: Turn, draft: ReviewDraft) -> Next:
    """Show the next waiting card, or end the session when the queue is empty."""
    item = await reviews.next_waiting(turn.conn, reviewer_scopes(turn), draft.skipped)
    if item is None:
        undo = _undo_options(turn, draft)
        engine.finish(turn)
        later = await reviews.count_waiting(turn.conn, reviewer_scopes(turn))
        if later:
            show_main_menu(turn, "review.queue_done_skipped", undo, count=later)
        else:
            show_main_menu(turn, "review.queue_done", undo)
        return None
    draft.nomination_id = item.id
    draft.duplicate_id = None
    return ReviewStep.CARD


async def ask_card(turn: Turn, draft: ReviewDraft) -> None:
    # The card is the root of a session: /back from a later step returns here, never to a
    # step of the previous nomination.
    turn.state.history = []
    item = await reviews.get_item(turn.conn, draft.nomination_id)
    if item is None or item.status not in WAITING:
        # Decided by someone else since: move on rather than show a stale card.
        nxt = await _advance(turn, draft)
        if nxt is not None:
            await ask_card(turn, draft)
        return
    duplicate = await find_duplicate(turn.conn, item)
    draft.duplicate_id = duplicate[0] if duplicate else None
    assert turn.person is not None
    upward = await next_level(turn.conn, item, reviewer_scopes(turn), turn.person.id)
    await show_card(turn, item, duplicate, upward is not None, _undo_options(turn, draft))


def _undo_options(turn: Turn, draft: ReviewDraft) -> list[Option]:
    """ "↩ Hoàn tác: Duyệt GS-…" while the session's last decision can still be undone."""
    if not undoable(draft.undo_id, draft.undo_until, turn.now):
        return []
    label = t("review.choice.undo", what=draft.undo_label or "")
    return [Option(f"!undo.{draft.undo_id}", label_text=label)]


def _remember(draft: ReviewDraft, decision: Decision | bool | None, what: str) -> None:
    if isinstance(decision, Decision):
        draft.undo_id, draft.undo_until = decision.id, decision.undo_until
        draft.undo_label = t(f"review.undo_label.{decision.kind}", code=decision.label, what=what)


async def accept_card(turn: Turn, draft: ReviewDraft, answer: Answer) -> Next:
    choice = answer.choice or ""
    if choice == "stop":
        engine.finish(turn, "review.stopped")
        return None
    if choice == "next":
        draft.skipped = [*draft.skipped, draft.nomination_id][-SKIP_LIMIT:]
        return await _advance(turn, draft)
    item = await load_for_decision(turn, draft.nomination_id)
    if item is None:
        return await _advance(turn, draft)
    draft.action, draft.note, draft.target_id = None, None, None
    if choice == "approve":
        draft.action = "approve"
        return ReviewStep.CONFIRM
    if choice == "forward":
        assert turn.person is not None
        target = await next_level(turn.conn, item, reviewer_scopes(turn), turn.person.id)
        if target is None:
            turn.say("review.no_parent")
            return ReviewStep.CARD
        draft.target_id = target.id
    if choice == "merge" and not draft.duplicate_id:
        turn.say("review.no_duplicate")
        return ReviewStep.CARD
    if choice == "score":
        _, items = await criteria.effective_set(turn.conn, item.deciding_path, item.field)
        if not items:
            turn.say("review.no_criteria")
            return ReviewStep.CARD
        draft.criterion_ids = [c.id for c in items]
        draft.criterion_index = 0
    return ASKS_MORE.get(choice, ReviewStep.CARD)


async def accept_question(turn: Turn, draft: ReviewDraft, answer: Answer) -> Next:
    """A question is sent at once (it is meant to be answered), then the next card."""
    note = answer.text or ""
    if not engine.length_ok(turn, note, NOTE_LIMITS):
        return None
    item = await load_for_decision(turn, draft.nomination_id)
    if item is not None:
        await decide(turn, item, "ask", note)
    return await _advance(turn, draft)


async def accept_reason(turn: Turn, draft: ReviewDraft, answer: Answer) -> Next:
    reason = t(f"review.reason.{answer.choice}") if answer.choice else (answer.text or "")
    if not engine.length_ok(turn, reason, NOTE_LIMITS):
        return None
    if await load_for_decision(turn, draft.nomination_id) is None:
        return await _advance(turn, draft)  # decided by someone else meanwhile: said so
    draft.action, draft.note = "reject", reason
    return ReviewStep.CONFIRM


async def accept_recommend(turn: Turn, draft: ReviewDraft, answer: Answer) -> Next:
    note = None if answer.choice == "none" else (answer.text or "")
    if note is not None and not engine.length_ok(turn, note, NOTE_LIMITS):
        return None
    if await load_for_decision(turn, draft.nomination_id) is None:
        return await _advance(turn, draft)
    draft.action, draft.note = "forward", note
    return ReviewStep.CONFIRM


async def ask_confirm(turn: Turn, draft: ReviewDraft) -> None:
    item = await reviews.get_item(turn.conn, draft.nomination_id)
    target = await get_unit(turn.conn, draft.target_id) if draft.target_id else None
    assert item is not None and draft.action is not None  # the card was just shown
    minutes = int(turn.config.undo_window.total_seconds() // 60)
    turn.say(
        f"review.confirm.{draft.action}",
        code=item.code,
        name=item.nominee_name,
        note=draft.note or t("review.no_note"),
        level=target.name if target else "",
        minutes=minutes,
        options=[
            Option("yes", f"review.choice.confirm.{draft.action}"),
            Option("back", "review.choice.back_to_card"),
        ],
    )


async def accept_confirm(turn: Turn, draft: ReviewDraft, answer: Answer) -> Next:
    action, note = draft.action, draft.note
    draft.action, draft.note = None, None
    if answer.choice != "yes" or action is None:
        return ReviewStep.CARD
    item = await load_for_decision(turn, draft.nomination_id)
    if item is not None:
        target = None
        if action == "forward":
            assert turn.person is not None
            # Checked again: roles may have changed since the card was shown.
            target = await next_level(turn.conn, item, reviewer_scopes(turn), turn.person.id)
        decision = await decide(turn, item, action, note, target)
        _remember(draft, decision, note or "")
    return await _advance(turn, draft)


async def ask_merge(turn: Turn, draft: ReviewDraft) -> None:
    other = await reviews.get_item(turn.conn, draft.duplicate_id or 0)
    item = await reviews.get_item(turn.conn, draft.nomination_id)
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


async def accept_merge(turn: Turn, draft: ReviewDraft, answer: Answer) -> Next:
    if answer.choice != "yes":
        return ReviewStep.CARD
    item = await load_for_decision(turn, draft.nomination_id)
    if item is not None and draft.duplicate_id:
        _remember(draft, await merge(turn, item, draft.duplicate_id), "")
    return await _advance(turn, draft)


async def ask_score(turn: Turn, draft: ReviewDraft) -> None:
    ids = draft.criterion_ids
    item = await criteria.get_criterion(turn.conn, ids[draft.criterion_index])
    assert item is not None
    turn.say(
        "review.ask_score",
        n=draft.criterion_index + 1,
        count=len(ids),
        name=item.name,
        max=decimal(item.max_score),
        examples=score_examples(item.max_score),
        weight=decimal(item.weight),
        options=[
            Option("skip", "review.choice.skip_criterion"),
            Option("done", "review.choice.done_scoring"),
        ],
    )


async def accept_score(turn: Turn, draft: ReviewDraft, answer: Answer) -> Next:
    if answer.choice == "done":
        return ReviewStep.CARD
    if answer.choice != "skip":
        criterion_id = draft.criterion_ids[draft.criterion_index]
        criterion = await criteria.get_criterion(turn.conn, criterion_id)
        assert criterion is not None
        text = (answer.text or "").strip().replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if not 0 <= value <= criterion.max_score:
            turn.say(
                "review.score_invalid",
                max=decimal(criterion.max_score),
                examples=score_examples(criterion.max_score),
            )
            return None
        item = await load_for_decision(turn, draft.nomination_id, Action.SCORE)
        if item is None:
            return await _advance(turn, draft)
        await score(turn, item, criterion.id, value)
    draft.criterion_index += 1
    if draft.criterion_index >= len(draft.criterion_ids):
        turn.say("review.scored")
        return ReviewStep.CARD
    return ReviewStep.SCORE


# The questions that are one catalog text.
ask_question = says("review.ask_question")
ask_reason = says("review.ask_reason", options=[Option(r, f"review.reason.{r}") for r in REASONS])
ask_recommend = says(
    "review.ask_recommend", options=[Option("none", "review.choice.no_recommendation")]
)

S = ReviewStep
CHOICE_OR_TEXT = Accepts.CHOICE | Accepts.TEXT
# A decision shows the next card (CARD), or ends the session when none is left (END).
DECIDED: set[ReviewStep | End] = {S.CARD, END}
TABLE: dict[ReviewStep, Step[ReviewStep, ReviewDraft]] = {
    # free_text: on the card, "duyet" typed plainly means the "Duyệt" button, not /duyet.
    S.CARD: Step(ask_card, accept_card, {*ASKS_MORE.values(), *DECIDED}, free_text=True),
    S.QUESTION: Step(ask_question, accept_question, DECIDED, Accepts.TEXT, free_text=True),
    # Decided by someone else meanwhile: told at once, and the next card (or the end).
    S.REASON: Step(
        ask_reason, accept_reason, {S.CONFIRM, *DECIDED}, CHOICE_OR_TEXT, free_text=True
    ),
    S.RECOMMEND: Step(
        ask_recommend, accept_recommend, {S.CONFIRM, *DECIDED}, CHOICE_OR_TEXT, free_text=True
    ),
    S.MERGE: Step(ask_merge, accept_merge, DECIDED, free_text=True),
    S.SCORE: Step(ask_score, accept_score, {S.SCORE, *DECIDED}, CHOICE_OR_TEXT, free_text=True),
    S.CONFIRM: Step(ask_confirm, accept_confirm, DECIDED),
}
FLOW = Flow("review", ReviewStep, ReviewDraft, entry={S.CARD}, table=TABLE)
