"""A reporter answers a reviewer's question (Cần bổ sung) with text, files or both.

The question reaches the reporter as a notification with a "Trả lời" choice. A reply right
after it (text, photo, voice), or the choice, starts this flow for that nomination (the
`reply_to` action; the dispatcher sees that the question was the last message the chat
received); `/bosung [CODE]` (the words "bo sung", "tra loi bo sung" too) starts it at any
time. A nomination being written meanwhile is put aside and resumed afterwards. With several
open questions the member picks the code. Everything sent is collected until "Gửi trả lời"
(the confirmation); then the files are attached to the nomination, the text joins its review
history, and the nomination returns to its queue as "đã bổ sung" (answered). Diagram:
answer.mmd.
"""

from __future__ import annotations

from enum import StrEnum, auto
from typing import ClassVar

from pydantic import Field

from handlers.draft import Draft
from handlers.flows import engine
from handlers.flows.base import END, Accepts, Answer, Flow, Step, StepResult
from handlers.menu import show_main_menu
from handlers.turn import Option, Turn, option_id
from handlers.types import Attachment
from storage import audit, reviews
from storage.nominations import NewEvidence

TEXT_LIMIT = 3000


class AnswerStep(StrEnum):
    """Which question (when several are open), then the answer itself."""

    PICK = auto()
    ANSWER = auto()


Next = StepResult[AnswerStep]


class AnswerDraft(Draft):
    """The question being answered and what was sent for it so far."""

    RENAMED: ClassVar[dict[str, str]] = {"nid": "nomination_id"}

    nomination_id: int | None = None
    texts: list[str] = Field(default_factory=list)
    files: list[Attachment] = Field(default_factory=list)
    # Started by a reply to the question: the question is not repeated in full.
    replying: bool = False


async def begin(turn: Turn) -> None:
    """/bosung [CODE]: answer an open question."""
    assert turn.person is not None
    questions = await reviews.open_questions(turn.conn, turn.person.id)
    code = turn.args.strip().upper()
    if code:
        questions = [q for q in questions if q.code == code]
        if not questions:
            show_main_menu(turn, "answer.no_such_question", code=code)
            return
    if not questions:
        show_main_menu(turn, "answer.none_open")
        return
    if len(questions) == 1:
        draft = AnswerDraft(nomination_id=questions[0].nomination_id)
        await engine.start(turn, FLOW, AnswerStep.ANSWER, draft)
        return
    await engine.start(turn, FLOW, AnswerStep.PICK, AnswerDraft())


async def reply_to(turn: Turn, args: list[str]) -> None:
    """ "Trả lời" on a reviewer's question (!answer.<id>), or a reply sent right after it
    (!answer.<id>.reply: the message is the first part of the answer)."""
    if turn.person is None:
        turn.say("common.not_joined")
        return
    nomination_id = int(args[0]) if args and args[0].isdigit() else 0
    asked = await reviews.open_questions(turn.conn, turn.person.id)
    if not any(q.nomination_id == nomination_id for q in asked):
        show_main_menu(turn, "answer.already_closed")
        return
    replying = args[1:] == ["reply"]
    if turn.state.flow == FLOW.name and isinstance(turn.draft, AnswerDraft):
        if turn.draft.nomination_id == nomination_id:
            if replying:
                await engine.handle(turn, FLOW)
            else:
                await engine.ask_again(turn, FLOW)
            return
        engine.finish(turn)
    draft = AnswerDraft(nomination_id=nomination_id, replying=replying)
    await engine.start(turn, FLOW, AnswerStep.ANSWER, draft)
    if replying:
        await engine.handle(turn, FLOW)


async def ask_pick(turn: Turn, draft: AnswerDraft) -> None:
    assert turn.person is not None
    questions = await reviews.open_questions(turn.conn, turn.person.id)
    options = [
        Option(str(q.nomination_id), label_text=f"{q.code} — {q.nominee_name}") for q in questions
    ]
    turn.say("answer.pick", options=options)


async def accept_pick(turn: Turn, draft: AnswerDraft, answer: Answer) -> Next:
    draft.nomination_id = option_id(answer.choice, "")
    draft.texts, draft.files = [], []
    return AnswerStep.ANSWER


async def _question(turn: Turn, draft: AnswerDraft) -> reviews.OpenQuestion | None:
    assert turn.person is not None
    asked = await reviews.open_questions(turn.conn, turn.person.id)
    return next((q for q in asked if q.nomination_id == draft.nomination_id), None)


async def ask_answer(turn: Turn, draft: AnswerDraft) -> None:
    question = await _question(turn, draft)
    if question is None:
        engine.finish(turn, "answer.already_closed")
        return
    if draft.replying:
        draft.replying = False  # said once; asked again in full after /quaylai or /trogiup
        turn.say("answer.taking_reply", code=question.code, name=question.nominee_name)
        return
    turn.say(
        "answer.ask", code=question.code, name=question.nominee_name, question=question.question
    )


def _send_options(draft: AnswerDraft) -> list[Option]:
    # Only "send", and only once there is something: a typed number is an answer's text
    # ("2 hộ") unless a menu is showing, and then it can only mean "send". /huy cancels.
    return [Option("send", "answer.choice.send")] if draft.texts or draft.files else []


async def accept_answer(turn: Turn, draft: AnswerDraft, answer: Answer) -> Next:
    if answer.choice == "send":
        await _send(turn, draft)
        return None
    if answer.text:
        if len(answer.text) + sum(len(x) for x in draft.texts) > TEXT_LIMIT:
            turn.say("common.too_long", max=TEXT_LIMIT, got=len(answer.text))
            return None
        draft.texts.append(answer.text)
    for attachment in answer.attachments:
        if attachment.kind == "sticker":
            turn.say("nominate.evidence_sticker")
            continue
        if len(draft.files) >= turn.config.max_evidence:
            turn.say("answer.files_full", max=turn.config.max_evidence)
            break
        draft.files.append(attachment)
    turn.say(
        "answer.received",
        texts=len(draft.texts),
        files=len(draft.files),
        options=_send_options(draft),
    )
    return None


async def _send(turn: Turn, draft: AnswerDraft) -> None:
    """Attach the answer and put the nomination back in its queue, marked answered."""
    assert turn.person is not None
    conn, now = turn.conn, turn.now
    nid = draft.nomination_id or 0
    question = await _question(turn, draft)
    item = await reviews.get_item(conn, nid)
    if (
        question is None
        or item is None
        or not await reviews.change_status(conn, nid, ["needs_info"], "answered", now)
    ):
        engine.finish(turn, "answer.already_closed")
        return
    files = [NewEvidence.model_validate(f, from_attributes=True) for f in draft.files]
    await reviews.add_evidence(conn, nid, files, turn.person.id, now)
    turn.cleanup.evidence = bool(files)
    text = "\n".join(draft.texts) or None
    await reviews.add_event(
        conn,
        nomination_id=nid,
        unit_id=item.deciding_unit_id,
        actor_id=turn.person.id,
        action="answer",
        note=text,
        now=now,
    )
    await audit.record(
        conn,
        at=now,
        actor_id=turn.person.id,
        action="nomination.answered",
        object_type="nomination",
        object_id=nid,
        detail={"code": item.code, "files": len(files)},
    )
    turn.notify(question.asked_by, "review.notify.answered", code=item.code, name=item.nominee_name)
    engine.finish(turn, "answer.sent", code=item.code)


TABLE: dict[AnswerStep, Step[AnswerStep, AnswerDraft]] = {
    AnswerStep.PICK: Step(ask_pick, accept_pick, {AnswerStep.ANSWER}),
    # Texts and files are gathered at the answer step itself, until "Gửi trả lời".
    AnswerStep.ANSWER: Step(
        ask_answer,
        accept_answer,
        {AnswerStep.ANSWER, END},
        Accepts.CHOICE | Accepts.TEXT | Accepts.MEDIA,
        free_text=True,
    ),
}
FLOW = Flow(
    "answer", AnswerStep, AnswerDraft, entry={AnswerStep.PICK, AnswerStep.ANSWER}, table=TABLE
)
