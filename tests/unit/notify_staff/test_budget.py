"""The alert budget: past the cap, requests are stored and held for one summary per window."""

from __future__ import annotations

import io
import json
import uuid
from datetime import datetime, timedelta

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
    rejected,
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


def _flood_urgent(fakes: NotifyFakes, count: int) -> None:
    for _ in range(count):
        item = stored(reason="I want to die")
        fakes.store.insert(item)
        message = AlertMessage(request_id=uuid.UUID(item.submission_id), published_at=NOW)
        logic.handle_alert(message, settings=SETTINGS, deps=fakes.deps, now=NOW)


def _summaries(fakes: NotifyFakes) -> list[BudgetSummaryMessage]:
    publisher = RecordingPublisher()
    summaries_owed(fakes.budget, publisher, NOW + timedelta(minutes=61), 60)
    found = [m for m in publisher.messages if isinstance(m, BudgetSummaryMessage)]
    return sorted(found, key=lambda m: m.channel)  # email, then sms


def test_the_summary_counts_the_held_urgent_requests_in_every_part_and_is_logged(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    from intake_common.runtime.observability import metrics

    _flood(fakes, 3)
    _flood_urgent(fakes, 2)  # email holds 2 (both urgent), SMS 3 (2 urgent)
    later = NOW + timedelta(minutes=61)
    email, sms = _summaries(fakes)
    logs.seek(0)
    logs.truncate()
    metrics.clear_metrics()

    for message in (email, sms):
        assert (
            logic.handle_summary(message, settings=SETTINGS, deps=fakes.deps, now=later) == "sent"
        )

    summary = [e for e in fakes.mailer.sent if "Alert limit" in e["subject"]]
    assert len(summary) == 2
    for sent in summary:
        assert sent["subject"].startswith("Urgent: ")
        assert "2 of them are marked urgent" in sent["text"]
        assert "2 of them are marked urgent" in sent["html"]
    urgent = sorted(item.reference for item in fakes.store.items.values() if item.urgent)
    assert fakes.texter.sent[-1]["message"] == (
        "Alert limit: 3 more requests were received 09:00-10:00. "
        f"2 urgent: {', '.join(urgent)}, call back today. See email."
    )
    for sent in summary:
        assert "Urgent, by reference:\n" + "".join(f"  {ref}\n" for ref in urgent) in sent["text"]
    said = [json.loads(t) for t in logs.getvalue().splitlines()]
    assert [(s["message"], s["channel"], s["window"], s["held"]) for s in said] == [
        ("budget summary sent", "email", email.window, 2),
        ("budget summary sent", "sms", sms.window, 3),
    ]
    counted = metrics.metric_set["AlertBudgetSummarySent"]
    assert (counted["Unit"], list(counted["Value"])) == ("Count", [1.0, 1.0])
    metrics.clear_metrics()


def _sms_summary_failing(
    fakes: NotifyFakes, logs: io.StringIO, error: Exception
) -> tuple[BudgetSummaryMessage, datetime]:
    """An SMS summary owed (one request held), whose send will raise ``error``; logs emptied."""
    _flood(fakes, 3)
    (sms,) = _summaries(fakes)
    fakes.texter.errors["+14155550101"] = [error]
    logs.seek(0)
    logs.truncate()
    return sms, NOW + timedelta(minutes=61)


def test_a_summary_refused_for_good_is_counted_logged_and_not_retried(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    from intake_common.runtime.observability import metrics

    sms, later = _sms_summary_failing(fakes, logs, rejected("OptedOut"))
    metrics.clear_metrics()

    assert logic.handle_summary(sms, settings=SETTINGS, deps=fakes.deps, now=later) == "sent"

    counted = metrics.metric_set["AlertSendFailed"]  # AlertSendFailedAlarm
    assert (counted["Unit"], list(counted["Value"])) == ("Count", [1.0])
    metrics.clear_metrics()
    said = [json.loads(t) for t in logs.getvalue().splitlines()]
    first = said[0]
    assert (first["level"], first["message"], first["channel"], first["error"]) == (
        "ERROR",
        "budget summary rejected",
        "sms",
        "OptedOut",
    )
    # Recorded: the next delivery sends nothing more
    assert logic.handle_summary(sms, settings=SETTINGS, deps=fakes.deps, now=later) == "done"


def test_a_summary_delayed_for_now_is_logged_and_released_for_the_retry(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    sms, later = _sms_summary_failing(fakes, logs, throttled())

    with pytest.raises(logic.RetryLater):
        logic.handle_summary(sms, settings=SETTINGS, deps=fakes.deps, now=later)

    (line,) = [json.loads(t) for t in logs.getvalue().splitlines()]
    assert (line["level"], line["message"], line["channel"]) == (
        "WARNING",
        "budget summary failed, will retry",
        "sms",
    )
    assert "TooManyRequests" in line["error"]
