"""Record the drafts a version saves while its test suite runs (for the next migration test).

    RECORD_DRAFTS=drafts.json .venv/bin/python -m pytest -p tests.support.record_drafts

Every state the runner saves with a flow running is kept once per shape (flow, step, keys
and value types, steps in the /back history), with the test that saved it. This is how
drafts_before_typing.json was made, on commit 9b1d368, with the runner's save_state wrapped
the same way (that version had no plugin, so the same lines ran from a scratch directory).
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any

import pytest

import handlers.runner
from storage.conversations import ConversationState, save_state
from storage.db import Connection

_SHAPES: dict[str, dict[str, Any]] = {}
_CURRENT = {"test": ""}


def _types(value: Any) -> Any:
    if isinstance(value, list):
        return sorted({json.dumps(_types(v)) for v in value})
    if isinstance(value, dict):
        return {k: _types(v) for k, v in sorted(value.items())}
    return type(value).__name__


async def _recording_save(
    conn: Connection, identity_id: int, state: ConversationState, now: datetime
) -> None:
    if state.flow is not None:
        data = json.loads(json.dumps(state.data))
        shape = json.dumps([state.flow, state.step, _types(data), sorted(set(state.history))])
        _SHAPES.setdefault(
            shape,
            {
                "source": _CURRENT["test"],
                "flow": state.flow,
                "step": state.step,
                "history": list(state.history),
                "data": data,
            },
        )
    await save_state(conn, identity_id, state, now)


def pytest_configure(config: pytest.Config) -> None:
    """Wrap the runner's save for the whole session."""
    handlers.runner.save_state = _recording_save  # type: ignore[attr-defined]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    """Note which test is saving."""
    _CURRENT["test"] = item.nodeid
    return (yield)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the shapes, by flow and step."""
    records = sorted(_SHAPES.values(), key=lambda r: (r["flow"], r["step"]))
    with open(os.environ["RECORD_DRAFTS"], "w", encoding="utf-8") as out:
        json.dump(records, out, ensure_ascii=False, indent=1)
