"""The reviewers' daily digest: what is new, what came back answered, what waits past its SLA.

Composition is set-based: a handful of whole-tree queries (waiting counts per deciding unit,
the oldest overdue few per unit, everything that entered a queue since the oldest watermark),
rolled up the unit tree once in memory; then each reviewer reads the totals of their scope
units. No query runs per reviewer, so 1,000 reviewers cost about what one does.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from handlers.config import CoreConfig
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.roles import outermost
from handlers.turn import Turn
from storage import digests
from storage.db import Connection
from storage.digests import WaitingItem

# How many codes each part of a digest lists before "… and N more".
SHOWN = 10
# With no watermark yet, "new" means the last day.
FIRST_WINDOW = timedelta(days=1)
# A watermark older than this is clamped, so one forgotten reviewer cannot make the
# "recent" query read the whole table.
LONGEST_WINDOW = timedelta(days=30)


@dataclass
class Digest:
    """One reviewer's digest, before it is put into words."""

    person_id: int
    waiting: int = 0
    overdue: int = 0
    overdue_codes: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)

    @property
    def worth_sending(self) -> bool:
        """Whether anything waits in the reviewer's scope."""
        return self.waiting > 0


@dataclass
class _Subtree:
    waiting: int = 0
    overdue: int = 0
    # (updated_at, id, code) of the longest-waiting overdue nominations
    oldest: list[tuple[datetime, int, str]] = field(default_factory=list)


def _minimal_scopes(unit_ids: Iterable[int], paths: dict[int, str]) -> list[int]:
    """Drop scopes nested inside another of the same person's scopes (no double counting)."""
    by_path = {paths[u]: u for u in sorted(set(unit_ids), key=lambda u: len(paths[u]))}
    return [by_path[path] for path in outermost(by_path)]


async def compose(
    conn: Connection,
    now: datetime,
    config: CoreConfig,
    only: Sequence[int] | None = None,
) -> list[Digest]:
    """Every reviewer's digest (or only these people's), as of `now`."""
    cutoff = now - timedelta(days=config.review_sla_days)
    tree = await digests.unit_tree(conn)
    paths = {u.id: u.path for u in tree}
    scopes: dict[int, list[int]] = {}
    for scope in await digests.reviewer_scopes(conn):
        if only is None or scope.person_id in only:
            scopes.setdefault(scope.person_id, []).append(scope.unit_id)
    if not scopes:
        return []
    subtree = await _roll_up(conn, tree, cutoff)
    marks = await digests.marks(conn)
    since = {p: max(marks.get(p, now - FIRST_WINDOW), now - LONGEST_WINDOW) for p in scopes}
    scope_units = {u for units in scopes.values() for u in units}
    recent_by_scope = _recent_by_scope(
        await digests.waiting_since(conn, min(since.values())), paths, scope_units
    )
    result = []
    for person_id in sorted(scopes):
        digest = Digest(person_id=person_id)
        oldest: list[tuple[datetime, int, str]] = []
        recent: list[WaitingItem] = []
        for unit_id in _minimal_scopes(scopes[person_id], paths):
            totals = subtree.get(unit_id)
            if totals is not None:
                digest.waiting += totals.waiting
                digest.overdue += totals.overdue
                oldest.extend(totals.oldest)
            recent.extend(recent_by_scope.get(unit_id, ()))
        digest.overdue_codes = [code for _, _, code in heapq.nsmallest(SHOWN, oldest)]
        for item in sorted(recent, key=lambda i: (i.updated_at, i.id)):
            if item.updated_at <= since[person_id] or item.updated_at <= cutoff:
                continue
            (digest.answered if item.status == "answered" else digest.new).append(item.code)
        result.append(digest)
    return result


async def _roll_up(
    conn: Connection, tree: Sequence[digests.UnitNode], cutoff: datetime
) -> dict[int, _Subtree]:
    """Totals per unit over its whole subtree, children added into parents deepest first."""
    totals: dict[int, _Subtree] = {}
    for row in await digests.waiting_by_unit(conn, cutoff):
        totals[row.unit_id] = _Subtree(waiting=row.waiting, overdue=int(row.overdue or 0))
    for item in await digests.oldest_overdue_by_unit(conn, cutoff, SHOWN):
        totals.setdefault(item.unit_id, _Subtree()).oldest.append(
            (item.updated_at, item.id, item.code)
        )
    parent = {u.id: u.parent_id for u in tree}
    for unit in sorted(tree, key=lambda u: -len(u.path)):
        own = totals.get(unit.id)
        up = parent[unit.id]
        if own is None or up is None:
            continue
        above = totals.setdefault(up, _Subtree())
        above.waiting += own.waiting
        above.overdue += own.overdue
        above.oldest = heapq.nsmallest(SHOWN, above.oldest + own.oldest)
    return totals


def _recent_by_scope(
    items: Sequence[WaitingItem], paths: dict[int, str], scope_units: set[int]
) -> dict[int, list[WaitingItem]]:
    """Recent items filed under every reviewer scope unit that contains them."""
    filed: dict[int, list[WaitingItem]] = {}
    for item in items:
        path = paths.get(item.unit_id, "")
        for part in path.strip("/").split("/"):
            if part and int(part) in scope_units:
                filed.setdefault(int(part), []).append(item)
    return filed


def _codes(codes: Sequence[str]) -> str:
    shown = ", ".join(codes[:SHOWN])
    if len(codes) > SHOWN:
        shown += " " + t("digest.more", more=len(codes) - SHOWN)
    return shown


def render(digest: Digest, now: datetime, config: CoreConfig) -> str:
    """The digest in words, with the way to start reviewing."""
    local = now.astimezone(config.timezone)
    lines = [t("digest.header", date=local.strftime("%d/%m/%Y"), waiting=digest.waiting)]
    if digest.new:
        lines.append(t("digest.new", count=len(digest.new), codes=_codes(digest.new)))
    if digest.answered:
        lines.append(
            t("digest.answered", count=len(digest.answered), codes=_codes(digest.answered))
        )
    if digest.overdue:
        codes = ", ".join(digest.overdue_codes)
        if digest.overdue > len(digest.overdue_codes):
            codes += " " + t("digest.more", more=digest.overdue - len(digest.overdue_codes))
        lines.append(
            t("digest.overdue", count=digest.overdue, days=config.review_sla_days, codes=codes)
        )
    if not (digest.new or digest.answered or digest.overdue):
        lines.append(t("digest.nothing_new"))
    lines.append(t("digest.start"))
    return "\n\n".join(lines)


async def show(turn: Turn) -> None:
    """/digest (/tonghop): today's digest now, without moving the watermark."""
    assert turn.person is not None
    found = await compose(turn.conn, turn.now, turn.config, only=[turn.person.id])
    if not found or not found[0].worth_sending:
        show_main_menu(turn, "digest.empty")
        return
    turn.say_text(render(found[0], turn.now, turn.config))
