"""One scope check: `handlers.roles.in_scope` is the only place a unit path is compared.

Whether a unit lies in someone's scope decides what they may see and do (a security check).
Written inline it was copied five times, and a copy that compares the wrong way round or
forgets a role is a hole a reader does not find by reading roles.py. So in the conversation
core and the scheduler, `str.startswith` with anything but fixed text is forbidden outside
roles.py: compare unit paths with `in_scope` (or `outermost`). The one other prefix match,
a typed word against option labels, is in text.py and allowed by name.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("handlers", "scheduler")
ALLOWED = {Path("handlers/roles.py"), Path("handlers/text.py")}


def _literal(node: ast.expr) -> bool:
    """Fixed text: a string, a tuple of them, or a module constant (EXPORT_PREFIX)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Name):
        return node.id.isupper()
    return isinstance(node, ast.Tuple) and all(_literal(e) for e in node.elts)


def inline_prefix_checks(source: str) -> list[int]:
    """Lines of `x.startswith(y)` calls whose argument is not literal text."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "startswith"
        and not (node.args and _literal(node.args[0]))
    ]


def test_no_inline_scope_checks() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path.relative_to(ROOT) not in ALLOWED
        for line in inline_prefix_checks(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "compare unit paths with handlers.roles.in_scope"


def test_the_rule_sees_the_copies_it_replaced() -> None:
    copies = [
        "ok = any(event.unit_path.startswith(s) for s in scopes(memberships, Role.OFFICIAL))",
        "ok = any(p.startswith(event.unit_path) for p in paths)",
        "ok = paths[unit_id].startswith(paths[k])",
    ]
    assert [inline_prefix_checks(code) for code in copies] == [[1], [1], [1]]
    assert inline_prefix_checks('ok = text.startswith("/") or token.startswith(("!", "#"))') == []
