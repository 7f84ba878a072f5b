"""What submit_request does with a valid request: store it once, then announce it.

The write and the publish are two steps. The item is written first with ``alert_state``
``pending``; only ``notify_staff`` moves it on. So a request that is stored always has either a
message on its way or a pending state that a retry (same ``submission_id``) or the scheduled
re-drive publishes again. ``notify_staff`` sends each alert once per recipient, so publishing
twice is safe; publishing never is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol
from uuid import UUID

from intake_common.contract import AlertMessage
from intake_common.models import (
    SMOKE_TEST_RETENTION_DAYS,
    AppointmentRequest,
    is_smoke_test,
    reference_for,
)
from intake_common.observability import logger, metrics

from .adapters import PublishFailed

Outcome = Literal["created", "duplicate", "spam"]


class SubmissionConflict(Exception):
    """The id was already used for different content."""


class Store(Protocol):
    def insert(self, item: dict[str, Any]) -> dict[str, Any] | None: ...


class Publisher(Protocol):
    def publish(self, message: AlertMessage) -> str: ...


class PendingAlerts(Protocol):
    def pending_alerts(self, created_before: str, limit: int = 500) -> list[str]: ...


@dataclass(frozen=True)
class Receipt:
    submission_id: str
    reference: str
    outcome: Outcome


def build_item(
    request: AppointmentRequest, submission_id: UUID, now: datetime, retention_days: int
) -> dict[str, Any]:
    """The DynamoDB item for a new request (optional fields left out when empty)."""
    spam = request.is_spam
    fields = {key: value for key, value in request.normalised().items() if value is not None}
    smoke = is_smoke_test(submission_id)
    if smoke:  # a post-deploy check (intake smoke): gone within a day even if not erased
        retention_days = SMOKE_TEST_RETENTION_DAYS
    return {
        "submission_id": str(submission_id),
        "reference": reference_for(submission_id),
        "created_at": now.astimezone(UTC).isoformat(timespec="milliseconds"),
        "status": "spam" if spam else "new",
        **fields,
        "content_hash": request.content_hash(),
        "expires_at": int((now + timedelta(days=retention_days)).timestamp()),
        "alert_state": "skipped" if spam else "pending",
        "alerts": {},
        **({"smoke_test": True} if smoke else {}),
    }


def submit(
    request: AppointmentRequest,
    *,
    submission_id: UUID,
    now: datetime,
    retention_days: int,
    store: Store,
    publisher: Publisher,
) -> Receipt:
    """Store the request once and make sure its alert is on its way.

    Raises ``SubmissionConflict`` for a reused id with other content, and lets
    ``StorageUnavailable`` through: nothing was stored and the visitor may retry.
    """
    item = build_item(request, submission_id, now, retention_days)
    receipt_id, reference = item["submission_id"], item["reference"]
    existing = store.insert(item)

    if existing is None:
        outcome: Outcome = "spam" if request.is_spam else "created"
        alert_pending = not request.is_spam
    else:
        if existing.get("content_hash") != item["content_hash"]:
            metrics.add_metric(name="SubmissionConflict", unit="Count", value=1)
            raise SubmissionConflict
        outcome = "spam" if existing.get("status") == "spam" else "duplicate"
        alert_pending = existing.get("alert_state") == "pending"
        metrics.add_metric(name="RequestDuplicate", unit="Count", value=1)

    if outcome == "spam":
        metrics.add_metric(name="RequestSpam", unit="Count", value=1)
    elif outcome == "created":
        metrics.add_metric(name="RequestAccepted", unit="Count", value=1)

    if alert_pending:
        announce(publisher, submission_id, now)
    logger.info("request stored", submission_id=receipt_id, outcome=outcome)
    return Receipt(submission_id=receipt_id, reference=reference, outcome=outcome)


def redrive_pending(
    store: PendingAlerts, publisher: Publisher, created_before: datetime, now: datetime
) -> int:
    """Publish again the alert of every request still pending that was stored before
    ``created_before``; used by the scheduled re-drive and by ``intake alerts redrive``."""
    cutoff = created_before.astimezone(UTC).isoformat(timespec="milliseconds")
    ids = store.pending_alerts(cutoff)
    for submission_id in ids:
        announce(publisher, submission_id, now)
    return len(ids)


def announce(publisher: Publisher, submission_id: UUID | str, now: datetime) -> None:
    """Publish the alert message; a failure leaves the alert pending for a retry."""
    message = AlertMessage(request_id=UUID(str(submission_id)), published_at=now)
    try:
        message_id = publisher.publish(message)
    except PublishFailed as exc:
        # The request is stored and its alert stays pending: the visitor's retry or the
        # scheduled re-drive publishes it again. The visitor is not told to worry.
        metrics.add_metric(name="AlertPublishFailed", unit="Count", value=1)
        logger.error("alert publish failed", submission_id=str(submission_id), error=str(exc))
        return
    logger.info("alert published", submission_id=str(submission_id), message_id=message_id)
