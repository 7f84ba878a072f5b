"""What SES reports after accepting a staff email, recorded on the request (notify_staff/
delivery.py, logic.handle_delivery_event). The records follow SES's documented format:
https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-examples.html"""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import pytest

from intake_common.domain.contract import AlertMessage
from intake_common.runtime.observability import metrics
from notify_staff import logic
from notify_staff.delivery import DeliveryEvent, is_delivery_event
from tests.support.builders import NOW, stored
from tests.support.fakes import NotifyFakes
from tests.unit.notify_staff.test_logic import PHONE, STAFF, _settings


def ses_record(
    event_type: str,
    recipients: list[str],
    tags: dict[str, str],
    **details: Any,
) -> dict[str, Any]:
    """An SES event publishing record, as its event destination sends it to SNS."""
    record: dict[str, Any] = {
        "eventType": event_type,
        "mail": {
            "timestamp": "2026-12-02T10:00:00.000Z",
            "source": "alerts@clinic.example",
            "sendingAccountId": "123456789012",
            "messageId": "0100018c-0000-0000-0000-000000000000-000000",
            "destination": recipients,
            "headersTruncated": False,
            "tags": {
                "ses:configuration-set": ["intake-StaffEmailConfigurationSet"],
                **{name: [value] for name, value in tags.items()},
            },
        },
    }
    listed = [{"emailAddress": r, "action": "failed", "status": "5.1.1"} for r in recipients]
    if event_type == "Bounce":
        record["bounce"] = {
            "bounceType": details.get("bounce_type", "Permanent"),
            "bounceSubType": details.get("sub_type", "General"),
            "bouncedRecipients": listed,
            "timestamp": "2026-12-02T10:00:05.000Z",
            "feedbackId": "0100018c-feedback",
        }
    elif event_type == "Complaint":
        record["complaint"] = {"complainedRecipients": listed, "complaintFeedbackType": "abuse"}
    elif event_type == "DeliveryDelay":
        record["deliveryDelay"] = {
            "delayType": "MailboxFull",
            "delayedRecipients": listed,
            "expirationTime": "2026-12-02T22:00:00.000Z",
        }
    elif event_type == "Reject":
        record["reject"] = {"reason": "Bad content"}
    return record


def _alerted(fakes: NotifyFakes, **settings: object) -> str:
    item = stored()
    fakes.store.insert(item)
    message = AlertMessage(request_id=uuid.UUID(item.submission_id), published_at=NOW)
    logic.handle_alert(message, settings=_settings(**settings), deps=fakes.deps, now=NOW)
    return item.submission_id


def _event(fakes: NotifyFakes, record: dict[str, Any], **settings: object) -> str:
    body = json.dumps(record)
    assert is_delivery_event(body)
    event = DeliveryEvent.model_validate_json(body)
    return logic.handle_delivery_event(
        event, settings=_settings(**settings), deps=fakes.deps, now=NOW
    )


def _tags(request_id: str, kind: str = "alert") -> dict[str, str]:
    return {"intake-message": kind, "intake-request": request_id}


def test_a_bounced_staff_alert_is_recorded_with_its_type_and_counted(fakes: NotifyFakes) -> None:
    metrics.clear_metrics()
    request_id = _alerted(fakes)
    # SES reports the address in its own case: the configured one names the alert.
    record = ses_record("Bounce", [STAFF[0].upper()], _tags(request_id), sub_type="MailboxFull")

    assert _event(fakes, record) == "recorded"

    item = fakes.store.get(request_id)
    assert item is not None
    bounced = item.alerts[f"email:{STAFF[0]}"]
    assert (bounced.state, bounced.error) == ("bounced", "Permanent/MailboxFull")
    assert item.alerts[f"email:{STAFF[1]}"].state == "sent"
    assert item.alert_state == "sent"  # the other address and the SMS reached someone
    assert "AlertBounced" in metrics.metric_set  # AlertBouncedAlarm
    assert "AlertNotDelivered" not in metrics.metric_set
    metrics.clear_metrics()


def test_when_every_alert_sent_bounced_nobody_was_alerted_after_all(fakes: NotifyFakes) -> None:
    metrics.clear_metrics()
    request_id = _alerted(fakes, staff_phones=())
    for address in STAFF:  # two events, one per address, as SES sends them
        record = ses_record("Bounce", [address], _tags(request_id), bounce_type="Transient")
        outcome = _event(fakes, record, staff_phones=())

    assert outcome == "undelivered"
    item = fakes.store.get(request_id)
    assert item is not None
    assert item.alert_state == "failed"
    assert {r.error for k, r in item.alerts.items() if k.startswith("email:")} == {
        "Transient/General"
    }
    assert "AlertNotDelivered" in metrics.metric_set  # AlertNotDeliveredAlarm
    metrics.clear_metrics()


def test_an_sms_that_went_out_still_counts_as_someone_reached(fakes: NotifyFakes) -> None:
    request_id = _alerted(fakes)
    for address in STAFF:
        _event(fakes, ses_record("Bounce", [address], _tags(request_id)))
    item = fakes.store.get(request_id)
    assert item is not None
    assert item.alerts[f"sms:{PHONE}"].state == "sent"
    assert item.alert_state == "sent"


def test_a_rejection_is_recorded_for_every_destination(fakes: NotifyFakes) -> None:
    request_id = _alerted(fakes, staff_emails=(STAFF[0],), staff_phones=())
    record = ses_record("Reject", [STAFF[0]], _tags(request_id))

    assert _event(fakes, record, staff_emails=(STAFF[0],), staff_phones=()) == "undelivered"
    item = fakes.store.get(request_id)
    assert item is not None
    assert item.alerts[f"email:{STAFF[0]}"].error == "Reject"


def test_a_bounce_recorded_twice_changes_nothing_more(fakes: NotifyFakes) -> None:
    request_id = _alerted(fakes)
    record = ses_record("Bounce", [STAFF[0]], _tags(request_id))
    assert _event(fakes, record) == "recorded"
    assert _event(fakes, record) == "recorded"  # SNS and SQS deliver at least once
    item = fakes.store.get(request_id)
    assert item is not None
    assert item.alerts[f"email:{STAFF[0]}"].state == "bounced"


@pytest.mark.parametrize(
    ("event_type", "metric", "outcome"),
    [
        ("DeliveryDelay", "EmailDeliveryDelayed", "delayed"),
        ("Complaint", "EmailComplaint", "complaint"),
    ],
)
def test_delays_and_complaints_are_counted_not_recorded_as_bounces(
    fakes: NotifyFakes, event_type: str, metric: str, outcome: str
) -> None:
    metrics.clear_metrics()
    request_id = _alerted(fakes)
    assert _event(fakes, ses_record(event_type, [STAFF[0]], _tags(request_id))) == outcome
    item = fakes.store.get(request_id)
    assert item is not None
    assert item.alerts[f"email:{STAFF[0]}"].state == "sent"  # a delay may still arrive
    assert metric in metrics.metric_set
    assert "AlertBounced" not in metrics.metric_set
    metrics.clear_metrics()


def test_a_bounced_summary_or_unknown_request_is_counted_only(fakes: NotifyFakes) -> None:
    metrics.clear_metrics()
    summary = ses_record("Bounce", [STAFF[0]], {"intake-message": "summary"})
    assert _event(fakes, summary) == "counted"
    gone = ses_record("Bounce", [STAFF[0]], _tags(str(uuid.uuid4())))
    assert _event(fakes, gone) == "counted"
    assert "AlertBounced" in metrics.metric_set
    metrics.clear_metrics()


def test_a_bounced_escalation_is_recorded_under_the_escalation(fakes: NotifyFakes) -> None:
    request_id = _alerted(fakes)
    lead = "lead@clinic.example"
    item = fakes.store.get(request_id)
    assert item is not None
    from intake_common.domain.item import RecordAlert

    fakes.store.change(request_id, RecordAlert(f"escalation-email:{lead}", "sent", "t"))
    record = ses_record("Bounce", [lead], _tags(request_id, "escalation"))

    assert _event(fakes, record, escalation_emails=(lead,)) == "recorded"
    item = fakes.store.get(request_id)
    assert item is not None
    assert item.alerts[f"escalation-email:{lead}"].state == "bounced"
    assert item.alert_state == "sent"  # escalations are not the request's alert


def test_a_visitors_confirmation_bounce_never_touches_the_request(fakes: NotifyFakes) -> None:
    metrics.clear_metrics()
    request_id = _alerted(fakes)
    record = ses_record("Bounce", ["ana@example.org"], _tags(request_id, "confirmation"))
    assert _event(fakes, record) == "ignored"
    assert "ConfirmationBounced" in metrics.metric_set
    assert "AlertBounced" not in metrics.metric_set
    metrics.clear_metrics()


def test_our_own_messages_are_never_taken_for_ses_records() -> None:
    message = AlertMessage(request_id=uuid.uuid4(), published_at=NOW)
    assert not is_delivery_event(message.model_dump_json())


def _lines(logs: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(text) for text in logs.getvalue().splitlines()]


def _counted(name: str) -> tuple[str, list[float]]:
    metric = metrics.metric_set[name]
    return metric["Unit"], list(metric["Value"])


def test_a_bounce_says_what_bounced_and_why_in_one_log_line_and_one_count(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    request_id = _alerted(fakes, staff_phones=())
    metrics.clear_metrics()
    logs.truncate(0)
    logs.seek(0)
    record = ses_record("Bounce", [STAFF[0]], _tags(request_id), sub_type="MailboxFull")

    _event(fakes, record, staff_phones=())

    assert _counted("AlertBounced") == ("Count", [1.0])
    (line,) = [line for line in _lines(logs) if line["level"] == "ERROR"]
    assert line["message"] == "staff email bounced"
    assert (line["reason"], line["event"], line["email"]) == (
        "Permanent/MailboxFull",
        "Bounce",
        "alert",
    )
    assert line["submission_id"] == request_id
    metrics.clear_metrics()


def test_every_alert_bounced_is_counted_once_as_not_delivered_and_said(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    request_id = _alerted(fakes, staff_phones=())
    metrics.clear_metrics()
    for address in STAFF:
        _event(fakes, ses_record("Bounce", [address], _tags(request_id)), staff_phones=())
    # SES reports the first bounce again later: nothing more is counted
    again = _event(fakes, ses_record("Bounce", [STAFF[0]], _tags(request_id)), staff_phones=())

    assert again == "recorded"
    assert _counted("AlertNotDelivered") == ("Count", [1.0])
    (line,) = [
        line
        for line in _lines(logs)
        if line["message"] == "no staff alert delivered: every one sent bounced"
    ]
    assert (line["level"], line["submission_id"]) == ("ERROR", request_id)
    metrics.clear_metrics()


@pytest.mark.parametrize(
    ("event_type", "metric", "message"),
    [
        ("DeliveryDelay", "EmailDeliveryDelayed", "staff email delayed"),
        ("Complaint", "EmailComplaint", "staff email marked as spam by its recipient"),
    ],
)
def test_a_delay_or_a_complaint_is_one_warning_and_one_count(
    fakes: NotifyFakes, logs: io.StringIO, event_type: str, metric: str, message: str
) -> None:
    request_id = _alerted(fakes)
    metrics.clear_metrics()
    logs.truncate(0)
    logs.seek(0)

    _event(fakes, ses_record(event_type, [STAFF[1]], {"intake-request": request_id}))

    assert _counted(metric) == ("Count", [1.0])
    (line,) = [line for line in _lines(logs) if line["level"] == "WARNING"]
    assert line["message"] == message
    assert (line["event"], line["email"], line["submission_id"]) == (
        event_type,
        "unknown",  # no message tag: said so, not guessed
        request_id,
    )
    metrics.clear_metrics()


def test_a_confirmation_bounce_is_one_count_and_changes_nothing(fakes: NotifyFakes) -> None:
    request_id = _alerted(fakes)
    metrics.clear_metrics()
    record = ses_record("Bounce", ["ana@example.org"], _tags(request_id, "confirmation"))
    _event(fakes, record)
    assert _counted("ConfirmationBounced") == ("Count", [1.0])
    metrics.clear_metrics()


def test_a_bounce_of_an_address_no_longer_configured_is_recorded_as_ses_names_it(
    fakes: NotifyFakes,
) -> None:
    # The alert went to an address since removed from StaffEmails; its bounce comes later.
    request_id = _alerted(fakes)
    later = (STAFF[1],)
    assert _event(fakes, ses_record("Bounce", [STAFF[0]], _tags(request_id)), staff_emails=later)
    item = fakes.store.get(request_id)
    assert item is not None
    assert item.alerts[f"email:{STAFF[0]}"].state == "bounced"
