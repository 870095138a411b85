"""Drafts as the version before typed drafts saved them, for the migration tests.

`drafts_before_typing.json` holds the conversation states that version saved while its own
test suite ran (commit 9b1d368; every flow and step; one sample per shape of data; the
accounts and devices flows from a08c8c8, where they arrived; the mydata, erase and nominee
flows, the nominate flow's guardian and paper steps and the publish flow's consent step from
issue 12's branch, where they arrived, with a draft of each step of the flows whose drafts
grew there), recorded by wrapping the runner's `save_state`. `as_before` turns a draft
saved today back into the names that version used, so the conversation tests of
OLD_SHAPE_MODULES run twice: as today, and with every draft stored under the old names
between two messages.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import handlers.runner
from handlers.registry import FLOWS
from storage.conversations import ConversationState, state_write
from storage.db import Connection
from storage.sql import Write

CORPUS = Path(__file__).with_name("drafts_before_typing.json")
OLD_SHAPE_MODULES = {
    "test_nominate_flow",
    "test_review_flow",
    "test_review_decisions",
    "test_review_criteria",
    "test_campaign_flow",
    "test_event_flow",
    "test_publish_flow",
    "test_broadcast_flow",
}


# What drafts gained after the record was made: steps no old draft can be at, and fields
# with defaults that no old draft holds (issue 14: a review decision confirmed on a summary
# and undoable; an answer started by a reply). Old drafts load without them.
# A new flow (/mautin, issue 15) is all added: no draft of it exists from before.
ADDED_STEPS = {("review", "confirm"), ("template_phone", "explain"), ("template_phone", "phone")}
ADDED_FIELDS = {
    "review": {"action", "note", "target_id", "undo_id", "undo_until", "undo_label"},
    "answer": {"replying"},
    "template_phone": {"kept"},
}


def saved_before() -> list[dict[str, Any]]:
    """The recorded states: {source, flow, step, history, data}."""
    records: list[dict[str, Any]] = json.loads(CORPUS.read_text(encoding="utf-8"))
    return records


def as_before(flow: str, data: dict[str, Any]) -> dict[str, Any]:
    """Today's draft of a flow under the keys the previous version wrote."""
    old_name = {new: old for old, new in FLOWS[flow].draft.RENAMED.items()}
    return {old_name.get(key, key): value for key, value in data.items()}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run the conversation tests of OLD_SHAPE_MODULES with both shapes of drafts."""
    if metafunc.module.__name__.rpartition(".")[2] in OLD_SHAPE_MODULES:
        metafunc.parametrize("draft_shape", ["today", "before"], indirect=True)


@pytest.fixture(autouse=True)
def draft_shape(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """With "before", every draft is saved under the previous version's keys."""
    shape: str = getattr(request, "param", "today")
    if shape == "before":

        def save_as_before(
            conn: Connection, identity_id: int, state: ConversationState, now: datetime
        ) -> Write:
            if state.flow is not None:
                state = state.model_copy(update={"data": as_before(state.flow, state.data)})
            return state_write(conn, identity_id, state, now)

        monkeypatch.setattr(handlers.runner, "state_write", save_as_before)
    return shape
