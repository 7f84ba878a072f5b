"""Call-back targets in clinic hours: the normal one in opening time, the urgent one around
the clock (``domain/clinic_hours.py``), with the clock passed in."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from intake_common.domain.clinic_hours import BadHours, CallbackTargets, ClinicHours, waited

NY = ZoneInfo("America/New_York")
HOURS = ClinicHours.parse("Mon-Fri 09:00-17:00", NY)
TARGETS = CallbackTargets(HOURS)


def _ny(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (_ny(2026, 12, 2, 10, 0), _ny(2026, 12, 3, 10, 0)),  # Wednesday morning: Thursday
        (_ny(2026, 12, 4, 16, 0), _ny(2026, 12, 7, 16, 0)),  # Friday 16:00: Monday 16:00
        (_ny(2026, 12, 5, 11, 0), _ny(2026, 12, 7, 17, 0)),  # Saturday: Monday's close
        (_ny(2026, 12, 2, 20, 30), _ny(2026, 12, 3, 17, 0)),  # after hours: next day's close
        (_ny(2026, 12, 2, 7, 0), _ny(2026, 12, 2, 17, 0)),  # before opening: that day's close
    ],
)
def test_a_request_is_due_one_working_day_of_opening_time_later(
    received: datetime, due: datetime
) -> None:
    assert TARGETS.due(received.astimezone(UTC), urgent=False) == due


def test_an_urgent_request_is_due_in_an_hour_at_night_and_at_weekends() -> None:
    saturday_night = _ny(2026, 12, 5, 23, 30).astimezone(UTC)
    assert TARGETS.due(saturday_night, urgent=True) == saturday_night + timedelta(minutes=60)
    assert TARGETS.overdue(saturday_night, urgent=True, now=saturday_night + timedelta(minutes=61))
    assert not TARGETS.overdue(
        saturday_night, urgent=True, now=saturday_night + timedelta(minutes=60)
    )


def test_split_hours_and_a_short_friday() -> None:
    hours = ClinicHours.parse("Mon-Thu 08:30-12:00; mon-thu 13:00-18:00; Fri 08:30-13:00", NY)
    targets = CallbackTargets(hours, target_hours=4)
    # Thursday 17:00: one hour left that day, three on Friday morning.
    assert targets.due(_ny(2026, 12, 3, 17, 0), urgent=False) == _ny(2026, 12, 4, 11, 30)
    # Lunch is not opening time: 11:00 + 4 h is 16:00.
    assert targets.due(_ny(2026, 12, 1, 11, 0), urgent=False) == _ny(2026, 12, 1, 16, 0)
    assert hours.is_open(_ny(2026, 12, 1, 12, 30)) is False
    assert hours.next_opening(_ny(2026, 12, 4, 14, 0)) == _ny(2026, 12, 7, 8, 30)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Mon-Fry 09:00-17:00", "days are Mon"),
        ("Mon-Fri 9-5", "write it like"),
        ("Mon-Fri 17:00-09:00", "open before it closes"),
        ("Fri-Mon 09:00-17:00", "runs backwards"),
        ("Mon 25:00-26:00", "not a time of day"),
        ("", "never open"),
        (" ; ", "never open"),
    ],
)
def test_hours_ops_mistype_are_refused_with_the_reason(text: str, says: str) -> None:
    with pytest.raises(BadHours, match=says):
        ClinicHours.parse(text, NY)


def test_the_promise_follows_the_deployed_target() -> None:
    assert TARGETS.promise() == "within one working day"
    assert CallbackTargets(HOURS, target_hours=4).promise() == (
        "within 4 hours of our opening hours"
    )
    assert CallbackTargets(HOURS, target_hours=1).promise() == (
        "within 1 hour of our opening hours"
    )


def test_the_spanish_pages_promise_the_same_target_in_spanish() -> None:
    assert TARGETS.promise("es") == "en un día hábil"
    assert CallbackTargets(HOURS, target_hours=4).promise("es") == (
        "en 4 horas de nuestro horario de atención"
    )
    assert CallbackTargets(HOURS, target_hours=1).promise("es") == (
        "en 1 hora de nuestro horario de atención"
    )


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0 min"),
        (25, "25 min"),
        (60, "1 h"),
        (130, "2 h 10 min"),
        (24 * 60, "1 day"),
        (27 * 60 + 59, "1 day 3 h"),
        (49 * 60, "2 days 1 h"),
        (-5, "0 min"),
    ],
)
def test_waiting_time_reads_as_staff_say_it(minutes: int, text: str) -> None:
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert waited(now - timedelta(minutes=minutes), now) == text


def test_hours_to_midnight_and_to_the_last_minute_are_read() -> None:
    late = ClinicHours.parse("Mon-Fri 09:00-24:00; Sat 10:00-23:59", NY)
    assert late.week[0] == ((time(9, 0), time(23, 59, 59)),)
    assert late.week[5] == ((time(10, 0), time(23, 59)),)
    for bad in ("Mon 09:00-24:01", "Mon 09:00-17:60", "Mon 24:00-24:00"):
        with pytest.raises(BadHours):
            ClinicHours.parse(bad, NY)


def test_days_may_be_listed_and_ranged_together() -> None:
    hours = ClinicHours.parse("Mon,Wed,Fri-Sat 09:00-12:00", NY)
    assert [bool(day) for day in hours.week] == [True, False, True, False, True, True, False]


def test_one_working_day_is_the_clinics_usual_day_not_its_longest() -> None:
    # Four six-hour days and a ten-hour Friday: the usual day is six hours.
    hours = ClinicHours.parse("Mon-Thu 09:30-15:30; Fri 08:00-18:00", NY)
    assert CallbackTargets(hours, target_hours=6).promise() == "within one working day"
    assert CallbackTargets(hours, target_hours=10).promise() == (
        "within 10 hours of our opening hours"
    )
