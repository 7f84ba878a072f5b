"""Helpers that look at the test stack's AWS (moto and dynalite), as a test would by hand."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

from intake_local.outbox import read_outbox
from intake_local.template import LocalStack
from tests.support.stack import REGION


def json_body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def all_items(stack: LocalStack, table: str = "RequestsTable") -> list[dict[str, Any]]:
    """Every item of a table (a test may scan; the product never does)."""
    resource = boto3.resource("dynamodb", region_name=REGION).Table(stack.physical[table])
    return list(resource.scan(ConsistentRead=True)["Items"])


def receive(stack: LocalStack, queue: str = "AlertQueue", wait: int = 0) -> list[dict[str, Any]]:
    """Receive what SNS really delivered to a queue (moto), as Lambda's poller would."""
    sqs = boto3.client("sqs", region_name=REGION)
    response = sqs.receive_message(
        QueueUrl=stack.physical[queue],
        MaxNumberOfMessages=10,
        AttributeNames=["All"],
        MessageAttributeNames=["All"],
        WaitTimeSeconds=wait,
    )
    return [dict(message) for message in response.get("Messages", [])]


def outbox() -> dict[str, list[dict[str, Any]]]:
    return read_outbox(REGION)


def header(response: dict[str, Any], name: str) -> str | None:
    """A response header as API Gateway would send it (``headers`` and ``multiValueHeaders``)."""
    for key, values in (response.get("multiValueHeaders") or {}).items():
        if key.lower() == name.lower():
            return ", ".join(values)
    for key, value in (response.get("headers") or {}).items():
        if key.lower() == name.lower():
            return str(value)
    return None


def fail_until_dead_lettered(stack: LocalStack, deliver: Any, receives: int = 5) -> None:
    """Let notify_staff fail one message on every receive until SQS dead-letters it.

    ``receives`` is the template's ``maxReceiveCount``; the visibility timeout is cut to 0
    after each failure so the test need not wait for it.
    """
    sqs = boto3.client("sqs", region_name=REGION)
    for _ in range(receives):
        batch = receive(stack)
        assert len(batch) == 1
        assert len(deliver(batch)["batchItemFailures"]) == 1
        sqs.change_message_visibility(
            QueueUrl=stack.physical["AlertQueue"],
            ReceiptHandle=batch[0]["ReceiptHandle"],
            VisibilityTimeout=0,
        )
    assert receive(stack) == []


def client_error(code: str, operation: str) -> ClientError:
    """The error botocore raises when AWS refuses a call with ``code``."""
    return ClientError({"Error": {"Code": code, "Message": "injected"}}, operation)


def failing(service: str, operation: str, error: BaseException, times: int | None = None) -> Any:
    """A real client of the test stack whose ``operation`` raises ``error`` (every time, or the
    first ``times`` calls; then it goes through): a fault injected where botocore would meet it,
    before the request is sent."""
    make: Any = boto3.client  # any service by name: typed per service, not for a variable
    client = make(service, region_name=REGION)
    left = [times]

    def refuse(**_: Any) -> None:
        if left[0] is None or left[0] > 0:
            if left[0] is not None:
                left[0] -= 1
            raise error

    client.meta.events.register(f"before-call.*.{operation}", refuse)
    return client
