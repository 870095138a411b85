"""Days as the console's forms give them, and the UTC bounds of a local period."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_day(text: str) -> date | None:
    """A day typed as dd/mm/yyyy or sent by a date field (yyyy-mm-dd)."""
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class Period:
    """Local days from `first` to `last` (either open), and their bounds in UTC."""

    first: date | None
    last: date | None
    zone: ZoneInfo

    @property
    def since(self) -> datetime | None:
        """The first moment of the first day."""
        return (
            datetime.combine(self.first, time(0), self.zone).astimezone(UTC) if self.first else None
        )

    @property
    def until(self) -> datetime | None:
        """The first moment after the last day."""
        if self.last is None:
            return None
        return datetime.combine(self.last + timedelta(days=1), time(0), self.zone).astimezone(UTC)


def period(
    params: Mapping[str, str], zone: ZoneInfo, now: datetime, default_days: int | None
) -> Period:
    """The period of a form's `from` and `to` fields; with `default_days`, a missing end is
    today and a missing start that many days back (else they stay open)."""
    first, last = parse_day(params.get("from", "")), parse_day(params.get("to", ""))
    if default_days is not None:
        today = now.astimezone(zone).date()
        last = last or today
        first = first or today - timedelta(days=default_days - 1)
    if first and last and last < first:
        first, last = last, first
    return Period(first, last, zone)
