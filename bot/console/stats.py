"""Thống kê: the figures /thongke gives (handlers.officials.figures.collect, the same
function), for a unit and a period or a call, with bar charts and figures over time, and the
same as a spreadsheet."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.console.base import Console, Viewer, download, field_int
from bot.console.dates import period
from handlers.messages import t
from handlers.officials.figures import Figures, collect
from handlers.permissions import Action
from handlers.ports import XLSX_MIME, Sheet
from storage import campaigns, reports
from storage.units import children_of, units_by_ids

DEFAULT_DAYS = 30
DAILY_UP_TO = 62
BARS = 15


def buckets(
    times: list[datetime], first: date, last: date, zone: ZoneInfo
) -> list[tuple[str, int]]:
    """Nominations per local day (periods up to two months) or per month."""
    daily = (last - first).days < DAILY_UP_TO
    counts: Counter[str] = Counter()
    for moment in times:
        local = moment.astimezone(zone).date()
        counts[local.strftime("%d/%m") if daily else local.strftime("%m/%Y")] += 1
    labels: list[str] = []
    day = first
    while day <= last:
        label = day.strftime("%d/%m") if daily else day.strftime("%m/%Y")
        if label not in labels:
            labels.append(label)
        day += timedelta(days=1)
    return [(label, counts[label]) for label in labels]


def bars(counter: Counter[str], label: str = "") -> list[tuple[str, int]]:
    """The largest counts, labelled (a catalog prefix turns keys into texts)."""
    return [(t(f"{label}{k}") if label else k, v) for k, v in counter.most_common(BARS)]


class Stats(Console):
    """GET /console/stats (and its spreadsheet, ?format=xlsx)."""

    def routes(self) -> list[BaseRoute]:
        """The figures page."""
        return [Route("/console/stats", self.page(Action.VIEW, self.figures), methods=["GET"])]

    async def figures(self, request: Request, viewer: Viewer) -> Response:
        """The unit's figures for the period or call, as a page or a spreadsheet."""
        params = {k: v[:40] for k, v in request.query_params.items()}
        zone = self.deps.config.timezone
        today = self.deps.clock().astimezone(zone).date()
        days = period(params, zone, self.deps.clock(), DEFAULT_DAYS)
        assert days.first is not None and days.last is not None
        first, last = days.first, days.last
        campaign_id = field_int(params, "campaign")
        window = {"since": days.since, "until": days.until} if campaign_id is None else {}
        async with self.deps.db.read() as conn:
            unit = await viewer.unit(conn, field_int(params, "unit"), Action.VIEW)
            figures = await collect(conn, unit, campaign_id=campaign_id, **window)
            times = await reports.submitted_times(
                conn, unit.path, campaign_id=campaign_id, **window
            )
            children = await children_of(conn, unit.id)
            roots = await units_by_ids(conn, [m.unit_id for m in viewer.memberships])
            calls = await campaigns.campaigns_in_scopes(conn, viewer.scope(Action.VIEW), 50)
        if campaign_id is not None and times:
            first = min(times).astimezone(zone).date()
            last = max(max(times).astimezone(zone).date(), first)
        over_time = buckets(times, first, last, zone)
        if params.get("format") == "xlsx":
            data = await asyncio.to_thread(_workbook, _sheets(figures, over_time))
            return download(data, XLSX_MIME, f"thong-ke-{today.isoformat()}.xlsx")
        return self.show(
            viewer,
            "stats.html",
            params=params,
            unit=unit,
            children=children,
            roots=[u for u in roots.values() if viewer.may(Action.VIEW, u.path)],
            calls=calls,
            figures=figures,
            first=first,
            last=last,
            charts=[
                (t("console.stats.by_status"), bars(figures.by_status, "status.")),
                (t("console.stats.by_field"), bars(figures.by_field, "nominate.field.")),
                (t("console.stats.by_unit"), bars(figures.by_unit)),
                (t("console.stats.by_organisation"), bars(figures.by_organisation)),
            ],
            over_time=over_time,
        )


def _workbook(sheets: list[Sheet]) -> bytes:
    # The first import of openpyxl happens here, in the worker thread, as bot/documents.py does.
    from bot.sheets import render_workbook

    return render_workbook(sheets)


def _sheets(figures: Figures, over_time: list[tuple[str, int]]) -> list[Sheet]:
    """The figures as sheets of (name, count)."""
    heads = [t("console.stats.col.name"), t("console.stats.col.count")]

    def sheet(title: str, rows: list[tuple[str, int]]) -> Sheet:
        return Sheet(title, heads, [[name, count] for name, count in rows])

    return [
        sheet(t("console.stats.by_status"), bars(figures.by_status, "status.")),
        sheet(t("console.stats.by_field"), bars(figures.by_field, "nominate.field.")),
        sheet(t("console.stats.by_unit"), figures.by_unit.most_common()),
        sheet(t("console.stats.by_organisation"), figures.by_organisation.most_common()),
        sheet(t("console.stats.over_time"), over_time),
    ]
