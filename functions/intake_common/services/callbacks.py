"""The call-back figures, shared by the staff inbox, the morning digest and ``intake``.

- ``overdue``: every request nobody has reached yet that is past its call-back target, the
  longest waiting first (from the call-back queue's two steps of the by-status index).
- ``Figures``: the time to first contact (received until the first move away from ``new``),
  kept per week of the clinic's calendar in the limits table (``figure#2026-W48``: a list of
  minutes, and of those of urgent requests), so that the inbox reads eight items, not every
  request of eight weeks. Recorded when staff make the first contact; CloudWatch gets the same
  number (``TimeToFirstContact``) for the dashboard.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from intake_common.domain.clinic_hours import CallbackTargets, waited
from intake_common.domain.item import RequestSummary
from intake_common.domain.limits import RecordFirstContact
from intake_common.domain.paging import EVERYTHING, Phase, phases
from intake_common.domain.ports import LimitsStore, RequestStore

# A week's figure is kept this long (then DynamoDB's TTL): the chart shows eight.
FIGURE_KEEP_DAYS = 120


@dataclass(frozen=True)
class Overdue:
    """A request past its call-back target: its reference and how long it has waited."""

    reference: str
    created_at: str
    waited: str
    urgent: bool


def every_row(store: RequestStore, phase: Phase, page: int = 200) -> Iterator[RequestSummary]:
    """Every row of one phase of a staff list (``paging.py``), whenever it came, page after
    page of the by-status index, in the phase's order."""
    start = None
    while True:
        rows, start = store.page_by_status(phase, EVERYTHING, start, page)
        yield from rows
        if start is None:
            return


def overdue(
    store: RequestStore, targets: CallbackTargets, now: datetime, limit: int = 5_000
) -> list[Overdue]:
    """Every open request past its target, the longest waiting first (urgent and other ones
    merged by waiting time); at most ``limit`` of them."""
    found: list[Overdue] = []
    for phase in phases("callback"):
        for row in every_row(store, phase):
            received = datetime.fromisoformat(row.created_at)
            if not row.expired(now) and targets.overdue(received, urgent=row.urgent, now=now):
                found.append(
                    Overdue(row.reference, row.created_at, waited(received, now), row.urgent)
                )
            if len(found) >= limit:
                break
    return sorted(found, key=lambda row: row.created_at)


def week_of(moment: datetime, targets: CallbackTargets) -> tuple[str, datetime]:
    """The clinic's ISO week of ``moment`` ("2026-W48") and when it began (Monday 00:00)."""
    local = moment.astimezone(targets.hours.zone)
    year, week, weekday = local.isocalendar()
    start = (local - timedelta(days=weekday - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return f"{year}-W{week:02d}", start


@dataclass(frozen=True)
class WeekFigure:
    week: str
    start: str  # the clinic's date the week began
    contacts: int
    median_minutes: int | None
    p90_minutes: int | None
    urgent_median_minutes: int | None

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def percentile(values: list[int], share: float) -> int | None:
    """The nearest-rank percentile (``share`` 0.5 is the median): a value that occurred."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class Figures:
    """The weekly time-to-first-contact figures over a limits store."""

    def __init__(self, store: LimitsStore, targets: CallbackTargets) -> None:
        self.store = store
        self.targets = targets

    def record(self, created_at: str, first_contact: datetime, *, urgent: bool) -> int:
        """Count a first contact in its week; the minutes it took."""
        minutes = max(
            0, int((first_contact - datetime.fromisoformat(created_at)).total_seconds() // 60)
        )
        week, _ = week_of(first_contact, self.targets)
        expires = int(first_contact.timestamp()) + FIGURE_KEEP_DAYS * 86400
        change = RecordFirstContact(week, minutes, urgent, expires)
        self.store.change(change.key, change)
        return minutes

    def weeks(self, now: datetime, count: int = 8) -> list[WeekFigure]:
        """The last ``count`` weeks, oldest first, this week last."""
        _, this_week = week_of(now, self.targets)
        figures = []
        for back in range(count - 1, -1, -1):
            start = this_week - timedelta(weeks=back)
            week, _ = week_of(start + timedelta(hours=12), self.targets)
            item = self.store.get(f"figure#{week}") or {}
            minutes = [int(m) for m in item.get("minutes", [])]
            urgent = [int(m) for m in item.get("urgent_minutes", [])]
            figures.append(
                WeekFigure(
                    week=week,
                    start=start.date().isoformat(),
                    contacts=len(minutes),
                    median_minutes=percentile(minutes, 0.5),
                    p90_minutes=percentile(minutes, 0.9),
                    urgent_median_minutes=percentile(urgent, 0.5),
                )
            )
        return figures
