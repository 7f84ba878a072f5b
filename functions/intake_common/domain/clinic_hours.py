"""When a request should have had its call back: the clinic's opening hours and two targets.

- An urgent request (``RequestItem.urgent``) is due ``urgent_minutes`` after it was received,
  counted around the clock (default 60): a person who may be in crisis does not wait for
  Monday.
- Any other request is due after ``target_hours`` of *opening* time (default 8: one working
  day of "Mon-Fri 09:00-17:00"), the way helpdesks count business-hours targets (Zendesk's
  and Help Scout's SLA policies): received on Friday at 16:00, it is due on Monday at 16:00;
  received on Saturday, on Monday at 17:00.

Opening hours are written as ops type them in the template's ``ClinicHours`` parameter, in the
clinic's time zone: ``"Mon-Fri 09:00-17:00"``, or several parts split by ``;``
(``"Mon-Thu 08:30-18:00; Fri 08:30-13:00"``). A day not named is closed. Pure functions: the
clock is always passed in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PART = re.compile(
    r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?(?:,[a-z]{3}(?:-[a-z]{3})?)*)\s+"
    r"(?P<open>\d{2}:\d{2})-(?P<close>\d{2}:\d{2})$"
)
# How far ahead a due time is looked for: beyond this, the hours are wrong (or all closed).
_HORIZON_DAYS = 400


class BadHours(ValueError):
    """The opening hours cannot be read; the message says which part and why."""


@dataclass(frozen=True)
class ClinicHours:
    """Opening hours per weekday (0 = Monday), each a list of (open, close) in clinic time."""

    zone: ZoneInfo
    week: tuple[tuple[tuple[time, time], ...], ...]

    @classmethod
    def parse(cls, text: str, zone: ZoneInfo) -> ClinicHours:
        week: list[list[tuple[time, time]]] = [[] for _ in DAYS]
        for raw in text.split(";"):
            part = " ".join(raw.strip().lower().split())
            if not part:
                continue
            found = _PART.match(part)
            if found is None:
                raise BadHours(f"{raw.strip()!r}: write it like 'Mon-Fri 09:00-17:00'")
            opens, closes = _clock(found["open"], raw), _clock(found["close"], raw)
            if closes <= opens:
                raise BadHours(f"{raw.strip()!r}: the clinic must open before it closes")
            for day in _days(found["days"], raw):
                week[day].append((opens, closes))
        if not any(week):
            raise BadHours("the clinic is never open: name at least one day")
        return cls(zone, tuple(tuple(sorted(hours)) for hours in week))

    def intervals(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The opening intervals that end after ``start``, in order (clipped to begin at it)."""
        local = start.astimezone(self.zone)
        for offset in range(_HORIZON_DAYS):
            day = local.date() + timedelta(days=offset)
            for opens, closes in self.week[day.weekday()]:
                begin, end = _at(day, opens, self.zone), _at(day, closes, self.zone)
                if end <= start:
                    continue
                yield max(begin, start), end

    def opening_on(self, day: date) -> datetime | None:
        """When the clinic opens on ``day`` (its first opening), or None on a day it is shut."""
        hours = self.week[day.weekday()]
        return _at(day, hours[0][0], self.zone) if hours else None

    def is_open(self, moment: datetime) -> bool:
        first = next(self.intervals(moment), None)
        return first is not None and first[0] <= moment

    def next_opening(self, after: datetime) -> datetime:
        """The first moment at or after ``after`` when the clinic is open."""
        return next(self.intervals(after))[0]

    def add_open_time(self, start: datetime, amount: timedelta) -> datetime:
        """The moment when ``amount`` of opening time has passed since ``start``."""
        remaining = amount
        for begin, end in self.intervals(start):
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
        raise BadHours("no due time within a year: check the opening hours")


@dataclass(frozen=True)
class CallbackTargets:
    """The two call-back targets and the hours the normal one is counted in."""

    hours: ClinicHours
    target_hours: float = 8
    urgent_minutes: int = 60

    def due(self, received: datetime, *, urgent: bool) -> datetime:
        if urgent:
            return received + timedelta(minutes=self.urgent_minutes)
        return self.hours.add_open_time(received, timedelta(hours=self.target_hours))

    def overdue(self, received: datetime, *, urgent: bool, now: datetime) -> bool:
        return now > self.due(received, urgent=urgent)

    def promise(self, language: str = "en") -> str:
        """What the thank-you page tells a visitor, in their words (English or Spanish)."""
        working_day = self.target_hours == _working_day_hours(self.hours)
        if language == "es":
            if working_day:
                return "en un día hábil"
            unit = "hora" if self.target_hours == 1 else "horas"
            return f"en {self.target_hours:g} {unit} de nuestro horario de atención"
        if working_day:
            return "within one working day"
        return f"within {_hours_text(self.target_hours)} of our opening hours"


def waited(since: datetime, now: datetime) -> str:
    """How long a request has waited, as staff read it: "25 min", "2 h 10 min", "1 day 3 h"."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days > 1 else ''}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    return f"{minutes} min"


def _working_day_hours(hours: ClinicHours) -> float:
    """The length of the clinic's usual (most common) working day, in hours."""
    lengths = [
        sum(_minutes(close) - _minutes(opens) for opens, close in day) / 60
        for day in hours.week
        if day
    ]
    return max(set(lengths), key=lengths.count)


def _hours_text(value: float) -> str:
    return f"{value:g} hour{'' if value == 1 else 's'}"


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _clock(text: str, raw: str) -> time:
    hour, minute = (int(piece) for piece in text.split(":"))
    if hour == 24 and minute == 0:
        return time(23, 59, 59)
    if hour > 23 or minute > 59:
        raise BadHours(f"{raw.strip()!r}: {text} is not a time of day")
    return time(hour, minute)


def _days(text: str, raw: str) -> list[int]:
    days: list[int] = []
    for piece in text.split(","):
        first, _, last = piece.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise BadHours(f"{raw.strip()!r}: days are Mon, Tue, Wed, Thu, Fri, Sat, Sun")
        start, end = DAYS.index(first), DAYS.index(last or first)
        if end < start:
            raise BadHours(f"{raw.strip()!r}: {piece} runs backwards")
        days += range(start, end + 1)
    return days


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """A wall-clock time in the clinic's zone (on a DST gap day, Python's fold rules apply)."""
    return datetime.combine(day, clock, tzinfo=zone)
