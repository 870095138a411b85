"""Every flow's table, against the code of its steps and against the diagram beside it.

A flow declares, per step, where its answer may lead (`Step.to`). mypy checks that an
`accept` returns names of its own flow, and Flow checks when built that every name has a
step. These tests check the rest:

- statically, every step name, END or `finish()` that an `ask` or `accept` can reach (in its
  own body or in the flow functions it calls) is a move its table declares, and every
  declared move is one the code can make;
- the `.mmd` beside each flow draws exactly its table: its states are the steps,
  `a --> b` the declared moves, `[*] --> a` the entry steps, `a --> [*]` the steps that may
  end the flow (`[*] --> [*]` notes a command that answers without starting the flow);
- at run time the engine refuses a move the table does not declare.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

from bot.app import Application
from handlers.draft import Draft
from handlers.flows import engine
from handlers.flows.base import END, Accepts, Answer, AnyFlow, End, Flow, FlowTableError, Step
from handlers.messages import answer as texts
from handlers.registry import FLOWS
from handlers.turn import Turn
from handlers.types import Inbound, InboundKind
from storage.conversations import ConversationState
from storage.rows import Identity

FLOWS_DIR = Path(__file__).resolve().parents[1] / "handlers" / "flows"
ARROW = re.compile(r"^(\[\*\]|\w+)\s*-->\s*(\[\*\]|\w+)\s*(?::.*)?$")
START = "[*]"


def moves_of(function: Callable[..., Any], steps: type[StrEnum]) -> set[StrEnum | End]:
    """Step names, END and finish() calls a step function can reach (statically)."""
    found: set[StrEnum | End] = set()
    seen: set[Callable[..., Any]] = set()

    def visit(fn: Callable[..., Any]) -> None:
        if fn in seen:
            return
        seen.add(fn)
        # A step made by a factory (the officials' scope step): its target is a closure value.
        closure = inspect.getclosurevars(fn).nonlocals
        found.update(v for v in closure.values() if isinstance(v, steps))
        names = vars(sys.modules[fn.__module__])
        for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(fn)))):
            if isinstance(node, ast.Attribute) and node.attr == "finish":
                found.add(END)
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if names.get(node.value.id) is steps:
                    found.add(steps[node.attr])
            elif isinstance(node, ast.Name) and node.id in names:
                value = names[node.id]
                if value is END:
                    found.add(END)
                elif isinstance(value, dict):  # a table of targets (EDITABLE, ASKS_MORE)
                    found.update(v for v in value.values() if isinstance(v, steps))
                elif inspect.isfunction(value) and value.__module__.startswith("handlers."):
                    visit(value)

    visit(function)
    return found


FLOW_NAMES = sorted(FLOWS)


@pytest.mark.parametrize("name", FLOW_NAMES)
def test_the_code_moves_only_where_the_table_says(name: str) -> None:
    flow = FLOWS[name]
    for here, step in flow.table.items():
        reachable = moves_of(step.ask, flow.steps) | moves_of(step.accept, flow.steps)
        assert reachable - step.to == set(), f"{name}.{here} can move undeclared"
        # A step may declare itself as a move without naming it: it stays, gathering answers.
        assert step.to - reachable - {here} == set(), f"{name}.{here} declares moves it lacks"


def read_diagram(text: str) -> tuple[set[str], set[tuple[str, str]]]:
    """(states, transitions) of a mermaid stateDiagram; any other kind of line fails."""
    lines = text.splitlines()
    assert lines[0].strip() == "stateDiagram-v2"
    states: set[str] = set()
    edges: set[tuple[str, str]] = set()
    in_note = False
    for raw in lines[1:]:
        line = raw.strip()
        if in_note:
            in_note = line != "end note"
            continue
        if not line or line.startswith("note "):
            in_note = line.startswith("note ") and ":" not in line
            continue
        match = ARROW.match(line)
        assert match, f"cannot read {line!r}"
        a, b = match.groups()
        states.update({a, b} - {START})
        edges.add((a, b))
    return states, edges


def diagram(flow: AnyFlow) -> tuple[set[str], set[tuple[str, str]]]:
    """(states, transitions) of the diagram beside the flow's module."""
    return read_diagram((FLOWS_DIR / f"{flow.name}.mmd").read_text(encoding="utf-8"))


def table_edges(flow: AnyFlow) -> set[tuple[str, str]]:
    """The table as the diagram should draw it."""
    edges = {(START, str(s)) for s in flow.entry}
    for here, step in flow.table.items():
        edges |= {(str(here), START if t is END else str(t)) for t in step.to}
    return edges


@pytest.mark.parametrize("name", FLOW_NAMES)
def test_the_diagram_draws_the_table(name: str) -> None:
    flow = FLOWS[name]
    states, edges = diagram(flow)
    assert states == {str(s) for s in flow.steps}
    assert edges - {(START, START)} == table_edges(flow)


def test_every_diagram_is_of_a_registered_flow() -> None:
    assert {p.stem for p in FLOWS_DIR.glob("*.mmd")} == set(FLOWS)


def test_the_diagram_reader() -> None:
    text = """stateDiagram-v2
    [*] --> ask: /start
    ask --> ask: again
    note right of ask: a note
    ask --> [*]
    note left of ask
        ask --> nowhere: inside a note, not a transition
    end note
"""
    assert read_diagram(text) == (
        {"ask"},
        {(START, "ask"), ("ask", "ask"), ("ask", START)},
    )
    with pytest.raises(AssertionError, match="cannot read"):
        read_diagram("stateDiagram-v2\n    ask -> done\n")


class _Two(StrEnum):
    A = "a"
    B = "b"


class _Empty(Draft):
    pass


async def _ask(turn: Turn, draft: _Empty) -> None:
    turn.say_text("?")


async def _to_b(turn: Turn, draft: _Empty, answer: Answer) -> _Two:
    return _Two.B


def test_a_table_without_a_step_for_a_name_is_refused() -> None:
    with pytest.raises(FlowTableError):
        Flow("two", _Two, _Empty, {_Two.A}, {_Two.A: Step(_ask, _to_b, {_Two.B})})


async def test_the_engine_refuses_a_move_the_table_lacks(app: Application) -> None:
    # A: may only end; its accept goes to B anyway (mypy allows it: B is a name of the flow).
    flow = Flow(
        "two",
        _Two,
        _Empty,
        {_Two.A},
        {_Two.A: Step(_ask, _to_b, {END}, Accepts.TEXT), _Two.B: Step(_ask, _to_b, {_Two.B})},
    )
    now = datetime(2026, 11, 25, tzinfo=UTC)
    inbound = Inbound(
        channel="web",
        external_id="1",
        sender_id="u",
        chat_id="u",
        kind=InboundKind.TEXT,
        text="b",
        received_at=now,
    )
    identity = Identity(
        id=1,
        channel="web",
        external_id="u",
        person_id=None,
        display_name=None,
        created_at=now,
        last_inbound_at=now,
        unreachable_at=None,
    )
    async with app.db.read() as conn:
        turn = Turn(conn, inbound, identity, None, [], ConversationState(), now, app.config)
        await engine.start(turn, flow, _Two.A, _Empty())
        with pytest.raises(FlowTableError, match="two: a -> b"):
            await engine.handle(turn, flow)


def test_a_flow_is_its_module_its_texts_and_one_registry_line() -> None:
    """The smallest flow, /bosung (answer), shows what adding a flow touches."""
    handlers = FLOWS_DIR.parent
    importers = set()
    for path in handlers.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (
                node.module == "handlers.flows.answer"
                or (node.module == "handlers.flows" and any(a.name == "answer" for a in node.names))
            ):
                importers.add(path.relative_to(handlers).as_posix())
    assert importers == {"registry.py"}
    registry = (handlers / "registry.py").read_text(encoding="utf-8").splitlines()
    [line] = [line for line in registry if "answer." in line]
    assert line.strip().startswith('Command("answer", "bosung", MEMBER, answer.begin, answer.FLOW')
    assert all(key.startswith("answer.") for key in texts.TEXTS)
    other = [p for p in (handlers / "messages").glob("*.py") if p.name != "answer.py"]
    assert not any('"answer.' in p.read_text(encoding="utf-8") for p in other)
