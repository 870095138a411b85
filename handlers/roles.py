"""Roles and scope: who may do what, and where."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from storage.rows import Membership


class Role(StrEnum):
    """Roles are held in a unit; a higher role includes what the lower ones may do."""

    MEMBER = "member"
    REVIEWER = "reviewer"
    OFFICIAL = "official"
    ADMIN = "admin"


RANK = {Role.MEMBER: 1, Role.REVIEWER: 2, Role.OFFICIAL: 3, Role.ADMIN: 4}


def has_role(memberships: Sequence[Membership], role: Role) -> bool:
    """Whether any membership is at least this role."""
    return any(RANK.get(Role(m.role), 0) >= RANK[role] for m in memberships)


def scopes(memberships: Sequence[Membership], role: Role) -> list[str]:
    """Unit paths where the person holds at least this role (each covers its subtree)."""
    return [m.unit_path for m in memberships if RANK.get(Role(m.role), 0) >= RANK[role]]


def in_scope(unit_path: str, scope_paths: Iterable[str]) -> bool:
    """Whether a unit lies in one of the scopes: a scope is a unit and every unit below it.

    The one place the rule is written (tests/test_scope_checks.py forbids copies): paths are
    "/1/4/9/", so a scope's path is a prefix of the path of every unit inside it.
    """
    return any(unit_path.startswith(scope) for scope in scope_paths)


def outermost(paths: Iterable[str]) -> list[str]:
    """The paths not inside another one of them, each once, in their first order.

    A role held in a unit and in a unit below it covers the lower one twice: counting,
    summarising or exporting per scope uses these only."""
    unique = list(dict.fromkeys(paths))
    return [p for p in unique if not in_scope(p, (q for q in unique if q != p))]
