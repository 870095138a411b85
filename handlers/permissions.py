"""Who may do what, where, and to a nomination in which status: the one authorisation rule.

The chat and the web console both ask `authorise` before they act (and again inside the
transaction that acts), so a person has the same rights whichever way they come in. A rule is
a role (held in a unit, covering its whole subtree) and, for nominations, the statuses the
action applies to. For a nomination the unit is the level that decides it now (its deciding
unit) for review actions, and the unit it was submitted in for merely looking at it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from handlers.roles import Role, in_scope, scopes
from storage.reviews import WAITING
from storage.rows import Membership


class Action(StrEnum):
    """Everything the chat or the console lets a person do beyond their own nominations."""

    # A nomination, at its deciding unit.
    OPEN = "open"  # open it for review (the chat's card, the console's actions)
    APPROVE = "approve"
    ASK = "ask"
    REJECT = "reject"
    FORWARD = "forward"
    SCORE = "score"
    MERGE = "merge"
    COMMEND = "commend"  # record the commendation decided for an approved nomination
    # A nomination at the unit it was submitted in, or a unit: read-only views.
    VIEW = "view"  # the queue table, a card, the unit tree, figures, criteria
    EXPORT_PERSONAL = "export_personal"  # names' birth years, phones, reporters in files
    # A unit.
    CAMPAIGN = "campaign"  # open, extend and close calls for nominations
    BROADCAST = "broadcast"
    DOSSIER = "dossier"  # the commendation proposal sent upward
    INVITE_MEMBERS = "invite_members"  # invites for the member role
    MANAGE_PEOPLE = "manage_people"  # invites for higher roles, role changes, deactivation
    EDIT_CRITERIA = "edit_criteria"
    AUDIT = "audit"  # read the audit log


@dataclass(frozen=True)
class Rule:
    """The least role an action needs, and the nomination statuses it applies to."""

    role: Role
    statuses: frozenset[str] | None = None


_DECIDING = frozenset(WAITING)
RULES: dict[Action, Rule] = {
    Action.OPEN: Rule(Role.REVIEWER),
    Action.APPROVE: Rule(Role.REVIEWER, _DECIDING),
    Action.ASK: Rule(Role.REVIEWER, _DECIDING),
    Action.REJECT: Rule(Role.REVIEWER, _DECIDING),
    Action.FORWARD: Rule(Role.REVIEWER, _DECIDING),
    Action.SCORE: Rule(Role.REVIEWER, _DECIDING),
    Action.MERGE: Rule(Role.REVIEWER, _DECIDING),
    Action.COMMEND: Rule(Role.REVIEWER, frozenset({"approved"})),
    Action.VIEW: Rule(Role.REVIEWER),
    Action.EXPORT_PERSONAL: Rule(Role.OFFICIAL),
    Action.CAMPAIGN: Rule(Role.OFFICIAL),
    Action.BROADCAST: Rule(Role.OFFICIAL),
    Action.DOSSIER: Rule(Role.OFFICIAL),
    Action.INVITE_MEMBERS: Rule(Role.OFFICIAL),
    Action.MANAGE_PEOPLE: Rule(Role.ADMIN),
    Action.EDIT_CRITERIA: Rule(Role.ADMIN),
    Action.AUDIT: Rule(Role.ADMIN),
}
# The review decisions, by the name the chat's buttons and the console's forms use.
DECISIONS = (Action.APPROVE, Action.ASK, Action.REJECT, Action.FORWARD)


class Verdict(StrEnum):
    """The answer: allowed, or why not (each has its own message)."""

    OK = "ok"
    NOT_JOINED = "not_joined"  # no role anywhere
    NO_ROLE = "no_role"  # roles, but none high enough for this action anywhere
    OUT_OF_SCOPE = "out_of_scope"  # the role, but not over this unit
    WRONG_STATUS = "wrong_status"  # the nomination is not in a status the action applies to

    def __bool__(self) -> bool:
        return self is Verdict.OK


def authorise(
    memberships: Sequence[Membership],
    action: Action,
    unit_path: str | None = None,
    status: str | None = None,
) -> Verdict:
    """Whether someone with these roles may do `action` at this unit (None: anywhere they
    hold the role) to something in this status (None: not a nomination)."""
    if not memberships:
        return Verdict.NOT_JOINED
    rule = RULES[action]
    where = scopes(memberships, rule.role)
    if not where:
        return Verdict.NO_ROLE
    if unit_path is not None and not in_scope(unit_path, where):
        return Verdict.OUT_OF_SCOPE
    if status is not None and rule.statuses is not None and status not in rule.statuses:
        return Verdict.WRONG_STATUS
    return Verdict.OK


def scope_of(memberships: Sequence[Membership], action: Action) -> list[str]:
    """The unit paths where `action` is allowed (each covers its subtree)."""
    return scopes(memberships, RULES[action].role)


def may_grant(memberships: Sequence[Membership], role: Role, unit_path: str) -> Verdict:
    """Whether someone may hand out `role` in a unit (an invite, or a role change): officials
    invite members; higher roles need an admin over that unit."""
    action = Action.INVITE_MEMBERS if role is Role.MEMBER else Action.MANAGE_PEOPLE
    return authorise(memberships, action, unit_path)

