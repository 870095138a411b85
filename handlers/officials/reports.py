"""/stats and /export: a scope's figures for a period, and its nominations as a spreadsheet."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from handlers.localtime import end_of_day, parse_date
from handlers.menu import show_main_menu
from handlers.messages import t
from handlers.officials.figures import chart, collect, figures_text
from handlers.ports import Cell, Sheet
from handlers.roles import RANK, Role, outermost
from handlers.text import fold, number
from handlers.turn import Turn
from handlers.types import LOCAL_FILES, Attachment
from storage import audit
from storage.reports import NominationLine, nominations_in_scope
from storage.rows import Membership, Unit
from storage.units import get_unit

DEFAULT_DAYS = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def _bounds(first: date, last: date, turn: Turn) -> tuple[datetime, datetime]:
    start = datetime.combine(first, time(0), tzinfo=turn.config.timezone).astimezone(UTC)
    return start, end_of_day(last, turn.config)


async def stats(turn: Turn) -> None:
    """Figures of each of the sender's scopes for the period, with a chart."""
    period = parse_period(turn.args, turn.now, turn)
    if period is None:
        show_main_menu(turn, "officials.stats.usage")
        return
    since, until = _bounds(*period, turn)
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
        media = await chart(
            turn.config, figures, t("officials.chart.by_unit"), turn.inbound.channel
        )
        turn.say_text(figures_text(figures, heading), media=media)
    show_main_menu(turn)


def _headers(personal: bool) -> list[str]:
    keys = ["code", "submitted", "unit", "campaign", "kind", "name"]
    keys += ["birth_year"] if personal else []
    keys += ["place", "field", "achievement", "status", "consent"]
    keys += ["phone", "reporter"] if personal else []
    keys += ["updated"]
    return [t(f"officials.export.col.{k}") for k in keys]


def _row(line: NominationLine, personal: bool, turn: Turn) -> list[Cell]:
    tz = turn.config.timezone
    row: list[Cell] = [
        line.code,
        line.submitted_at.astimezone(tz),
        line.unit_name,
        line.campaign_title or "",
        t(f"nominate.kind.{line.kind}"),
        line.nominee_name,
    ]
    if personal:
        row.append(line.birth_year)
    row += [
        line.place,
        t(f"nominate.field.{line.field}"),
        line.achievement,
        t(f"status.{line.status}"),
        t("nominate.consent.yes" if line.consent_public else "nominate.consent.no"),
    ]
    if personal:
        row += [line.contact_phone or "", line.reporter_name]
    row.append(line.updated_at.astimezone(tz))
    return row


def sheets_for(lines: list[NominationLine], personal: bool, turn: Turn) -> list[Sheet]:
    """One filterable table of everything, then one sheet per status."""
    headers = _headers(personal)
    sheets = [
        Sheet(t("officials.export.sheet_all"), headers, [_row(x, personal, turn) for x in lines])
    ]
    for status in sorted({x.status for x in lines}):
        rows = [_row(x, personal, turn) for x in lines if x.status == status]
        sheets.append(Sheet(t(f"status.{status}"), headers, rows))
    return sheets


async def export(turn: Turn) -> None:
    """The scope's nominations as an .xlsx sent into the chat; personal data columns only
    for officials and admins of the scope."""
    assert turn.person is not None
    if turn.config.documents is None:
        show_main_menu(turn, "officials.export.unavailable")
        return
    scopes = top_scopes(turn.memberships, Role.REVIEWER)
    lines: list[NominationLine] = []
    seen: set[int] = set()
    personal = True
    units: list[Unit] = []
    for membership in scopes:
        unit = await get_unit(turn.conn, membership.unit_id)
        assert unit is not None
        units.append(unit)
        personal = personal and RANK[Role(membership.role)] >= RANK[Role.OFFICIAL]
        for line in await nominations_in_scope(turn.conn, unit.path):
            if line.id not in seen:
                seen.add(line.id)
                lines.append(line)
    name = await turn.config.documents.workbook_xlsx(sheets_for(lines, personal, turn))
    stamp = turn.now.astimezone(turn.config.timezone).strftime("%Y-%m-%d")
    attachment = Attachment(
        kind="document",
        channel=LOCAL_FILES,
        file_ref=name,
        mime=XLSX,
        file_name=f"de-cu-{stamp}.xlsx",
    )
    await audit.record(
        turn.conn,
        at=turn.now,
        actor_id=turn.person.id,
        action="nominations.exported",
        object_type="unit",
        object_id=units[0].id if units else None,
        detail={"rows": len(lines), "personal": personal},
    )
    turn.say(
        "officials.export.ready",
        count=number(len(lines)),
        units=", ".join(u.name for u in units),
        note=t("officials.export.personal" if personal else "officials.export.no_personal"),
        media=[attachment],
    )
    show_main_menu(turn)
