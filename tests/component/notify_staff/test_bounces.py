"""A staff alert that SES accepted and then bounced: SES's event destination publishes the
record to the delivery-events topic, which delivers it to the alert queue (template.yaml:
StaffEmailEventDestination, DeliveryEventsSubscription); notify_staff records it on the
request, counts it, and the inbox and `intake requests show` say which address and why.

SES's event flow is not emulated by moto: the record is published to the topic as SES
publishes it (its documented format, tests/unit/notify_staff/test_delivery_events.py)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from intake_local.template import LocalStack
from tests.support.aws import all_items, json_body
from tests.support.data import valid_fields
from tests.support.handlers import Deliver, Invoke, claims_for, staff
from tests.support.leaks import LeakGuard
from tests.support.stack import PARAMETERS, REGION
from tests.unit.notify_staff.test_delivery_events import ses_record

STAFF_EMAILS = PARAMETERS["StaffEmails"].split(",")


def _publish_as_ses(aws: LocalStack, record: dict[str, Any]) -> None:
    boto3.client("sns", region_name=REGION).publish(
        TopicArn=aws.physical["DeliveryEventsTopic"], Message=json.dumps(record)
    )


def _bounce_every_staff_email(aws: LocalStack, request_id: str) -> None:
    tags = {"intake-message": "alert", "intake-request": request_id}
    for address in STAFF_EMAILS:
        _publish_as_ses(aws, ses_record("Bounce", [address], tags, sub_type="MailboxFull"))


def test_a_bounced_staff_alert_is_recorded_counted_and_shown(
    invoke: Invoke,
    deliver: Deliver,
    aws: LocalStack,
    leak_guard: LeakGuard,
    capsys: pytest.CaptureFixture[str],
) -> None:
    body = json_body(invoke(valid_fields()))
    assert deliver() == {"batchItemFailures": []}  # emailed and texted
    request_id = all_items(aws)[0]["submission_id"]
    capsys.readouterr()

    # SES gives up on the first staff mailbox
    tags = {"intake-message": "alert", "intake-request": request_id}
    _publish_as_ses(aws, ses_record("Bounce", [STAFF_EMAILS[0]], tags, sub_type="MailboxFull"))
    assert deliver() == {"batchItemFailures": []}

    item = all_items(aws)[0]
    assert item["alerts"][f"email:{STAFF_EMAILS[0]}"]["state"] == "bounced"
    assert item["alerts"][f"email:{STAFF_EMAILS[0]}"]["error"] == "Permanent/MailboxFull"
    assert item["alert_state"] == "sent"  # the other mailbox and the phone were reached
    emitted = capsys.readouterr().out
    assert '"AlertBounced"' in emitted  # AlertBouncedAlarm
    # The inbox shows which address bounced and why
    shown = staff(
        leak_guard,
        "GET",
        f"/staff/requests/{body['reference']}",
        claims=claims_for("staff"),
    )
    alerts = json.loads(shown["body"])["request"]["alerts"]
    assert {
        "channel": "email",
        "to": STAFF_EMAILS[0],
        "state": "bounced",
        "error": "Permanent/MailboxFull",
    } in alerts


def test_when_every_staff_alert_bounced_the_request_reached_nobody(
    invoke: Invoke,
    deliver: Deliver,
    aws: LocalStack,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from notify_staff import handler

    monkeypatch.setattr(
        handler, "settings", handler.settings.model_copy(update={"staff_phones": ()})
    )
    invoke(valid_fields())
    deliver()
    request_id = all_items(aws)[0]["submission_id"]
    capsys.readouterr()

    _bounce_every_staff_email(aws, request_id)
    assert deliver() == {"batchItemFailures": []}

    assert all_items(aws)[0]["alert_state"] == "failed"  # the inbox says "nobody was alerted"
    assert '"AlertNotDelivered"' in capsys.readouterr().out  # AlertNotDeliveredAlarm
