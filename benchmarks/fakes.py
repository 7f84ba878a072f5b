"""In-memory AWS for the benchmarks: clients that answer like AWS without any network.

The same fakes serve our handlers and the bare baselines, so what is measured is the code
between the event and the AWS calls.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any


class FakeDynamoDB:
    def __init__(self, item: dict[str, Any] | None = None) -> None:
        self.item = item

    def put_item(self, **_: Any) -> dict[str, Any]:
        return {}

    def get_item(self, **_: Any) -> dict[str, Any]:
        return {"Item": self.item} if self.item else {}

    def update_item(self, **_: Any) -> dict[str, Any]:
        return {}


class FakeSNS:
    def publish(self, **_: Any) -> dict[str, Any]:
        return {"MessageId": str(uuid.uuid4())}

    def check_if_phone_number_is_opted_out(self, **_: Any) -> dict[str, Any]:
        return {"isOptedOut": False}


class FakeSES:
    def send_email(self, **_: Any) -> dict[str, Any]:
        return {"MessageId": str(uuid.uuid4())}


EVENTS = Path(__file__).resolve().parents[1] / "tests" / "events"
_API_EVENT = json.loads((EVENTS / "apigw-rest-post-appointments.json").read_text())


def api_event(body: dict[str, Any]) -> dict[str, Any]:
    """A recorded API Gateway REST event with a fresh body."""
    return {**_API_EVENT, "body": json.dumps(body)}


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
    """The DynamoDB item notify_staff reads, in DynamoDB's wire format."""
    return {
        "submission_id": {"S": submission_id},
        "reference": {"S": "K7Q2-93XD"},
        "created_at": {"S": "2026-11-29T14:02:00.000+00:00"},
        "status": {"S": "new"},
        "full_name": {"S": "Ana Núñez"},
        "email": {"S": "ana@example.org"},
        "phone": {"S": "+14155552671"},
        "preferred_contact": {"S": "phone"},
        "sms_consent": {"BOOL": False},
        "visit_type": {"S": "new"},
        "preferred_time": {"S": "morning"},
        "reason": {"S": "Worry, most days."},
        "consent_version": {"S": "2026-11"},
        "content_hash": {"S": "0" * 64},
        "expires_at": {"N": "4102444800"},
        "alert_state": {"S": "pending"},
        "alerts": {"M": {}},
    }


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
