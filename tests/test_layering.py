"""ARCHITECTURE.md's import table, enforced by parsing every module's imports."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"bot", "handlers", "storage", "scheduler"}
ALLOWED: dict[str, set[str]] = {
    "handlers": {"handlers", "storage", "pydantic"},
    # greenlet: SQLAlchemy's own asyncio machinery, whose greenlets storage/greenlets.py keeps.
    "storage": {"storage", "pydantic", "sqlalchemy", "asyncpg", "alembic", "greenlet"},
    "scheduler": {"scheduler", "handlers", "storage", "apscheduler", "pydantic"},
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"__future__"}


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_what_the_table_allows(package: str) -> None:
    found = {str(p.relative_to(ROOT)): imports_of(p) - ALLOWED[package] for p in modules(package)}
    assert {path: names for path, names in found.items() if names} == {}


def test_telegram_is_imported_only_by_its_adapter() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for package in OURS
        for p in modules(package)
        if "telegram" in imports_of(p)
        and not (p.parent.name == "channels" and p.name.startswith("telegram"))
    ]
    assert offenders == []


def test_the_checker_sees_violations(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("import telegram\nfrom bot.app import Application\nimport os\n")
    assert imports_of(sample) == {"telegram", "bot"}
