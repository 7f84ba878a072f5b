"""Announcing stored requests (services/alerts.py): a failed publish is counted and logged for
the alarm and leaves the alert pending; the re-drive takes a bounded batch and logs each."""

from __future__ import annotations

import io
import json
import uuid
from datetime import timedelta

import pytest

from intake_common.runtime.observability import metrics
from intake_common.services import alerts
from tests.support.builders import NOW, stored
from tests.support.fakes import InMemoryRequestStore, RecordingPublisher


def _lines(logs: io.StringIO, message: str) -> list[dict[str, str]]:
    found = [json.loads(text) for text in logs.getvalue().splitlines()]
    return [line for line in found if line["message"] == message]


def test_a_failed_publish_is_counted_once_and_logged_with_its_cause(logs: io.StringIO) -> None:
    key = uuid.uuid4()
    metrics.clear_metrics()

    assert alerts.announce(RecordingPublisher(fail=True), key, NOW) is None

    counted = metrics.metric_set["AlertPublishFailed"]
    assert (counted["Unit"], list(counted["Value"])) == ("Count", [1.0])
    metrics.clear_metrics()
    (line,) = _lines(logs, "alert publish failed")
    assert line["level"] == "ERROR"
    assert line["submission_id"] == str(key)
    assert "InternalError" in line["error"]


def test_a_published_alert_returns_its_message_id_and_counts_nothing() -> None:
    publisher = RecordingPublisher()
    metrics.clear_metrics()

    assert alerts.announce(publisher, uuid.uuid4(), NOW) == "message-1"
    assert metrics.metric_set == {}


def test_the_redrive_logs_each_alert_it_published_and_not_those_it_could_not(
    logs: io.StringIO,
) -> None:
    store = InMemoryRequestStore()
    item = stored(now=NOW - timedelta(minutes=20))
    store.insert(item)

    assert alerts.redrive_pending(store, RecordingPublisher(fail=True), NOW, NOW) == 1
    assert _lines(logs, "alert published again") == []
    metrics.clear_metrics()

    assert alerts.redrive_pending(store, RecordingPublisher(), NOW, NOW) == 1
    (line,) = _lines(logs, "alert published again")
    assert (line["submission_id"], line["message_id"]) == (item.submission_id, "message-1")


def test_one_redrive_takes_at_most_a_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    store, publisher = InMemoryRequestStore(), RecordingPublisher()
    for minutes in (30, 20, 10):
        store.insert(stored(now=NOW - timedelta(minutes=minutes)))
    monkeypatch.setattr(alerts, "REDRIVE_BATCH", 2)

    assert alerts.redrive_pending(store, publisher, NOW, NOW) == 2
    assert len(publisher.messages) == 2
