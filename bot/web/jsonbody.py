"""Reading JSON bodies from the network: a bad body is None (a 400), never an exception."""

from __future__ import annotations

import json
from typing import Any

# Real updates nest a few levels; a body nested deeper is refused (no recursion on it later).
MAX_DEPTH = 32


def depth(value: Any) -> int:
    """How deeply containers nest in a parsed JSON value (iteratively: no recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def parse_object(body: bytes, **options: Any) -> dict[str, Any] | None:
    """The JSON object in a body, or None: not JSON, not an object, or nested too deeply.

    json.loads raises RecursionError (not ValueError) on a body of a thousand nested
    brackets; that was a 500 with a traceback per request.
    """
    try:
        value = json.loads(body, **options)
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None
    if not isinstance(value, dict) or depth(value) > MAX_DEPTH:
        return None
    return value
