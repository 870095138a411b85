"""The message catalog: every text a user can read, in Vietnamese, under a stable key."""

from __future__ import annotations

import pkgutil
from collections.abc import Mapping
from importlib import import_module


def _merge(*parts: Mapping[str, str]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for part in parts:
        clash = merged.keys() & part.keys()
        if clash:
            raise RuntimeError(f"catalog keys defined twice: {sorted(clash)}")
        merged.update(part)
    return merged


# Every module of this package holds the TEXTS of one feature: a new feature's texts are a
# new module here, with nothing to register.
CATALOG: dict[str, str] = _merge(
    *(import_module(f"{__name__}.{m.name}").TEXTS for m in pkgutil.iter_modules(__path__))
)


def t(key: str, **params: object) -> str:
    """The text under `key` with its placeholders filled."""
    return CATALOG[key].format(**params)
