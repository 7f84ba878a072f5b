"""AWS for the benchmarks without a network: real botocore clients whose calls are answered
at once (``fake_aws``), and the events the functions receive.

The same fakes serve our handlers, the bare baselines and the peer, so what is measured is the
code between the event and the AWS round trips, client creation included.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

# Answers per operation, as botocore parses them from AWS (clients.answering).
_ANSWERS: dict[str, Any] = {
    "PutItem": {},
    "UpdateItem": {},
    "Query": {"Items": [], "Count": 0},
    "GetItem": lambda _: {"Item": STORED["item"]} if "item" in STORED else {},
    "Publish": lambda _: {"MessageId": str(uuid.uuid4())},
    "CheckIfPhoneNumberIsOptedOut": {"isOptedOut": False},
    "SendEmail": lambda _: {"MessageId": str(uuid.uuid4())},
    "GetSecretValue": lambda _: {"SecretString": ORIGIN_VALUE, "VersionId": "bench"},
}
# What CloudFront sends the API in the benchmarks (the origin secret's value).
ORIGIN_VALUE = "bench-origin"
# The item every GetItem finds (notify_staff reads the request it is told about).
STORED: dict[str, dict[str, Any]] = {}


def fake_aws() -> None:
    """Every botocore client created from now on answers at once, without a network.

    A client is real (its creation, its parameter validation and serialisation are measured);
    only the HTTP round trip and the response parsing are replaced, by botocore's own
    ``before-call`` hook. The same for our functions, the bare baselines and the peer.
    """
    from botocore.session import Session

    from intake_common.aws.clients import answering

    original = Session.create_client
    answer = answering(_ANSWERS)

    def create_client(session: Any, *args: Any, **kwargs: Any) -> Any:
        client: Any = original(session, *args, **kwargs)
        # After botocore's own before-call handlers, as a real call; and after SnapStart
        # priming's offline answers (registered first), which must win while priming runs:
        # its origin secret is a value no one sends, not this one.
        client.meta.events.register("before-call.*.*", answer)
        return client

    Session.create_client = create_client  # type: ignore[method-assign,assignment]


def api_event(body: dict[str, Any]) -> dict[str, Any]:
    """A request from the clinic's page, as CloudFront forwards it (the kit's event)."""
    from intake_common.runtime.events import page_event

    return page_event("POST", "/appointments", origin_secret=ORIGIN_VALUE, body=body)


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
    """An SQS batch of one alert message about ``submission_id`` (the kit's event)."""
    from intake_common.runtime.events import sqs_event as batch
    from intake_common.runtime.events import sqs_record

    message = {
        "version": 1,
        "kind": "appointment_request.stored",
        "request_id": submission_id,
        "published_at": "2026-11-29T14:02:00Z",
    }
    return batch([sqs_record(json.dumps(message))])
