"""Degrading a reply for platforms without buttons, and splitting long texts."""

from __future__ import annotations

import re

from handlers.messages import t
from handlers.types import Reply

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n")


def numbered_menu(reply: Reply) -> str:
    """The text followed by '1. …' lines, so people answer with a number or the words."""
    if not reply.choices:
        return reply.text
    if reply.listed:
        return reply.text + "\n\n" + t("render.menu_hint")
    lines = [f"{n}. {choice.label}" for n, choice in enumerate(reply.choices, start=1)]
    return reply.text + "\n\n" + "\n".join(lines) + "\n" + t("render.menu_hint")


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at line or sentence ends where possible."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max((m.end() for m in _SENTENCE_END.finditer(window)), default=0)
        if cut < limit // 2:
            space = window.rfind(" ")
            cut = space + 1 if space > limit // 2 else limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces
