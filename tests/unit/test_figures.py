"""The call-back figures (services/callbacks.py): time to first contact per clinic week, the
nearest-rank percentiles, and what is past target now, with a controlled clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intake_common.domain.audit import Actor
from intake_common.domain.item import timestamp
from intake_common.domain.limits import WEEK_CAP, RecordFirstContact
from intake_common.runtime.observability import metrics
from intake_common.runtime.settings import StaffSettings
from intake_common.services import callbacks
from intake_common.services import staff as logic
from intake_common.services.callbacks import Figures, percentile, week_of
from tests.support.builders import NOW, stored
from tests.support.fakes import InMemoryLimitsStore, StaffFakes

TARGETS = StaffSettings.model_validate(
    {
        "TABLE_NAME": "requests",
        "AUDIT_TABLE": "audit",
        "LIMITS_TABLE": "limits",
        "ALERT_QUEUE_URL": "https://sqs.example/q",
        "DEAD_LETTER_QUEUE_URL": "https://sqs.example/d",
    }
).targets
NURSE = Actor("cognito:nurse", "Nurse")


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        ([], None, None),
        ([7], 7, 7),
        ([1, 2, 3, 4], 2, 4),
        (list(range(1, 11)), 5, 9),
        ([600, 5, 30, 45, 50], 45, 600),
    ],
)
def test_percentiles_are_nearest_rank_values_that_occurred(
    values: list[int], median: int | None, p90: int | None
) -> None:
    assert (percentile(values, 0.5), percentile(values, 0.9)) == (median, p90)


def test_a_week_is_the_clinics_monday_to_sunday() -> None:
    # NOW is Monday 2026-11-30 09:02 in New York; Sunday 23:30 there is 04:30 UTC Monday.
    assert week_of(NOW, TARGETS)[0] == "2026-W49"
    assert week_of(NOW - timedelta(hours=9, minutes=30), TARGETS)[0] == "2026-W48"
    assert week_of(NOW, TARGETS)[1].isoformat() == "2026-11-30T00:00:00-05:00"
    wednesday = NOW + timedelta(days=2, hours=3, seconds=17, microseconds=5)
    assert week_of(wednesday, TARGETS) == ("2026-W49", week_of(NOW, TARGETS)[1])


def test_first_contacts_make_the_weeks_figures_oldest_week_first() -> None:
    figures = Figures(InMemoryLimitsStore(), TARGETS)
    for minutes, urgent in ((30, True), (90, False), (600, False)):
        created = timestamp(NOW - timedelta(minutes=minutes))
        assert figures.record(created, NOW, urgent=urgent) == minutes
    figures.record(timestamp(NOW - timedelta(days=8)), NOW - timedelta(days=7), urgent=False)

    weeks = figures.weeks(NOW + timedelta(days=2))

    assert [w.week for w in weeks][-2:] == ["2026-W48", "2026-W49"]
    assert len(weeks) == 8
    last = weeks[-1]
    assert (last.contacts, last.median_minutes, last.p90_minutes) == (3, 90, 600)
    assert last.urgent_median_minutes == 30
    assert (weeks[-2].contacts, weeks[-2].median_minutes) == (1, 1440)
    assert weeks[0].contacts == 0
    assert weeks[0].median_minutes is None


def test_a_weeks_figure_stops_at_its_cap() -> None:
    change = RecordFirstContact("2026-W49", 5, False, 0)
    assert change.holds({"minutes": [1] * (WEEK_CAP - 1)})
    assert not change.holds({"minutes": [1] * WEEK_CAP})


def test_the_first_contact_is_counted_once_in_its_week_and_in_cloudwatch() -> None:
    fakes = StaffFakes()
    figures = Figures(InMemoryLimitsStore(), TARGETS)
    deps = logic.Dependencies(fakes.store, fakes.audit, fakes.deps.erased, figures)
    item = stored(now=NOW - timedelta(hours=2), reason="I want to die")
    fakes.store.insert(item)
    metrics.clear_metrics()

    logic.mark(deps, NURSE, NOW, item.reference, "contacted", None)
    logic.mark(deps, NURSE, NOW, item.reference, "scheduled", None)
    logic.mark(deps, NURSE, NOW, item.reference, "closed", None, "scheduled")

    (week,) = [w for w in figures.weeks(NOW) if w.contacts]
    assert (week.contacts, week.median_minutes, week.urgent_median_minutes) == (1, 120, 120)
    timed = metrics.metric_set["TimeToFirstContact"]
    assert (timed["Unit"], list(timed["Value"])) == ("Seconds", [7200.0])
    assert list(metrics.metric_set["ClosedScheduled"]["Value"]) == [1.0]
    metrics.clear_metrics()


def test_past_target_lists_the_longest_waiting_first_and_skips_the_reached() -> None:
    fakes = StaffFakes()
    late = stored(now=NOW - timedelta(days=4))
    urgent = stored(now=NOW - timedelta(hours=2), reason="I want to die")
    fresh = stored(now=NOW - timedelta(minutes=10))
    reached = stored(now=NOW - timedelta(days=5))
    for item in (late, urgent, fresh, reached):
        fakes.store.insert(item)
    logic.mark(fakes.deps, NURSE, NOW, reached.reference, "contacted", None)

    found = callbacks.overdue(fakes.store, TARGETS, NOW)

    assert [(row.reference, row.urgent) for row in found] == [
        (late.reference, False),
        (urgent.reference, True),
    ]
    assert found[1].waited == "2 h"


def test_past_target_reads_every_page_once() -> None:
    fakes = StaffFakes()
    late = [stored(now=NOW - timedelta(days=5, minutes=m)) for m in range(205)]
    for item in late:
        fakes.store.insert(item)

    found = callbacks.overdue(fakes.store, TARGETS, NOW)

    assert len(found) == 205
    assert len({row.reference for row in found}) == 205
    assert found[0].reference == late[-1].reference  # the longest waiting first
