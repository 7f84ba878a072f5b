"""What submit_request does with a valid request: store it once, then announce it.

The write and the publish are two steps. The item is written first with ``alert_state``
``pending``; only ``notify_staff`` moves it on. So a request that is stored always has either a
message on its way or a pending state that a retry (same ``submission_id``) or the scheduled
re-drive publishes again. ``notify_staff`` sends each alert once per recipient, so publishing
twice is safe; publishing never is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from intake_common.budget import ended_windows
from intake_common.contract import AlertChannel, AlertMessage, BudgetSummaryMessage
from intake_common.item import RequestItem, timestamp
from intake_common.models import AppointmentRequest
from intake_common.observability import logger, metrics

from .ports import (
    AlertBudget,
    AlertPublisher,
    Dependencies,
    HumanCheck,
    PublishFailed,
    RequestStore,
)

Outcome = Literal["created", "duplicate", "spam"]
# At most this many pending alerts are published again per re-drive run.
REDRIVE_BATCH = 500


class SubmissionConflict(Exception):
    """The id was already used for different content."""


class HumanCheckFailed(Exception):
    """The human check (Turnstile) is on and the request did not pass it."""


def check_human(check: HumanCheck | None, token: str | None, submission_id: UUID) -> None:
    """Before anything is stored: with the check on, the request must carry a passing token.
    Lets ``HumanCheckUnavailable`` through (nothing stored; the visitor may retry)."""
    if check is None:
        return
    if not token or not check.passed(token, str(submission_id)):
        metrics.add_metric(name="HumanCheckFailed", unit="Count", value=1)
        raise HumanCheckFailed


@dataclass(frozen=True)
class Receipt:
    submission_id: str
    reference: str
    outcome: Outcome
    # The request suggests a crisis (crisis.py): its thank-you page puts 988 first.
    urgent: bool = False


def submit(
    request: AppointmentRequest,
    *,
    submission_id: UUID,
    now: datetime,
    retention_days: int,
    deps: Dependencies,
) -> Receipt:
    """Store the request once and make sure its alert is on its way.

    Raises ``SubmissionConflict`` for a reused id with other content, and lets
    ``StorageUnavailable`` through: nothing was stored and the visitor may retry.
    """
    item = RequestItem.new(request, submission_id, now, retention_days)
    existing = deps.store.insert(item)

    if existing is None:
        outcome: Outcome = "spam" if request.is_spam else "created"
        alert_pending = not request.is_spam
    else:
        if existing.content_hash != item.content_hash:
            metrics.add_metric(name="SubmissionConflict", unit="Count", value=1)
            raise SubmissionConflict
        outcome = "spam" if existing.status == "spam" else "duplicate"
        alert_pending = existing.alert_state == "pending"
        metrics.add_metric(name="RequestDuplicate", unit="Count", value=1)

    if outcome == "spam":
        metrics.add_metric(name="RequestSpam", unit="Count", value=1)
    elif outcome == "created":
        metrics.add_metric(name="RequestAccepted", unit="Count", value=1)

    if alert_pending:
        announce(deps.publisher, submission_id, now)
    logger.info("request stored", submission_id=item.submission_id, outcome=outcome)
    return Receipt(
        submission_id=item.submission_id,
        reference=item.reference,
        outcome=outcome,
        urgent=item.urgent,
    )


def redrive_pending(
    store: RequestStore, publisher: AlertPublisher, created_before: datetime, now: datetime
) -> int:
    """Publish again the alert of every request still pending that was stored before
    ``created_before``; used by the scheduled re-drive and by ``intake alerts redrive``."""
    ids = store.pending_alerts(timestamp(created_before), REDRIVE_BATCH)
    for submission_id in ids:
        announce(publisher, submission_id, now)
    return len(ids)


def announce(publisher: AlertPublisher, submission_id: UUID | str, now: datetime) -> None:
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


def summaries_owed(
    budget: AlertBudget, publisher: AlertPublisher, now: datetime, window_minutes: int
) -> int:
    """Publish a summary message for every ended window in which alerts were held and no
    summary was sent yet (notify_staff sends it, once)."""
    channels: tuple[AlertChannel, ...] = ("email", "sms")
    owed = 0
    for window in ended_windows(now, window_minutes):
        for channel in channels:
            counter = budget.window(channel, window)
            if counter is None or not counter.summary_due:
                continue
            try:
                publisher.publish(
                    BudgetSummaryMessage(channel=channel, window=window, published_at=now)
                )
            except PublishFailed as exc:
                # The next run finds it still owed.
                logger.error("budget summary publish failed", channel=channel, error=str(exc))
                continue
            owed += 1
    return owed
