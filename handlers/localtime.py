"""People's time: local days and deadlines, dates they type, and the quiet hours."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from handlers.config import CoreConfig

_DATE = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})")
# "31/12" without a year; not the start of a full date, not a time ("8:30").
_DAY_MONTH = re.compile(r"(?<![\d/.-])(\d{1,2})\s*[/.-]\s*(\d{1,2})(?![\d]|\s*[/.-]\s*\d)")
_TIME = re.compile(r"(\d{1,2})\s*[:hH]\s*(\d{2})?")


def in_quiet_hours(now: datetime, config: CoreConfig) -> bool:
    """Whether `now` falls in the local quiet hours (no bulk sends)."""
    local = now.astimezone(config.timezone).time()
    start, end = config.quiet_start, config.quiet_end
    if start == end:
        return False
    if start > end:  # the window wraps midnight (21:00–07:00)
        return local >= start or local < end
    return start <= local < end


def quiet_until(now: datetime, config: CoreConfig) -> datetime | None:
    """When bulk sends may start if `now` is in quiet hours; None outside them."""
    if not in_quiet_hours(now, config):
        return None
    local = now.astimezone(config.timezone)
    day = local.date()
    if config.quiet_start > config.quiet_end and local.time() >= config.quiet_start:
        day += timedelta(days=1)
    return datetime.combine(day, config.quiet_end, tzinfo=config.timezone).astimezone(UTC)


def parse_date(text: str, today: date | None = None, *, future: bool = True) -> date | None:
    """dd/mm/yyyy (also with . or -) as a date; None when it is not a real date.

    Given `today`, "dd/mm" without a year is the next such day (the last one, with
    `future=False`): a deadline typed "31/12" in November is this year's."""
    match = _DATE.search(text)
    if match is None:
        return _day_month(text, today, future) if today is not None else None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_month(text: str, today: date, future: bool) -> date | None:
    match = _DAY_MONTH.search(text)
    if match is None:
        return None
    day, month = int(match.group(1)), int(match.group(2))
    for year in (today.year, today.year + 1 if future else today.year - 1):
        try:
            found = date(year, month, day)
        except ValueError:
            continue  # 29/02 of a year without it: the other year may have it
        if (found >= today) if future else (found <= today):
            return found
    return None


def parse_date_time(text: str, today: date | None = None) -> tuple[date, time] | None:
    """ "dd/mm/yyyy hh:mm" (or "8h30"; "dd/mm" given today) as a date and a time."""
    when = parse_date(text, today)
    if when is None:
        return None
    full = _DATE.search(text)
    rest = (
        _DATE.sub(" ", text, count=1) if full else _DAY_MONTH.sub(" ", text, count=1)
    )
    match = _TIME.search(rest)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return when, time(hour, minute)


def end_of_day(day: date, config: CoreConfig) -> datetime:
    """The first moment after a local day (a deadline "dd/mm" includes the whole day)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=config.timezone).astimezone(
        UTC
    )


def local_date(moment: datetime, config: CoreConfig) -> str:
    """dd/mm/yyyy in local time."""
    return moment.astimezone(config.timezone).strftime("%d/%m/%Y")


def local_date_time(moment: datetime, config: CoreConfig) -> str:
    """HH:MM dd/mm/yyyy in local time."""
    return moment.astimezone(config.timezone).strftime("%H:%M %d/%m/%Y")


def deadline_date(deadline_at: datetime, config: CoreConfig) -> str:
    """The last day of a call (its deadline is the midnight after that day)."""
    return local_date(deadline_at - timedelta(seconds=1), config)


def start_of_local_day(now: datetime, config: CoreConfig) -> datetime:
    """Local midnight of today, in UTC."""
    local = now.astimezone(config.timezone)
    return datetime.combine(local.date(), time(0), tzinfo=config.timezone).astimezone(UTC)


def local_time(moment: datetime, config: CoreConfig) -> str:
    """HH:MM in local time."""
    return moment.astimezone(config.timezone).strftime("%H:%M")
