"""Whether a conversation is at a step that takes files (the web chat stores uploads only then)."""

from __future__ import annotations

from handlers.flows.base import Accepts
from handlers.registry import FLOWS
from storage.conversations import ConversationState


def takes_files(state: ConversationState) -> bool:
    """Whether the current step accepts photos, documents, voice or video."""
    flow = FLOWS.get(state.flow or "")
    step = next((s for name, s in flow.table.items() if name == state.step), None) if flow else None
    return step is not None and Accepts.MEDIA in step.accepts
