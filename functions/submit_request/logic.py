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

from intake_common.domain.item import RequestItem
from intake_common.domain.models import AppointmentRequest
from intake_common.runtime.observability import logger, metrics
from intake_common.services.alerts import announce

from .ports import Dependencies, HumanCheck

Outcome = Literal["created", "duplicate", "spam"]


class SubmissionConflict(Exception):
    """The id was already used for different content."""


class HumanCheckFailed(Exception):
    """The human check (Turnstile) is on and the request did not pass it."""


def check_human(
    check: HumanCheck | None, token: str | None, submission_id: UUID, hostname: str = ""
) -> None:
    """Before anything is stored: with the check on, the request must carry a passing token.
    Lets ``HumanCheckUnavailable`` through (nothing stored; the visitor may retry)."""
    if check is None:
        return
    if not token or not check.passed(token, str(submission_id), hostname):
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

    # One log line per request (each costs a JSON rendering): what happened, and the message.
    message_id = announce(deps.publisher, submission_id, now) if alert_pending else None
    logger.info(
        "request stored", submission_id=item.submission_id, outcome=outcome, message_id=message_id
    )
    return Receipt(
        submission_id=item.submission_id,
        reference=item.reference,
        outcome=outcome,
        urgent=item.urgent,
    )
