"""/stats: a scope's figures for a period, with charts; the period and scope rules that
/export shares."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from handlers.localtime import end_of_day, parse_date
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.officials.figures import charts, collect, figures_text
from handlers.roles import RANK, Role, outermost
from handlers.text import fold
from handlers.turn import Turn
from storage.rows import Membership
from storage.units import get_unit

DEFAULT_DAYS = 30


def top_scopes(memberships: list[Membership], role: Role) -> list[Membership]:
    """Memberships of at least `role`, without those inside another one's scope."""
    held: dict[str, Membership] = {}
    for m in memberships:
        if RANK.get(Role(m.role), 0) >= RANK[role]:
            held.setdefault(m.unit_path, m)
    return [held[path] for path in outermost(held)]


def parse_period(args: str, now: datetime, turn: Turn) -> tuple[date, date] | None:
    """First and last local day of the period the arguments name (default: 30 days)."""
    today = now.astimezone(turn.config.timezone).date()
    text = fold(args)
    if not text:
        return today - timedelta(days=DEFAULT_DAYS - 1), today
    if text.isdigit() and 1 <= int(text) <= 3660:
        return today - timedelta(days=int(text) - 1), today
    if text in ("nam", "nam nay"):
        return date(today.year, 1, 1), today
    if text in ("thang", "thang nay"):
        return today.replace(day=1), today
    parts = [p for p in args.replace("đến", "-").split("-") if p.strip()]
    if len(parts) == 2:
        first, last = parse_date(parts[0]), parse_date(parts[1])
        if first and last and first <= last:
            return first, last
    return None


def bounds(first: date, last: date, turn: Turn) -> tuple[datetime, datetime]:
    """The UTC moments a period of local days begins and ends."""
    start = datetime.combine(first, time(0), tzinfo=turn.config.timezone).astimezone(UTC)
    return start, end_of_day(last, turn.config)


async def stats(turn: Turn) -> None:
    """Figures of each of the sender's scopes for the period, with a chart."""
    period = parse_period(turn.args, turn.now, turn)
    if period is None:
        show_main_menu(turn, "officials.stats.usage")
        return
    since, until = bounds(*period, turn)
    for membership in top_scopes(turn.memberships, Role.REVIEWER):
        unit = await get_unit(turn.conn, membership.unit_id)
        assert unit is not None
        figures = await collect(turn.conn, unit, since=since, until=until)
        heading = t(
            "officials.stats.heading",
            unit=unit.name,
            first=period[0].strftime("%d/%m/%Y"),
            last=period[1].strftime("%d/%m/%Y"),
        )
        media = await charts(turn.config, figures, heading)
        turn.say_text(figures_text(figures, heading), media=media)
    show_main_menu(turn)
