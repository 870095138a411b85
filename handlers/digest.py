"""The reviewers' daily digest: what is new, what waits past its SLA, what came back answered.

Composition is set-based: a handful of whole-tree queries (waiting counts per deciding unit,
the oldest overdue few per unit, everything that entered a queue since the oldest watermark),
rolled up the unit tree once in memory; then each reviewer reads the totals of their scope
units, and one query fetches what the listed lines say. No query runs per reviewer, so 1,000
reviewers cost about what one does.

A digest lists one line per nomination (code, nominee, field, unit, days waiting), numbered
across the whole digest; each number is also a "Duyệt ngay" choice, so a tap, or the number
typed on Zalo, opens that nomination. Long digests are split into messages between groups.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from handlers.config import CoreConfig
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.roles import outermost
from handlers.turn import Option, Turn
from storage import digests
from storage.db import Connection
from storage.digests import DigestLine, WaitingItem

# Lines a digest lists in all (shared fairly between its groups) before "… and N more".
SHOWN = 15
# Characters of one message: under Zalo's 2,000 with room for the "answer with a number" hint.
PART_CHARS = 1800
# A nominee's or a unit's name is cut to this in a line, so that one line stays one line.
NAME_CHARS = 40
# With no watermark yet, "new" means the last day.
FIRST_WINDOW = timedelta(days=1)
# A watermark older than this is clamped, so one forgotten reviewer cannot make the
# "recent" query read the whole table.
LONGEST_WINDOW = timedelta(days=30)
# The action of a line's button: "!review.<nomination id>" (handlers/officials/actions.py).
ACTION = "!review"

# (since when it waits, nomination id): ordered oldest first.
Waiting = tuple[datetime, int]
# A message's lines, each with the choice that opens its nomination (None: not a nomination).
Block = list[tuple[str, Option | None]]


@dataclass
class Digest:
    """One reviewer's digest, before it is put into words."""

    person_id: int
    waiting: int = 0
    overdue: int = 0
    # The longest-waiting overdue nominations (at most SHOWN of the `overdue`).
    oldest: list[Waiting] = field(default_factory=list)
    new: list[Waiting] = field(default_factory=list)
    answered: list[Waiting] = field(default_factory=list)

    @property
    def worth_sending(self) -> bool:
        """Whether anything waits in the reviewer's scope."""
        return self.waiting > 0

    def groups(self) -> list[tuple[str, list[Waiting], int]]:
        """(name, the nominations it may list, how many it has) in the order they are read."""
        return [
            ("new", self.new, len(self.new)),
            ("overdue", self.oldest, self.overdue),
            ("answered", self.answered, len(self.answered)),
        ]

    @cached_property
    def shown(self) -> dict[str, list[Waiting]]:
        """What each group lists: SHOWN lines in all, dealt one at a time to each group in
        turn (whole rounds at once; the lines left over go to the first groups)."""
        groups = self.groups()
        given = [0] * len(groups)
        budget = SHOWN
        active = [n for n, (_, items, _) in enumerate(groups) if items]
        while budget and active:
            share = budget // len(active)
            if share == 0:
                for n in active[:budget]:
                    given[n] += 1
                break
            for n in active:
                take = min(share, len(groups[n][1]) - given[n])
                given[n] += take
                budget -= take
            active = [n for n in active if given[n] < len(groups[n][1])]
        return {name: items[:g] for g, (name, items, _) in zip(given, groups, strict=True)}


@dataclass
class _Subtree:
    waiting: int = 0
    overdue: int = 0
    oldest: list[Waiting] = field(default_factory=list)


@dataclass(frozen=True)
class Part:
    """One message of a digest and the choices of the lines it holds."""

    text: str
    options: list[Option]


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
        oldest: list[Waiting] = []
        recent: list[WaitingItem] = []
        for unit_id in _minimal_scopes(scopes[person_id], paths):
            totals = subtree.get(unit_id)
            if totals is not None:
                digest.waiting += totals.waiting
                digest.overdue += totals.overdue
                oldest.extend(totals.oldest)
            recent.extend(recent_by_scope.get(unit_id, ()))
        digest.oldest = heapq.nsmallest(SHOWN, oldest)
        for item in sorted(recent, key=lambda i: (i.updated_at, i.id)):
            if item.updated_at <= since[person_id] or item.updated_at <= cutoff:
                continue
            group = digest.answered if item.status == "answered" else digest.new
            group.append((item.updated_at, item.id))
        result.append(digest)
    return result


async def lines_for(conn: Connection, found: Sequence[Digest]) -> dict[int, DigestLine]:
    """What the lines these digests list say, fetched once for all of them."""
    ids = {i for d in found for items in d.shown.values() for _, i in items}
    return await digests.digest_lines(conn, list(ids))


async def _roll_up(
    conn: Connection, tree: Sequence[digests.UnitNode], cutoff: datetime
) -> dict[int, _Subtree]:
    """Totals per unit over its whole subtree, children added into parents deepest first."""
    totals: dict[int, _Subtree] = {}
    for row in await digests.waiting_by_unit(conn, cutoff):
        totals[row.unit_id] = _Subtree(waiting=row.waiting, overdue=int(row.overdue or 0))
    for item in await digests.oldest_overdue_by_unit(conn, cutoff, SHOWN):
        totals.setdefault(item.unit_id, _Subtree()).oldest.append((item.updated_at, item.id))
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


def _short(text: str) -> str:
    return text if len(text) <= NAME_CHARS else text[: NAME_CHARS - 1].rstrip() + "…"


def _waited(since: datetime, now: datetime, config: CoreConfig) -> str:
    """How long a nomination has waited, in local days, marked once past the SLA."""
    days = (now.astimezone(config.timezone).date() - since.astimezone(config.timezone).date()).days
    text = t("digest.waited", days=days) if days > 0 else t("digest.waited_today")
    if now - since >= timedelta(days=config.review_sla_days):
        text += " " + t("digest.past_sla")
    return text


def _group_lines(
    group: str,
    shown: list[Waiting],
    total: int,
    lines: dict[int, DigestLine],
    first: int,
    now: datetime,
    config: CoreConfig,
) -> Block:
    """A group's heading, one numbered line (with its choice) per nomination, and the rest."""
    params = {"days": config.review_sla_days} if group == "overdue" else {}
    out: Block = [(t(f"digest.{group}", count=total, **params), None)]
    n = first
    for since, nomination_id in shown:
        line = lines.get(nomination_id)
        if line is None:  # decided and gone between the two queries
            continue
        text = t(
            "digest.line",
            n=n,
            code=line.code,
            name=_short(line.nominee_name),
            field=t(f"nominate.field.{line.field}"),
            unit=_short(line.unit_name),
            waited=_waited(since, now, config),
        )
        label = t("digest.choice", n=n, name=_short(line.nominee_name))
        out.append((text, Option(f"{ACTION}.{nomination_id}", label_text=label)))
        n += 1
    if total > n - first:
        out.append((t("digest.more", more=total - (n - first)), None))
    return out


def _pack(blocks: list[Block]) -> list[Part]:
    """Messages of at most PART_CHARS, cut between blocks (groups), or between lines of a
    block that does not fit in one message by itself."""
    parts: list[Part] = []
    text: list[str] = []
    options: list[Option] = []
    used = 0  # characters of `text` joined by newlines, plus one

    def flush() -> None:
        nonlocal used
        if text:
            parts.append(Part("\n".join(text).strip(), list(options)))
            text.clear()
            options.clear()
            used = 0

    for block in blocks:
        if text and used + sum(len(x) + 1 for x, _ in block) > PART_CHARS:
            flush()
        if text:
            text.append("")
            used += 1
        for line, option in block:
            if text and used + len(line) + 1 > PART_CHARS:
                flush()
            text.append(line)
            used += len(line) + 1
            if option is not None:
                options.append(option)
    flush()
    return parts


def render(
    digest: Digest, lines: dict[int, DigestLine], now: datetime, config: CoreConfig
) -> list[Part]:
    """The digest in words: a header, its groups' numbered lines, how to open one."""
    local = now.astimezone(config.timezone)
    blocks: list[Block] = []
    shown = digest.shown
    number = 1
    for group, _, total in digest.groups():
        if total:
            block = _group_lines(group, shown[group], total, lines, number, now, config)
            number += sum(1 for _, option in block if option is not None)
            blocks.append(block)
    if number == 1:
        blocks.append([(t("digest.nothing_new"), None)])
    footer: Block = [(t("digest.open") if number > 1 else t("digest.start"), None)]
    if number > 1 and digest.waiting > number - 1:
        footer.append((t("digest.see_all", waiting=digest.waiting), None))
    blocks.append(footer)
    # The header opens the first group's message rather than being a message of its own.
    header = t("digest.header", date=local.strftime("%d/%m/%Y"), waiting=digest.waiting)
    blocks[0] = [(header, None), ("", None), *blocks[0]]
    return _pack(blocks)


async def show(turn: Turn) -> None:
    """/digest (/tonghop): today's digest now, without moving the watermark."""
    assert turn.person is not None
    found = await compose(turn.conn, turn.now, turn.config, only=[turn.person.id])
    if not found or not found[0].worth_sending:
        show_main_menu(turn, "digest.empty")
        return
    parts = render(found[0], await lines_for(turn.conn, found), turn.now, turn.config)
    turn.say_listed([(p.text, p.options) for p in parts])
