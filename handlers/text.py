"""Vietnamese text: matching what people type (with or without diacritics), and writing
numbers and phone numbers the way they read them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalize(text: str) -> str:
    """NFC and trimmed: the form every stored text takes."""
    return unicodedata.normalize("NFC", text).strip()


def fold(text: str) -> str:
    """Lower case, no diacritics, words separated by one space ("Cá nhân" -> "ca nhan")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", bare.lower()).strip()


def match_option(text: str, labels: Sequence[str]) -> int | None:
    """Index of the option the typed text names: its number, its words, or a unique start."""
    typed = fold(text)
    if not typed:
        return None
    if typed.isdigit():
        number = int(typed)
        return number - 1 if 1 <= number <= len(labels) else None
    folded = [fold(label) for label in labels]
    if typed in folded:
        return folded.index(typed)
    starts = [i for i, label in enumerate(folded) if label.startswith(typed)]
    if len(starts) == 1 and len(typed) >= 2:
        return starts[0]
    return None


_SENTENCE_END = re.compile(r"[.!?…]+[\"”')»]*\s|\n")


def cut_at_sentence(text: str, limit: int) -> str:
    """The first part of a text, at most `limit` characters, ending at a sentence end where
    there is one in its second half (else at a space)."""
    if len(text) <= limit:
        return text
    window = text[:limit]
    ends = [m.end() for m in _SENTENCE_END.finditer(window + " ")]
    cut = max((e for e in ends if e <= limit), default=0)
    if cut < limit // 2:
        space = window.rfind(" ")
        cut = space if space > limit // 2 else limit
    return window[:cut].rstrip()


# Kept in a name: letters, marks, digits, punctuation and spaces; emoji and other symbols go.
_NAME_CATEGORIES = frozenset("LMNPZ")
_VARIATION_SELECTORS = frozenset({"\ufe0e", "\ufe0f"})
_NAME_EDGES = " .,;:-–—_\"'“”‘’«»()[]!?*"


def tidy_name(text: str, *, person: bool) -> str | None:
    """A name as it is stored: spaces collapsed, symbols (emoji) dropped, capitals put
    right (each word of a person's name, the first letter of a collective's); None when
    nothing with a letter is left."""
    kept = "".join(
        ch
        for ch in normalize(text)
        if unicodedata.category(ch)[0] in _NAME_CATEGORIES and ch not in _VARIATION_SELECTORS
    )
    name = " ".join(kept.split()).strip(_NAME_EDGES)
    if not any(ch.isalpha() for ch in name):
        return None
    if person:
        return " ".join(word[:1].upper() + word[1:].lower() for word in name.split())
    return name[:1].upper() + name[1:]


def words_with_letters(name: str) -> int:
    """How many words of a name have a letter ("Nguyễn Văn 2" -> 2)."""
    return sum(1 for word in name.split() if any(ch.isalpha() for ch in word))


_PHONE_DIGITS = re.compile(r"\d+")


def normalize_phone(text: str) -> str | None:
    """A Vietnamese phone number as +84…, or None when it is not one."""
    raw = text.strip()
    digits = "".join(_PHONE_DIGITS.findall(raw))
    if (raw.startswith("+") and digits.startswith("84")) or (
        digits.startswith("84") and len(digits) in (11, 12)
    ):
        national = "0" + digits[2:]
    else:
        national = digits
    # Mobile numbers have 10 digits (03x, 05x, 07x, 08x, 09x); landlines 11 (02xx).
    if re.fullmatch(r"0[35789]\d{8}", national) or re.fullmatch(r"02\d{9}", national):
        return "+84" + national[1:]
    return None


def display_phone(e164: str) -> str:
    """+84912345678 -> 0912 345 678, the way people write it."""
    national = "0" + e164.removeprefix("+84")
    if len(national) == 10:
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    return f"{national[:4]} {national[4:8]} {national[8:]}"


def phone_forms(e164: str) -> list[str]:
    """The ways a stored number may have been written: +84912345678, 0912 345 678 (with
    plain or no-break spaces, as `keep_whole` sends it), 0912345678 (what an erasure looks
    for)."""
    national = "0" + e164[3:] if e164.startswith("+84") else e164
    shown = display_phone(e164)
    return list(dict.fromkeys([e164, shown, shown.replace(" ", "\u00a0"), national]))


# What must never be cut across two lines: a nomination code (GS-2026-000123) and a phone
# number as people write it (0905 111 222, 0905.111.222, +84 905 111 222).
UNBREAKABLE = re.compile(
    r"\b[A-Z]{2,3}-\d{4}-\d{3,8}\b"
    r"|(?<![\w+])(?:\+84 ?|0)\d{2,3}(?:[ .]\d{3,4}){2}(?!\w)"
)


def unbreakable_parts(text: str) -> list[tuple[str, bool]]:
    """The text in pieces, each saying whether it must stay on one line."""
    parts: list[tuple[str, bool]] = []
    last = 0
    for match in UNBREAKABLE.finditer(text):
        if match.start() > last:
            parts.append((text[last : match.start()], False))
        parts.append((match.group(0), True))
        last = match.end()
    if last < len(text):
        parts.append((text[last:], False))
    return parts


def keep_whole(text: str) -> str:
    """The text with no-break spaces inside phone numbers ("0905 111 222" never wraps).

    For chat apps and pictures, whose line breaking we cannot style. Codes need nothing there:
    line breakers that follow Unicode's rules (Android's, iOS's, the card's) do not break a
    hyphen before a digit."""
    return "".join(
        part.replace(" ", "\u00a0") if whole else part for part, whole in unbreakable_parts(text)
    )


def number(value: int) -> str:
    """1234 -> "1.234", the Vietnamese way."""
    return f"{value:,}".replace(",", ".")


def decimal(value: float) -> str:
    """1.5 -> "1,5", 2.0 -> "2": the decimal comma, no trailing zeros."""
    return f"{value:g}".replace(".", ",")
