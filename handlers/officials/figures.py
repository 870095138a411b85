"""Figures for a scope: counts by unit, organisation, field and status, with a chart."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from handlers.config import CoreConfig
from handlers.messages import t
from handlers.text import number
from handlers.types import LOCAL_FILES, Attachment
from storage.db import Connection
from storage.reports import Tally, tally_in_scope
from storage.rows import Unit
from storage.units import units_in_scopes

TOP = 3
# Bars in one chart image (bot/charts.py draws at most this many for a phone screen).
MAX_BARS = 10


@dataclass
class Figures:
    """Counts of a scope's nominations."""

    total: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_field: Counter[str] = field(default_factory=Counter)
    # The units right below the scope (communes under a province, organisations under a
    # commune); nominations of the scope unit itself count under its own name.
    by_unit: Counter[str] = field(default_factory=Counter)
    # The unit each nomination was submitted in (usually an organisation).
    by_organisation: Counter[str] = field(default_factory=Counter)


async def collect(
    conn: Connection,
    scope: Unit,
    *,
    campaign_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Figures:
    """Count the scope's nominations (of one call, or submitted in a period): /thongke, the
    summaries and the console's figures all come from here."""
    tallies = await tally_in_scope(
        conn, scope.path, campaign_id=campaign_id, since=since, until=until
    )
    names = {u.id: u.name for u in await units_in_scopes(conn, [scope.path])}
    return count(tallies, scope, names)


def count(tallies: list[Tally], scope: Unit, names: dict[int, str]) -> Figures:
    """Group counted nominations by status, field, unit below the scope and own unit."""
    figures = Figures(total=sum(t.count for t in tallies))
    depth = scope.path.count("/") - 1
    for tally in tallies:
        figures.by_status[tally.status] += tally.count
        figures.by_field[tally.field] += tally.count
        figures.by_organisation[tally.unit_name] += tally.count
        ids = [int(p) for p in tally.unit_path.strip("/").split("/")]
        child = ids[depth] if len(ids) > depth else scope.id
        figures.by_unit[names.get(child, tally.unit_name)] += tally.count
    return figures


def _lines(counter: Counter[str], label: str = "") -> str:
    if not counter:
        return t("officials.figures.none")
    return "\n".join(
        t("officials.figures.line", name=t(f"{label}{k}") if label else k, count=number(v))
        for k, v in counter.most_common()
    )


def figures_text(figures: Figures, heading: str) -> str:
    """The figures as a message, headed by what they cover."""
    if figures.total == 0:
        return t("officials.figures.empty", heading=heading)
    top = ", ".join(
        t("officials.figures.top_item", name=name, count=number(n))
        for name, n in figures.by_unit.most_common(TOP)
    )
    return t(
        "officials.figures.text",
        heading=heading,
        total=number(figures.total),
        by_status=_lines(figures.by_status, "status."),
        by_field=_lines(figures.by_field, "nominate.field."),
        by_unit=_lines(figures.by_unit),
        by_organisation=_lines(figures.by_organisation),
        top=top,
    )


def _bars(counter: Counter[str], label: str = "", other: str = "") -> list[tuple[str, int]]:
    """The largest counts as bars, the rest added up into one last bar (`other`)."""
    ranked = [(t(f"{label}{k}") if label else k, v) for k, v in counter.most_common()]
    if other and len(ranked) > MAX_BARS:
        rest = ranked[MAX_BARS - 1 :]
        ranked = ranked[: MAX_BARS - 1]
        ranked.append((t(other, count=len(rest)), sum(v for _, v in rest)))
    return ranked[:MAX_BARS]


async def charts(config: CoreConfig, figures: Figures, heading: str) -> list[Attachment]:
    """Bar charts for a phone, by status, by field and by unit (none without figures)."""
    if config.documents is None or figures.total == 0:
        return []
    subtitle = t("officials.chart.subtitle", heading=heading, total=number(figures.total))
    drawn = [
        ("officials.chart.by_status", _bars(figures.by_status, "status.")),
        ("officials.chart.by_field", _bars(figures.by_field, "nominate.field.")),
        ("officials.chart.by_unit", _bars(figures.by_unit, other="officials.chart.other_units")),
    ]
    media = []
    for title, bars in drawn:
        # Generated files travel to every channel as uploads.
        name = await config.documents.chart_png(t(title), subtitle, bars)
        media.append(Attachment(kind="photo", channel=LOCAL_FILES, file_ref=name, mime="image/png"))
    return media
