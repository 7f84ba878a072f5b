"""The alert budget: past the cap, requests are stored and held for one summary per window."""

from __future__ import annotations

import io
import json
import uuid
from datetime import timedelta

import pytest

from intake_common.domain.contract import AlertMessage, BudgetSummaryMessage
from intake_common.domain.limits import ended_windows, window_name, window_start
from intake_common.runtime.settings import NotifySettings
from notify_staff import logic
from redrive_alerts.logic import summaries_owed
from tests.support.builders import NOW, stored
from tests.support.fakes import (
    NotifyFakes,
    RecordingPublisher,
    throttled,
)

SETTINGS = NotifySettings.model_validate(
    {
        "TABLE_NAME": "requests",
        "LIMITS_TABLE": "alert-limits",
        "STAFF_EMAILS": "frontdesk@clinic.example,nurse@clinic.example",
        "STAFF_PHONES": "+14155550101",
        "SMS_ALERTS_PER_WINDOW": "2",
        "EMAIL_ALERTS_PER_WINDOW": "3",
    }
)


def _flood(fakes: NotifyFakes, count: int) -> list[str]:
    states = []
    for _ in range(count):
        item = stored()
        fakes.store.insert(item)
        message = AlertMessage(request_id=uuid.UUID(item.submission_id), published_at=NOW)
        states.append(logic.handle_alert(message, settings=SETTINGS, deps=fakes.deps, now=NOW))
    return states


def test_past_the_caps_requests_are_held_on_each_channel_and_summarized(
    fakes: NotifyFakes,
) -> None:
    states = _flood(fakes, 6)

    # Two requests text and email, one more only emails, the rest wait for the summary
    assert len(fakes.texter.sent) == 2
    assert len(fakes.mailer.sent) == 3 * 2
    assert states == ["sent", "sent", "sent", "summarized", "summarized", "summarized"]
    window = window_name(window_start(NOW, 60))
    assert fakes.window("sms", window).held == 4
    assert fakes.window("email", window).held == 3
    # Every request is stored, with its decisions
    items = fakes.store.items.values()
    assert sum(i.alert_budget["sms"] == "held" for i in items) == 4


def test_a_retried_message_is_not_counted_twice(fakes: NotifyFakes) -> None:
    item = stored()
    fakes.store.insert(item)
    fakes.mailer.errors["nurse@clinic.example"] = [throttled()]
    message = AlertMessage(request_id=uuid.UUID(item.submission_id), published_at=NOW)

    with pytest.raises(logic.RetryLater):
        logic.handle_alert(message, settings=SETTINGS, deps=fakes.deps, now=NOW)
    logic.handle_alert(message, settings=SETTINGS, deps=fakes.deps, now=NOW)

    window = window_name(window_start(NOW, 60))
    assert fakes.window("email", window).granted == {item.submission_id}


def test_the_summary_is_owed_after_the_window_and_sent_once(fakes: NotifyFakes) -> None:
    _flood(fakes, 5)
    publisher = RecordingPublisher()
    window = window_name(window_start(NOW, 60))

    # Not while the window is open
    assert summaries_owed(fakes.budget, publisher, NOW, 60) == 0
    later = NOW + timedelta(minutes=61)
    assert window in ended_windows(later, 60)
    assert summaries_owed(fakes.budget, publisher, later, 60) == 2  # email and sms

    for message in publisher.messages:
        assert isinstance(message, BudgetSummaryMessage)
        assert (
            logic.handle_summary(message, settings=SETTINGS, deps=fakes.deps, now=later) == "sent"
        )
        assert (
            logic.handle_summary(message, settings=SETTINGS, deps=fakes.deps, now=later) == "done"
        )

    texts = [s["message"] for s in fakes.texter.sent]
    assert texts[-1].startswith("Alert limit: 3 more requests were received")
    summary_emails = [e for e in fakes.mailer.sent if e["subject"].startswith("Alert limit")]
    assert {e["to"] for e in summary_emails} == {"frontdesk@clinic.example", "nurse@clinic.example"}
    assert "2 more requests" in summary_emails[0]["subject"]
    assert summaries_owed(fakes.budget, RecordingPublisher(), later, 60) == 0


def test_a_failed_summary_is_retried_not_lost(fakes: NotifyFakes) -> None:
    _flood(fakes, 3)
    later = NOW + timedelta(minutes=61)
    message = BudgetSummaryMessage(
        channel="sms", window=window_name(window_start(NOW, 60)), published_at=later
    )
    fakes.texter.errors["+14155550101"] = [throttled()]

    with pytest.raises(logic.RetryLater):
        logic.handle_summary(message, settings=SETTINGS, deps=fakes.deps, now=later)
    assert logic.handle_summary(message, settings=SETTINGS, deps=fakes.deps, now=later) == "sent"


def test_a_summary_the_redrive_cannot_publish_stays_owed_and_is_counted(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    from intake_common.runtime.observability import metrics

    _flood(fakes, 5)
    later = NOW + timedelta(minutes=61)
    metrics.clear_metrics()

    assert summaries_owed(fakes.budget, RecordingPublisher(fail=True), later, 60) == 0
    # RedrivePublishFailedAlarm hears this (email and sms both failed)
    counted = metrics.metric_set["AlertPublishFailed"]
    assert (counted["Unit"], counted["Value"]) == ("Count", [1.0, 1.0])
    failed = [json.loads(t) for t in logs.getvalue().splitlines() if "summary publish" in t]
    assert [(f["message"], f["channel"]) for f in failed] == [
        ("budget summary publish failed", "email"),
        ("budget summary publish failed", "sms"),
    ]
    assert all("InternalError" in f["error"] for f in failed)
    metrics.clear_metrics()
    assert summaries_owed(fakes.budget, RecordingPublisher(), later, 60) == 2  # still owed


def test_a_summary_is_owed_on_the_channel_that_held_alerts_only(fakes: NotifyFakes) -> None:
    _flood(fakes, 3)  # within the email cap (3), one past the SMS cap (2)
    publisher = RecordingPublisher()

    assert summaries_owed(fakes.budget, publisher, NOW + timedelta(minutes=61), 60) == 1

    (message,) = publisher.messages
    assert isinstance(message, BudgetSummaryMessage)
    assert message.channel == "sms"
