"""Statements every step runs, compiled once and run on SQLite straight through sqlite3.

A step of a conversation runs about ten small statements. Through SQLAlchemy's execution
each costs 15-25 µs of CPU (cache key, parameter processing, result set-up) against 1-2 µs
for sqlite3 itself, and that was half of a step (py-spy, bench/telegram.py). A `Prepared`
statement is compiled once per set of parameter names into plain SQL, with the type
processors of its parameters and columns taken from SQLAlchemy, so values go in and come out
exactly as through SQLAlchemy. Statements this cannot reproduce (expanding IN, Python-side
column defaults) and every engine but SQLite go through SQLAlchemy as usual.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.selectable import Select

Processor = Callable[[Any], Any] | None


class Prepared:
    """A statement built once (module level), whose SQL depends only on its parameter names."""

    def __init__(self, statement: Select[Any] | UpdateBase) -> None:
        self.statement = statement

    def __repr__(self) -> str:
        return f"Prepared({self.statement})"


class Rows:
    """What a prepared statement returned: its rows (attribute access by column) and count."""

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def all(self) -> list[Any]:
        return list(self._rows)

    def first(self) -> Any | None:
        return self._rows[0] if self._rows else None

    def one(self) -> Any:
        if len(self._rows) != 1:
            raise LookupError(f"expected one row, got {len(self._rows)}")
        return self._rows[0]

    def scalar(self) -> Any | None:
        return self._rows[0][0] if self._rows else None


@dataclass(frozen=True)
class Plan:
    """A prepared statement as sqlite3 runs it."""

    sql: str
    # Per placeholder: the parameter's name (None for a value fixed in the statement), that
    # fixed value, and the type's bind processor.
    binds: tuple[tuple[str | None, Any, Processor], ...]
    row: Callable[[Any], Any] | None  # builds a row from processed values; None: no rows
    processors: tuple[Processor, ...]

    def parameters(self, given: Mapping[str, Any]) -> list[Any]:
        values = []
        for name, fixed, process in self.binds:
            value = given[name] if name is not None else fixed
            values.append(process(value) if process is not None else value)
        return values

    def rows(self, fetched: list[tuple[Any, ...]]) -> list[Any]:
        assert self.row is not None
        processors = self.processors
        return [
            self.row([v if p is None else p(v) for p, v in zip(processors, raw, strict=True)])
            for raw in fetched
        ]


def plan_for(prepared: Prepared, names: frozenset[str], dialect: Dialect) -> Plan | None:
    """The plan for these parameter names, or None when SQLAlchemy must run the statement."""
    compiled = prepared.statement.compile(dialect=dialect, column_keys=sorted(names))
    assert isinstance(compiled, SQLCompiler)
    if (
        compiled.positiontup is None
        or compiled.insert_prefetch
        or compiled.update_prefetch
        or compiled.literal_execute_params
        or compiled.post_compile_params
        or any(bind.expanding or bind.callable for bind in compiled.binds.values())
    ):
        return None
    binds: list[tuple[str | None, Any, Processor]] = []
    for name in compiled.positiontup:
        bind = compiled.binds[name]
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if name in names:
            binds.append((name, None, process))
        elif bind.required:
            return None  # a parameter this call does not give: let SQLAlchemy say so
        else:
            binds.append((None, bind.effective_value, process))
    columns = list(getattr(prepared.statement, "exported_columns", ()))
    if not columns:
        return Plan(compiled.string, tuple(binds), None, ())
    keys = [column.key for column in columns]
    row = cast(Any, namedtuple("Row", keys, rename=True))._make
    processors = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
    )
    return Plan(compiled.string, tuple(binds), row, processors)
