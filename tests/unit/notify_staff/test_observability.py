"""What notify_staff tells ops: one log line per outcome with ids, channels and codes (never an
address or a submitted value), and the metrics the alarms and the dashboard count."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from notify_staff import logic
from tests.support.builders import stored
from tests.support.fakes import NotifyFakes, rejected, throttled
from tests.support.metrics import counted as _counted
from tests.unit.notify_staff.test_logic import PHONE, STAFF, _handle, _with

KEPT = {"level", "message", "submission_id", "alert_state", "sent", "failed", "held"}
KEPT |= {"confirmation", "channel", "recipient_index", "error"}


def _said(logs: io.StringIO) -> list[dict[str, Any]]:
    lines = [json.loads(text) for text in logs.getvalue().splitlines()]
    logs.seek(0)
    logs.truncate()
    return [{k: v for k, v in line.items() if k in KEPT} for line in lines]


def test_an_alert_sent_to_everyone_is_one_line_and_one_count_per_send(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    message = _with(fakes, stored())
    key = str(message.request_id)

    assert _handle(fakes, message) == "sent"
    assert _said(logs) == [
        {
            "level": "INFO",
            "message": "staff alerted",
            "submission_id": key,
            "alert_state": "sent",
            "sent": 3,
            "failed": 0,
            "held": [],
            "confirmation": "not_requested",
        }
    ]
    assert _counted() == {"AlertSent": ("Count", [1.0, 1.0, 1.0])}

    assert _handle(fakes, message) == "sent"  # redelivered: said, not counted
    assert _said(logs) == [
        {
            "level": "INFO",
            "message": "alert not needed",
            "submission_id": key,
            "alert_state": "sent",
        }
    ]
    assert _counted() == {}


def test_a_delayed_and_a_refused_send_are_told_apart(fakes: NotifyFakes, logs: io.StringIO) -> None:
    message = _with(fakes, stored())
    key = str(message.request_id)
    fakes.mailer.errors[STAFF[0]] = [throttled()]
    fakes.texter.errors[PHONE] = [rejected("OptedOut")]

    with pytest.raises(logic.RetryLater):
        _handle(fakes, message)

    assert _said(logs) == [
        {
            "level": "WARNING",
            "message": "alert send failed, will retry",
            "submission_id": key,
            "channel": "email",
            "recipient_index": 0,
            "error": "TooManyRequestsException",
        },
        {
            "level": "ERROR",  # a staff channel refused for good pages ops
            "message": "alert send rejected, not retried",
            "submission_id": key,
            "channel": "sms",
            "recipient_index": 2,
            "error": "OptedOut",
        },
    ]
    assert _counted() == {
        "AlertSendRetried": ("Count", [1.0]),
        "AlertSent": ("Count", [1.0]),
        "AlertSendFailed": ("Count", [1.0]),
    }


def test_an_alert_that_reached_nobody_is_an_error_and_counted_once(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    message = _with(fakes, stored())
    key = str(message.request_id)
    for address in STAFF:
        fakes.mailer.errors[address] = [rejected("MessageRejected")]
    fakes.texter.errors[PHONE] = [rejected("OptedOut")]

    assert _handle(fakes, message) == "failed"

    said = _said(logs)
    assert said[-2:] == [
        {
            "level": "ERROR",
            "message": "no staff alert delivered",
            "submission_id": key,
            "failed": 3,
        },
        {
            "level": "INFO",
            "message": "staff alerted",
            "submission_id": key,
            "alert_state": "failed",
            "sent": 0,
            "failed": 3,
            "held": [],
            "confirmation": "not_requested",
        },
    ]
    assert _counted() == {
        "AlertSendFailed": ("Count", [1.0, 1.0, 1.0]),
        "AlertNotDelivered": ("Count", [1.0]),
    }


def test_an_alert_the_budget_holds_is_said_and_counted_per_channel(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    caps = {"sms_per_window": 1, "emails_per_window": 1}
    _handle(fakes, _with(fakes, stored()), **caps)
    message = _with(fakes, stored())
    key = str(message.request_id)
    _said(logs)
    _counted()

    assert _handle(fakes, message, **caps) == "summarized"

    said = _said(logs)
    assert said[:2] == [
        {
            "level": "WARNING",
            "message": "alert budget reached; alert held for the summary",
            "submission_id": key,
            "channel": channel,
        }
        for channel in ("email", "sms")
    ]
    assert said[2]["held"] == ["email", "sms"]
    assert _counted() == {"AlertBudgetExceeded": ("Count", [1.0, 1.0])}
