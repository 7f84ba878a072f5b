"""Temporary and permanent failures, poison messages and the detail levels."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from intake_common.domain.contract import AlertMessage
from intake_local.template import LocalStack
from notify_staff.adapters import SesMailer
from tests.support import swap
from tests.support.aws import (
    all_items,
    client_error,
    fail_until_dead_lettered,
    failing,
    json_body,
    outbox,
    receive,
)
from tests.support.data import valid_fields
from tests.support.handlers import Deliver, Invoke
from tests.support.stack import REGION


def test_throttled_email_fails_only_its_message_and_retry_sends_only_what_is_missing(
    invoke: Invoke, deliver: Deliver, aws: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from notify_staff import handler

    first, second = valid_fields(), valid_fields(full_name="Bo Lee")
    invoke(first)
    invoke(second)
    batch = receive(aws)
    assert len(batch) == 2
    # The first send_email is throttled, the rest go through.
    slow_down = client_error("TooManyRequestsException", "SendEmail")
    throttled = failing("sesv2", "SendEmail", slow_down, times=1)
    mailer = SesMailer(handler.settings.sender_email, throttled)
    with swap.dependencies(handler, mailer=mailer):
        result = deliver(batch)

    # Only the message whose email was throttled is reported failed
    assert [f["itemIdentifier"] for f in result["batchItemFailures"]] == [batch[0]["MessageId"]]
    sent = outbox()
    assert len(sent["emails"]) == 3  # 2 for the second request, 1 of 2 for the first
    assert len(sent["sms"]) == 2
    # When SQS delivers the failed message again, only the missing email is sent
    assert deliver([batch[0]]) == {"batchItemFailures": []}
    sent = outbox()
    assert len(sent["emails"]) == 4
    assert len(sent["sms"]) == 2
    assert {item["alert_state"] for item in all_items(aws)} == {"sent"}


def test_opted_out_phone_is_recorded_not_retried_and_email_still_sent(
    invoke: Invoke, deliver: Deliver, aws: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from notify_staff import handler

    # moto treats numbers ending in 99 as opted out
    opted_out = "+14155550199"
    monkeypatch.setattr(
        handler, "settings", handler.settings.model_copy(update={"staff_phones": (opted_out,)})
    )
    invoke(valid_fields())

    result = deliver()

    assert result == {"batchItemFailures": []}
    sent = outbox()
    assert sent["sms"] == []
    assert len(sent["emails"]) == 2
    item = all_items(aws)[0]
    assert item["alerts"][f"sms:{opted_out}"]["state"] == "failed"
    assert item["alerts"][f"sms:{opted_out}"]["error"] == "OptedOut"
    assert item["alert_state"] == "sent"


def test_rejected_sender_is_permanent_and_sms_still_sent(
    invoke: Invoke, deliver: Deliver, aws: LocalStack
) -> None:
    # The sender identity is no longer verified: SES rejects every email
    boto3.client("sesv2", region_name=REGION).delete_email_identity(
        EmailIdentity="alerts@clinic.example"
    )
    invoke(valid_fields())

    assert deliver() == {"batchItemFailures": []}
    item = all_items(aws)[0]
    states = {key.split(":")[0]: record["state"] for key, record in item["alerts"].items()}
    assert states == {"email": "failed", "sms": "sent"}
    assert len(outbox()["sms"]) == 1


def test_message_for_a_missing_request_ends_in_the_dlq(
    deliver: Deliver, aws: LocalStack, logs: Any
) -> None:
    sns = boto3.client("sns", region_name=REGION)
    message = AlertMessage(request_id=uuid.uuid4(), published_at=datetime.now(UTC))
    sns.publish(TopicArn=aws.physical["AlertTopic"], Message=message.model_dump_json())

    fail_until_dead_lettered(aws, deliver)

    dead = receive(aws, "AlertDeadLetterQueue")
    assert [m["Body"] for m in dead] == [message.model_dump_json()]
    assert "names no stored request" in logs.getvalue()


def test_malformed_message_fails_alone(invoke: Invoke, deliver: Deliver, aws: LocalStack) -> None:
    sns = boto3.client("sns", region_name=REGION)
    sns.publish(TopicArn=aws.physical["AlertTopic"], Message='{"version": 99}')
    invoke(valid_fields())
    batch = receive(aws)

    result = deliver(batch)

    bad = [m["MessageId"] for m in batch if m["Body"] == '{"version": 99}']
    assert [f["itemIdentifier"] for f in result["batchItemFailures"]] == bad
    assert len(outbox()["emails"]) == 2


def test_minimal_detail_email_holds_no_submitted_value(
    invoke: Invoke, deliver: Deliver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from notify_staff import handler

    monkeypatch.setattr(
        handler, "settings", handler.settings.model_copy(update={"alert_detail": "minimal"})
    )
    fields = valid_fields(preferred_date=None, preferred_time="evening")
    reference = json_body(invoke(fields))["reference"]

    deliver()

    for email in outbox()["emails"]:
        everything = email["subject"] + email["text"] + email["html"]
        assert reference in everything
        for value in ("Ana", "Núñez", "ana.nunez", "555", "2671", "Anxiety", "New patient"):
            assert value not in everything
        assert f"/staff/#/requests/{reference}" in email["text"]


def test_no_staff_channels_configured_marks_the_alert_failed(
    invoke: Invoke, deliver: Deliver, aws: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from notify_staff import handler

    monkeypatch.setattr(
        handler,
        "settings",
        handler.settings.model_copy(update={"staff_emails": (), "staff_phones": ()}),
    )
    invoke(valid_fields())

    assert deliver() == {"batchItemFailures": []}
    assert outbox() == {"emails": [], "sms": []}
    assert all_items(aws)[0]["alert_state"] == "failed"
