"""The first draft of a published story, written from the nomination in whole sentences.

"Ở Thôn Đông, xã An Bình. Bà Tư …" is not Vietnamese prose: the draft opens with who the
nominee is and where they live or work, as one sentence, then tells the achievement as the
member told it (cut at a sentence end when it is long). The official edits it before
publishing; what is drafted here only has to read well.
"""

from __future__ import annotations

import re

from handlers.messages import t
from handlers.text import fold
from storage.rows import Nomination

# The achievement is cut near this length, at the end of a sentence where there is one.
DRAFT_CHARS = 600
_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")
# A household's name that already says it is one ("Hộ ông …", "Gia đình bà …").
_HOUSEHOLD_WORDS = ("ho ", "gia dinh ")


def _sentence(text: str) -> str:
    """The text with a capital first letter and a full stop at its end."""
    text = " ".join(text.split())
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" else text + "."


def _shortened(text: str, limit: int = DRAFT_CHARS) -> str:
    """The text cut before `limit` at a sentence end (else a word end, with "…")."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, limit)]
    if ends and ends[-1] > limit // 2:
        return text[: ends[-1]]
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def opening(nomination: Nomination) -> str:
    """Who the nominee is and where, as one sentence."""
    name, place = nomination.nominee_name.strip(), nomination.place.strip()
    if nomination.kind == "household":
        named = (
            name
            if fold(name).startswith(_HOUSEHOLD_WORDS)
            else t("officials.story.household", name=name)
        )
        return _sentence(t("officials.story.opening.household", name=named, place=place))
    if nomination.kind == "collective":
        return _sentence(t("officials.story.opening.collective", name=name, place=place))
    born = t("officials.story.born", year=nomination.birth_year) if nomination.birth_year else ""
    return _sentence(t("officials.story.opening.individual", name=name, born=born, place=place))


def first_story(nomination: Nomination) -> str:
    """The draft: the opening sentence, then the achievement as a paragraph."""
    return opening(nomination) + "\n\n" + _sentence(_shortened(nomination.achievement))
