"""The message catalog: every text a user can read, in Vietnamese, under a stable key."""

from __future__ import annotations

from collections.abc import Mapping

from handlers.messages import (
    accounts,
    channels,
    common,
    console,
    join,
    link,
    nominate,
    officials,
    review,
    telegram,
    zalo,
)


def _merge(*parts: Mapping[str, str]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for part in parts:
        clash = merged.keys() & part.keys()
        if clash:
            raise RuntimeError(f"catalog keys defined twice: {sorted(clash)}")
        merged.update(part)
    return merged


CATALOG: dict[str, str] = _merge(
    common.TEXTS,
    accounts.TEXTS,
    join.TEXTS,
    nominate.TEXTS,
    channels.TEXTS,
    review.TEXTS,
    link.TEXTS,
    zalo.TEXTS,
    telegram.TEXTS,
    officials.TEXTS,
    console.TEXTS,
)


def t(key: str, **params: object) -> str:
    """The text under `key` with its placeholders filled."""
    return CATALOG[key].format(**params)
