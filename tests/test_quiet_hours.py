"""Quiet hours and dates typed by officials (pure functions, local time Asia/Ho_Chi_Minh)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from handlers.config import CoreConfig
from handlers.localtime import end_of_day, in_quiet_hours, parse_date, parse_date_time, quiet_until
from handlers.text import number

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=HCM).astimezone(UTC)


@pytest.mark.parametrize(
    ("moment", "until"),
    [
        (local(25, 20, 59), None),
        (local(25, 21, 0), local(26, 7, 0)),
        (local(25, 23, 59), local(26, 7, 0)),
        (local(26, 0, 0), local(26, 7, 0)),
        (local(26, 6, 59), local(26, 7, 0)),
        (local(26, 7, 0), None),
    ],
)
def test_night_window_postpones_to_the_morning(moment: datetime, until: datetime | None) -> None:
    config = CoreConfig()
    assert quiet_until(moment, config) == until
    assert in_quiet_hours(moment, config) is (until is not None)


def test_daytime_window_and_no_window() -> None:
    lunch = CoreConfig(quiet_start=time(11, 30), quiet_end=time(13, 30))
    assert quiet_until(local(25, 12, 0), lunch) == local(25, 13, 30)
    assert quiet_until(local(25, 14, 0), lunch) is None
    off = CoreConfig(quiet_start=time(0), quiet_end=time(0))
    assert quiet_until(local(25, 23, 0), off) is None


def test_typed_dates() -> None:
    assert parse_date("31/12/2026") == date(2026, 12, 31)
    assert parse_date(" 1.2.2027 ") == date(2027, 2, 1)
    assert parse_date("31/02/2027") is None
    assert parse_date("mai") is None
    assert parse_date_time("05/12/2026 8h30") == (date(2026, 12, 5), time(8, 30))
    assert parse_date_time("05/12/2026 25:00") is None
    assert parse_date_time("05/12/2026") is None
    assert end_of_day(date(2026, 12, 31), CoreConfig()) == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert number(1234567) == "1.234.567"
