"""The scheduled sweep's logic with in-memory fakes: pending alerts past the grace are published
again and counted; owed budget summaries that cannot be published stay owed and are logged."""

from __future__ import annotations

import io
import json
from datetime import timedelta

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
