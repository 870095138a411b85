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
