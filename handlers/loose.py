"""Messages that fit nothing are kept, and the person told what was kept and what to do.

A story typed with no flow running may become a nomination; a photo may be the answer to a
reviewer's question; a reply to a reviewer's question sent while a nomination is being
written may be meant for either. The message is held (handlers/pending.py) and the choices
offered as one tap or one number; the dispatcher does what was chosen.
"""

from __future__ import annotations

from handlers.flows import engine
from handlers.menu import main_options, show_main_menu
from handlers.messages import t
from handlers.pending import Held, HeldFor
from handlers.text import number
from handlers.turn import Option, Turn
from storage import reviews

# Open questions offered as "answer with this" at most.
QUESTIONS_SHOWN = 3
# Shorter texts are not offered as the story of a new nomination.
STORY_MIN = 20
EXCERPT = 80


def _what(turn: Turn) -> str:
    """What was kept, as the person reads it: the text's start, or the files counted."""
    inbound = turn.inbound
    if inbound.attachments:
        return t("common.kept.files", count=len(inbound.attachments))
    text = " ".join((inbound.text or "").split())
    return text if len(text) <= EXCERPT else text[:EXCERPT].rstrip() + "…"


def _held(turn: Turn, reason: HeldFor) -> Held:
    inbound = turn.inbound
    return Held(reason=reason, text=inbound.text, attachments=list(inbound.attachments))


async def hold_loose(turn: Turn) -> None:
    """No flow, no command: keep the message and offer what it can be used for."""
    assert turn.person is not None
    inbound = turn.inbound
    questions = (await reviews.open_questions(turn.conn, turn.person.id))[:QUESTIONS_SHOWN]
    options = [
        Option(
            f"held.action.!answer.{q.nomination_id}",
            label_text=t("common.kept.answer", code=q.code),
        )
        for q in questions
    ]
    if inbound.attachments or len((inbound.text or "").strip()) >= STORY_MIN:
        options.append(Option("held.nominate", "common.kept.nominate"))
    if not options:
        show_main_menu(turn, "common.not_understood")
        return
    options.append(Option("held.drop", "common.kept.drop"))
    engine.hold(
        turn,
        _held(turn, HeldFor.LOOSE),
        "common.kept",
        [*options, *(o for o in main_options(turn) if o.value == "cmd.help")],
        what=_what(turn),
    )


def hold_reply(turn: Turn, reply_action: str) -> None:
    """A reply right after a reviewer's question, with a flow running: which is it for?"""
    options = [
        Option(f"held.action.{reply_action}", "common.kept.for_question"),
        Option("held.use", "common.kept.for_flow"),
    ]
    engine.hold(
        turn,
        _held(turn, HeldFor.LOOSE),
        "common.kept_which",
        options,
        what=_what(turn),
        count=number(len(turn.inbound.attachments)),
    )
