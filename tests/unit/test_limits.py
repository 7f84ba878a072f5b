"""The alert budget's windows: named and aligned in UTC, whatever the machine's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from intake_common.domain.limits import ended_windows, parse_window, window_name, window_start

NOON_UTC = datetime(2026, 11, 30, 14, 20, tzinfo=UTC)


def test_windows_are_aligned_named_and_read_in_utc_whatever_the_machines_zone(
    elsewhere: None,
) -> None:
    start = window_start(NOON_UTC, 60)

    assert start == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    assert start.tzinfo is UTC
    assert window_name(start) == "2026-11-30T14:00Z"
    # The same moment written in Auckland's zone (UTC+13 in summer) names the same window.
    assert window_name(datetime(2026, 12, 1, 3, 0, tzinfo=ZoneInfo("Pacific/Auckland"))) == (
        "2026-11-30T14:00Z"
    )
    assert parse_window("2026-11-30T14:00Z") == start
    assert parse_window("2026-11-30T14:00Z").timestamp() == start.timestamp()


def test_the_ended_windows_are_the_last_twelve_newest_first() -> None:
    assert ended_windows(NOON_UTC, 60) == [
        f"2026-11-30T{hour:02d}:00Z" for hour in range(13, 1, -1)
    ]
    assert ended_windows(NOON_UTC, 15)[:3] == [
        "2026-11-30T14:00Z",
        "2026-11-30T13:45Z",
        "2026-11-30T13:30Z",
    ]
    assert len(ended_windows(NOON_UTC, 15)) == 12
