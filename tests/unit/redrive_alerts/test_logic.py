"""The scheduled sweep's logic with in-memory fakes: pending alerts past the grace are published
again and counted; owed budget summaries that cannot be published stay owed and are logged."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from typing import Any

from intake_common.domain.contract import DigestMessage, EscalationMessage
from intake_common.domain.limits import AlertBudget
from intake_common.runtime.observability import metrics
from redrive_alerts import logic
from redrive_alerts.ports import Dependencies
from tests.support.builders import NOW, stored
from tests.support.fakes import InMemoryLimitsStore, InMemoryRequestStore, RecordingPublisher


def _deps(store: InMemoryRequestStore, publisher: RecordingPublisher) -> Dependencies:
    return Dependencies(store=store, publisher=publisher, budget=AlertBudget(InMemoryLimitsStore()))


def _lines(logs: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(text) for text in logs.getvalue().splitlines()]


def test_alerts_pending_past_the_grace_are_published_again_and_counted(
    logs: io.StringIO,
) -> None:
    store, publisher = InMemoryRequestStore(), RecordingPublisher()
    old = [stored(now=NOW - timedelta(minutes=minutes)) for minutes in (20, 11)]
    recent = stored(now=NOW - timedelta(minutes=5))
    for item in [*old, recent]:
        store.insert(item)
    metrics.clear_metrics()

    assert logic.redrive(NOW, 10, _deps(store, publisher)) == 2

    assert sorted(publisher.announced) == sorted(item.submission_id for item in old)
    counted = metrics.metric_set["AlertRedriven"]
    assert (counted["Unit"], list(counted["Value"])) == ("Count", [2.0])
    metrics.clear_metrics()
    (line,) = [line for line in _lines(logs) if line["level"] == "WARNING"]
    assert (line["message"], line["count"]) == ("re-drove pending alerts", 2)


def test_nothing_pending_is_neither_counted_nor_logged(logs: io.StringIO) -> None:
    store, publisher = InMemoryRequestStore(), RecordingPublisher()
    store.insert(stored(now=NOW - timedelta(minutes=5)))
    metrics.clear_metrics()

    assert logic.redrive(NOW, 10, _deps(store, publisher)) == 0

    assert publisher.messages == []
    assert metrics.metric_set == {}
    assert _lines(logs) == []


# --- Escalations and the morning digest: what the sweep publishes, marks, counts and says ---
def _targets(hours: str = "Mon-Fri 09:00-17:00", zone: str = "America/New_York") -> Any:
    from zoneinfo import ZoneInfo

    from intake_common.domain.clinic_hours import CallbackTargets, ClinicHours

    return CallbackTargets(ClinicHours.parse(hours, ZoneInfo(zone)))


def test_each_urgent_request_past_target_is_published_marked_counted_and_said(
    logs: io.StringIO,
) -> None:
    store, publisher = InMemoryRequestStore(), RecordingPublisher()
    limits = InMemoryLimitsStore()
    deps = Dependencies(store=store, publisher=publisher, budget=AlertBudget(limits))
    gone = stored(now=NOW - timedelta(days=400), reason="I want to die", retention_days=30)
    late = [stored(now=NOW - timedelta(minutes=m), reason="I want to die") for m in (90, 70)]
    fresh = stored(now=NOW - timedelta(minutes=30), reason="I want to die")
    for item in (gone, *late, fresh):
        store.insert(item)
    metrics.clear_metrics()

    assert logic.escalations_owed(deps, _targets(), NOW) == 2

    escalated = [str(m.request_id) for m in publisher.messages if isinstance(m, EscalationMessage)]
    assert escalated == [i.submission_id for i in late]
    assert len(publisher.messages) == 2
    for item in late:
        assert limits.items[f"escalation#{item.submission_id}"] == {
            "limit_key": f"escalation#{item.submission_id}",
            "owner": "sweep",
            "expires_at": int(NOW.timestamp()) + logic.MARK_KEEP_SECONDS,
        }
    counted = metrics.metric_set["UrgentCallbackOverdue"]
    assert (counted["Unit"], list(counted["Value"])) == ("Count", [1.0, 1.0])
    metrics.clear_metrics()
    said = [(line["message"], line["submission_id"]) for line in _lines(logs)]
    assert said == [("urgent request past its target: escalated", i.submission_id) for i in late]
    reads = [d for name, d in store.journal.events if name == "store.page_by_status"]
    assert reads == ["new urgent 100"]
    assert logic.escalations_owed(deps, _targets(), NOW) == 0  # marked: not again


def test_an_escalation_that_cannot_be_published_stays_owed_and_is_said(
    logs: io.StringIO,
) -> None:
    store, publisher = InMemoryRequestStore(), RecordingPublisher(fail=True)
    deps = _deps(store, publisher)
    store.insert(stored(now=NOW - timedelta(hours=2), reason="I want to die"))
    metrics.clear_metrics()

    assert logic.escalations_owed(deps, _targets(), NOW) == 0

    failed = metrics.metric_set["AlertPublishFailed"]
    assert (failed["Unit"], list(failed["Value"])) == ("Count", [1.0])
    metrics.clear_metrics()
    (line,) = _lines(logs)
    assert (line["level"], line["message"], line["kind"]) == (
        "ERROR",
        "call-back message publish failed",
        "callback.escalation",
    )
    assert line["error"] == "InternalError (injected)"
    publisher.fail = False
    assert logic.escalations_owed(deps, _targets(), NOW) == 1  # the next sweep publishes it


def test_the_digest_is_published_from_opening_for_two_hours_once_on_the_clinics_day() -> None:
    from zoneinfo import ZoneInfo

    tokyo = _targets("Mon-Fri 07:00-15:00", "Asia/Tokyo")
    opening = datetime(2026, 11, 30, 7, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # Sunday 22:00 UTC
    for moment, expected in (
        (opening - timedelta(seconds=1), False),
        (opening + logic.DIGEST_LATE, False),
        (opening, True),
    ):
        limits = InMemoryLimitsStore()
        publisher = RecordingPublisher()
        deps = Dependencies(
            store=InMemoryRequestStore(), publisher=publisher, budget=AlertBudget(limits)
        )
        assert logic.digest_owed(deps, tokyo, moment) is expected
    days = [m.day for m in publisher.messages if isinstance(m, DigestMessage)]
    assert days == ["2026-11-30"]  # the clinic's Monday
    assert len(publisher.messages) == 1
    assert limits.items["digest#2026-11-30"]["owner"] == "sweep"
    assert limits.items["digest#2026-11-30"]["expires_at"] == (
        int(opening.timestamp()) + logic.MARK_KEEP_SECONDS
    )
    assert logic.digest_owed(deps, tokyo, opening + timedelta(minutes=5)) is False
    publisher.fail = True
    assert (
        logic.digest_owed(
            Dependencies(
                store=InMemoryRequestStore(),
                publisher=publisher,
                budget=AlertBudget(InMemoryLimitsStore()),
            ),
            tokyo,
            opening,
        )
        is False
    )
