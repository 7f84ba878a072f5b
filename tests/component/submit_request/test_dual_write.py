"""The write and the publish are two steps: a stored request's alert is never lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from intake_common.aws.table import DynamoRequestStore
from intake_local.template import LocalStack
from tests.support import swap
from tests.support.aws import all_items, client_error, failing, json_body, outbox, receive
from tests.support.data import valid_fields
from tests.support.handlers import Deliver, Invoke


def _broken_topic() -> Any:
    from intake_common.aws.topic import SnsAlertPublisher
    from submit_request import handler

    return swap.dependencies(
        handler,
        # Every publish fails (the adapter turns it into PublishFailed).
        publisher=SnsAlertPublisher(
            handler.settings.topic_arn,
            failing("sns", "Publish", client_error("InternalError", "Publish")),
        ),
    )


def test_publish_failure_keeps_the_request_pending_and_a_retry_alerts_once(
    invoke: Invoke, deliver: Deliver, aws: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:

    fields = valid_fields()
    with _broken_topic():
        first = invoke(fields)
    assert first["statusCode"] == 201
    assert all_items(aws)[0]["alert_state"] == "pending"
    assert receive(aws) == []

    # The visitor's page retries with the same submission_id
    second = invoke(fields)
    deliver()

    assert json_body(second) == json_body(first)
    assert len(outbox()["emails"]) == 2
    assert len(outbox()["sms"]) == 1
    assert all_items(aws)[0]["alert_state"] == "sent"


def test_redrive_publishes_pending_alerts_after_the_grace_period_only(
    invoke: Invoke, deliver: Deliver, aws: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from redrive_alerts import handler as redrive
    from redrive_alerts import logic as redrive_logic

    def sweep(now: datetime, deps: Any) -> int:
        return redrive_logic.redrive(now, redrive.settings.sweep_grace_minutes, deps)

    with _broken_topic():
        invoke(valid_fields())
    invoke(valid_fields(full_name="Bo Lee"))  # published normally
    deliver()
    assert len(outbox()["emails"]) == 2

    now = datetime.now(UTC)
    deps = redrive.dependencies()
    assert sweep(now, deps) == 0  # still inside the grace period
    assert sweep(now + timedelta(minutes=6), deps) == 1
    deliver()
    assert sweep(now + timedelta(minutes=12), deps) == 0

    assert len(outbox()["emails"]) == 4
    assert len(outbox()["sms"]) == 2
    assert {item["alert_state"] for item in all_items(aws)} == {"sent"}


def test_storage_throttled_is_503_with_retry_after_and_nothing_stored(
    invoke: Invoke, aws: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from submit_request import handler

    throttled = client_error("ProvisionedThroughputExceededException", "PutItem")
    fields = valid_fields()
    table = DynamoRequestStore(
        handler.settings.table_name, failing("dynamodb", "PutItem", throttled)
    )
    with swap.dependencies(handler, store=table):
        response = invoke(fields)

    assert response["statusCode"] == 503
    assert response["multiValueHeaders"]["Retry-After"] == ["5"]
    assert all_items(aws) == []
    assert invoke(fields)["statusCode"] == 201
    assert len(all_items(aws)) == 1
