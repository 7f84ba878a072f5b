"""Announcing stored requests: submit_request after storing one, the scheduled re-drive and
``intake alerts redrive`` for those whose alert is still pending.

Publishing twice is safe (``notify_staff`` sends each alert once per recipient); publishing
never is not, so a failed publish leaves the alert pending for a retry or the re-drive.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from intake_common.domain.contract import AlertMessage
from intake_common.domain.item import timestamp
from intake_common.domain.ports import AlertPublisher, PublishFailed, RequestStore
from intake_common.runtime.observability import logger, metrics

# At most this many pending alerts are published again per re-drive run.
REDRIVE_BATCH = 500


def announce(publisher: AlertPublisher, submission_id: UUID | str, now: datetime) -> str | None:
    """Publish the alert message: its message id, or None if it failed (the alert stays pending
    for a retry; the failure is counted and logged here, a success by the caller)."""
    message = AlertMessage(request_id=UUID(str(submission_id)), published_at=now)
    try:
        message_id = publisher.publish(message)
    except PublishFailed as exc:
        # The request is stored and its alert stays pending: the visitor's retry or the
        # scheduled re-drive publishes it again. The visitor is not told to worry.
        metrics.add_metric(name="AlertPublishFailed", unit="Count", value=1)
        logger.error("alert publish failed", submission_id=str(submission_id), error=str(exc))
        return None
    return message_id


def redrive_pending(
    store: RequestStore, publisher: AlertPublisher, created_before: datetime, now: datetime
) -> int:
    """Publish again the alert of every request still pending that was stored before
    ``created_before``; used by the scheduled re-drive and by ``intake alerts redrive``."""
    ids = store.pending_alerts(timestamp(created_before), REDRIVE_BATCH)
    for submission_id in ids:
        message_id = announce(publisher, submission_id, now)
        if message_id is not None:
            logger.info("alert published again", submission_id=submission_id, message_id=message_id)
    return len(ids)
