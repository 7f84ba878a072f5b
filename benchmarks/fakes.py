"""AWS for the benchmarks without a network: real botocore clients whose calls are answered
at once (``fake_aws``), and the events the functions receive.

The same fakes serve our handlers, the bare baselines and the peer, so what is measured is the
code between the event and the AWS round trips, client creation included.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Answers per (service, operation), as botocore parses them from AWS.
_ANSWERS: dict[tuple[str, str], Callable[[dict[str, Any]], dict[str, Any]]] = {
    ("dynamodb", "PutItem"): lambda _: {},
    ("dynamodb", "UpdateItem"): lambda _: {},
    ("dynamodb", "Query"): lambda _: {"Items": [], "Count": 0},
    ("dynamodb", "GetItem"): lambda _: {"Item": STORED["item"]} if "item" in STORED else {},
    ("sns", "Publish"): lambda _: {"MessageId": str(uuid.uuid4())},
    ("sns", "CheckIfPhoneNumberIsOptedOut"): lambda _: {"isOptedOut": False},
    ("sesv2", "SendEmail"): lambda _: {"MessageId": str(uuid.uuid4())},
}
# The item every GetItem finds (notify_staff reads the request it is told about).
STORED: dict[str, dict[str, Any]] = {}


class _Http:
    """What botocore reads of an HTTP answer once a handler has answered for AWS."""

    status_code = 200
    headers: dict[str, str] = {}  # noqa: RUF012 - read-only
    content = b""


def _answer(model: Any, params: dict[str, Any], **_: Any) -> tuple[_Http, dict[str, Any]]:
    service = model.service_model.service_name
    parsed = _ANSWERS[(service, model.name)](params)
    parsed["ResponseMetadata"] = {"HTTPStatusCode": 200, "RetryAttempts": 0}
    return _Http(), parsed


def fake_aws() -> None:
    """Every botocore client created from now on answers at once, without a network.

    A client is real (its creation, its parameter validation and serialisation are measured);
    only the HTTP round trip and the response parsing are replaced, by botocore's own
    ``before-call`` hook. The same for our functions, the bare baselines and the peer.
    """
    from botocore.session import Session

    original = Session.create_client

    def create_client(session: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(session, *args, **kwargs)
        client.meta.events.register_first("before-call.*.*", _answer)  # type: ignore[arg-type]
        return client

    Session.create_client = create_client  # type: ignore[method-assign,assignment]


EVENTS = Path(__file__).resolve().parents[1] / "tests" / "events"
_API_EVENT = json.loads((EVENTS / "apigw-rest-post-appointments.json").read_text())


# What CloudFront adds and a browser sends for the clinic's own page (the function refuses
# anything else as cross-site).
_SITE = "d111111abcdef8.cloudfront.net"
_PAGE_HEADERS = {
    "Origin": f"https://{_SITE}",
    "Sec-Fetch-Site": "same-origin",
    "X-Forwarded-Host": _SITE,
}


def api_event(body: dict[str, Any]) -> dict[str, Any]:
    """A recorded API Gateway REST event with a fresh body, from the clinic's page."""
    headers = {**(_API_EVENT.get("headers") or {}), **_PAGE_HEADERS}
    multi = {key: [value] for key, value in headers.items()}
    return {**_API_EVENT, "headers": headers, "multiValueHeaders": multi, "body": json.dumps(body)}


def request_body() -> dict[str, Any]:
    return {
        "submission_id": str(uuid.uuid4()),
        "full_name": "Ana Núñez",
        "email": "ana@example.org",
        "phone": "(415) 555-2671",
        "preferred_contact": "phone",
        "visit_type": "new",
        "preferred_time": "morning",
        "reason": "Worry, most days.",
        "consent": True,
        "consent_version": "2026-11",
    }


def stored_item(submission_id: str) -> dict[str, Any]:
    """The DynamoDB item notify_staff reads, as the table adapter writes it."""
    from datetime import UTC, datetime

    from intake_common.aws.table import to_attributes
    from intake_common.domain.item import RequestItem
    from intake_common.domain.models import AppointmentRequest

    now = datetime.now(UTC)
    request = AppointmentRequest.model_validate(request_body(), context={"today": now.date()})
    item = RequestItem.new(request, uuid.UUID(submission_id), now, 365)
    return to_attributes(item.attributes())


def sqs_event(submission_id: str) -> dict[str, Any]:
    body = json.dumps(
        {
            "version": 1,
            "kind": "appointment_request.stored",
            "request_id": submission_id,
            "published_at": "2026-11-29T14:02:00Z",
        }
    )
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "handle",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1",
                    "SenderId": "x",
                    "ApproximateFirstReceiveTimestamp": "1",
                },
                "messageAttributes": {},
                "md5OfBody": "0" * 32,
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
                "awsRegion": "us-east-1",
            }
        ]
    }
