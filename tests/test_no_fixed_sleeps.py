"""Guard: no fixed sleeps and no assertions on elapsed wall-clock time anywhere in tests/.

A test that sleeps to let something happen flakes under load and wastes time when idle; one
that asserts on elapsed time fails on a busy machine. Tests wait for events and conditions
(`Changes` in the fakes, long polls, asyncio conditions) or move the controllable clock, and
speed is measured by `bench/`. The scan reads every module under tests/ as a syntax tree:

- `asyncio.sleep(x)` with x other than a literal 0 (a bare yield to the loop is fine),
  `time.sleep`, `loop.call_later`/`call_at`, `threading.Timer`, and `sleep` imported by name;
- an `assert` that reads a clock (`time.monotonic/perf_counter/time`, `loop.time()`), directly
  or through a name assigned from one in the same function.

Only fakes that simulate a platform's behaviour on purpose may sleep, each listed below with
its reason.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
# (module under tests/, function): why it may sleep.
ALLOWED: dict[tuple[str, str], str] = {
    ("fakes/zalo_base.py", "_serve"): (
        "the fake server's shutdown waits (at most 2 s) for uvicorn to drain its connections; "
        "uvicorn gives no event when a connection closes"
    ),
}
CLOCKS = {("time", "monotonic"), ("time", "perf_counter"), ("time", "time")}


def _dotted(node: ast.expr) -> tuple[str, ...]:
    """`a.b.c` as ("a", "b", "c"); () for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return tuple(reversed(parts))
    return ()


def _reads_clock(node: ast.AST, tainted: set[str]) -> bool:
    """Whether an expression calls a clock or uses a name assigned from one."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call):
            if _dotted(inner.func) in CLOCKS:
                return True
            # loop.time(), asyncio.get_running_loop().time(); not datetime's .time()
            func = inner.func
            if isinstance(func, ast.Attribute) and func.attr == "time" and _is_loop(func.value):
                return True
        if isinstance(inner, ast.Name) and inner.id in tainted:
            return True
    return False


def _is_loop(node: ast.expr) -> bool:
    """An event loop, as tests name or fetch it."""
    if isinstance(node, ast.Call):
        return _dotted(node.func)[-1:] in (("get_running_loop",), ("get_event_loop",))
    name = _dotted(node)
    return bool(name) and name[-1].endswith("loop")


def _is_zero(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value in (0, 0.0) and node.value is not False


class _Scan(ast.NodeVisitor):
    """Collects (function, line, what) for every sleep or wall-clock assertion."""

    def __init__(self) -> None:
        self.found: list[tuple[str, int, str]] = []
        self._functions: list[str] = ["<module>"]
        self._tainted: list[set[str]] = [set()]

    def _add(self, node: ast.AST, what: str) -> None:
        self.found.append((self._functions[-1], getattr(node, "lineno", 0), what))

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._functions.append(node.name)
        self._tainted.append(set())
        self.generic_visit(node)
        self._functions.pop()
        self._tainted.pop()

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module in ("time", "asyncio") and any(a.name == "sleep" for a in node.names):
            self._add(node, f"from {node.module} import sleep")

    def visit_Assign(self, node: ast.Assign) -> None:
        if _reads_clock(node.value, self._tainted[-1]):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self._tainted[-1].add(target.id)
        self.generic_visit(node)

    def visit_Assert(self, node: ast.Assert) -> None:
        if _reads_clock(node.test, self._tainted[-1]):
            self._add(node, "assertion on elapsed wall-clock time")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = _dotted(node.func)
        if name == ("asyncio", "sleep") and not (node.args and _is_zero(node.args[0])):
            self._add(node, "asyncio.sleep with a delay")
        elif name == ("time", "sleep"):
            self._add(node, "time.sleep")
        elif isinstance(node.func, ast.Attribute) and node.func.attr in ("call_later", "call_at"):
            self._add(node, "call_later")
        elif name[-1:] == ("Timer",) and name[:1] in (("threading",), ("Timer",)):
            self._add(node, "threading.Timer")
        self.generic_visit(node)


def scan(source: str) -> list[tuple[str, int, str]]:
    """Every fixed sleep or wall-clock assertion in a module's source."""
    visitor = _Scan()
    visitor.visit(ast.parse(source))
    return visitor.found


def _modules() -> Iterator[Path]:
    yield from sorted(TESTS.rglob("*.py"))


def test_no_test_sleeps_or_times_itself() -> None:
    found = []
    for path in _modules():
        module = path.relative_to(TESTS).as_posix()
        for function, line, what in scan(path.read_text(encoding="utf-8")):
            if (module, function) not in ALLOWED:
                found.append(f"tests/{module}:{line} in {function}: {what}")
    assert found == [], "wait for an event or move the test clock instead:\n" + "\n".join(found)


def test_every_allowance_is_still_needed() -> None:
    for module, function in ALLOWED:
        source = (TESTS / module).read_text(encoding="utf-8")
        assert any(f == function for f, _, _ in scan(source)), (module, function)


@pytest.mark.parametrize(
    "source",
    [
        "import asyncio\nasync def t():\n    await asyncio.sleep(0.05)\n",
        "import asyncio\nasync def t(d):\n    await asyncio.sleep(d)\n",
        "import time\ndef t():\n    time.sleep(1)\n",
        "from time import sleep\n",
        "def t(loop, f):\n    loop.call_later(0.2, f)\n",
        "import asyncio\nasync def t(f):\n    asyncio.get_running_loop().call_later(0.2, f)\n",
        "import threading\ndef t(f):\n    threading.Timer(0.3, f).start()\n",
        "import time\ndef t():\n    started = time.monotonic()\n"
        "    elapsed = time.monotonic() - started\n    assert elapsed < 1\n",
        "import time\ndef t():\n    s = time.perf_counter()\n"
        "    assert time.perf_counter() - s < 1\n",
        "import asyncio\nasync def t():\n    loop = asyncio.get_running_loop()\n"
        "    started = loop.time()\n    assert loop.time() - started < 2\n",
    ],
)
def test_the_scan_finds(source: str) -> None:
    assert scan(source) != []


@pytest.mark.parametrize(
    "source",
    [
        "import asyncio\nasync def t():\n    await asyncio.sleep(0)\n",
        "import asyncio\nasync def t(e):\n    await asyncio.wait_for(e.wait(), 5)\n",
        "import time\ndef t():\n    started = time.monotonic()\n"
        "    print(time.monotonic() - started)\n    assert 1 + 1 == 2\n",
        "async def t(fake):\n    await fake.sleep(3)\n",
        "from datetime import datetime\ndef t():\n    x = datetime.min.time()\n    assert x\n",
    ],
)
def test_the_scan_leaves_alone(source: str) -> None:
    assert scan(source) == []
