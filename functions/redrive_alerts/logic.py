"""What the scheduled sweep does: publish again the alerts still pending after a grace, the
budget summaries owed for ended windows, an escalation for each urgent request nobody has
reached within its target, and the day's digest at opening (notify_staff sends each, once)."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from intake_common.domain.clinic_hours import CallbackTargets
from intake_common.domain.contract import (
    AlertChannel,
    BudgetSummaryMessage,
    DigestMessage,
    EscalationMessage,
)
from intake_common.domain.limits import ended_windows
from intake_common.domain.paging import phases
from intake_common.runtime.observability import logger, metrics
from intake_common.services.alerts import redrive_pending
from intake_common.services.callbacks import every_row

from .ports import AlertBudget, AlertPublisher, Dependencies, PublishFailed


def redrive(now: datetime, grace_minutes: int, deps: Dependencies) -> int:
    """Publish the alert of every request pending for longer than the grace period."""
    count = redrive_pending(deps.store, deps.publisher, now - timedelta(minutes=grace_minutes), now)
    if count:
        metrics.add_metric(name="AlertRedriven", unit="Count", value=count)
        logger.warning("re-drove pending alerts", count=count)
    return count


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
                # The next run finds it still owed; counted like an alert's (one alarm hears both).
                metrics.add_metric(name="AlertPublishFailed", unit="Count", value=1)
                logger.error("budget summary publish failed", channel=channel, error=str(exc))
                continue
            owed += 1
    return owed


# How long the sweep remembers it published an escalation or a day's digest (then TTL).
MARK_KEEP_SECONDS = 35 * 86400
# The digest goes at opening; a sweep that missed it (a failed run) still sends it this late.
DIGEST_LATE = timedelta(hours=2)


def escalations_owed(deps: Dependencies, targets: CallbackTargets, now: datetime) -> int:
    """Publish an escalation for every urgent request still ``new`` past its target, once
    (notify_staff alerts the escalation contacts, once each, and only while it is ``new``).

    Reads the call-back queue's urgent step oldest first, and stops at the first request still
    within its target. A mark in the limits table (``escalation#<id>``), written after the
    publish, keeps the next sweeps from publishing it again; two overlapping sweeps may both
    publish, and notify_staff's claims send it once."""
    owed = 0
    for row in every_row(deps.store, phases("callback")[0], page=100):
        received = datetime.fromisoformat(row.created_at)
        if targets.due(received, urgent=True) >= now:
            break
        mark = f"escalation#{row.submission_id}"
        if row.expired(now) or deps.budget.taken(mark):
            continue
        message = EscalationMessage(request_id=UUID(row.submission_id), published_at=now)
        if _published(deps, message):
            deps.budget.claim_once(mark, "sweep", int(now.timestamp()) + MARK_KEEP_SECONDS)
            metrics.add_metric(name="UrgentCallbackOverdue", unit="Count", value=1)
            logger.warning(
                "urgent request past its target: escalated", submission_id=row.submission_id
            )
            owed += 1
    return owed


def digest_owed(deps: Dependencies, targets: CallbackTargets, now: datetime) -> bool:
    """At the clinic's opening on a working day (or up to ``DIGEST_LATE`` after), publish that
    day's digest of the requests past target, once (a ``digest#<day>`` mark)."""
    today = now.astimezone(targets.hours.zone).date()
    opening = targets.hours.opening_on(today)
    if opening is None or not opening <= now < opening + DIGEST_LATE:
        return False
    mark = f"digest#{today.isoformat()}"
    if deps.budget.taken(mark):
        return False
    if not _published(deps, DigestMessage(day=today.isoformat(), published_at=now)):
        return False
    deps.budget.claim_once(mark, "sweep", int(now.timestamp()) + MARK_KEEP_SECONDS)
    return True


def _published(deps: Dependencies, message: EscalationMessage | DigestMessage) -> bool:
    try:
        deps.publisher.publish(message)
    except PublishFailed as exc:
        # The next run finds it still owed; counted like an alert's (one alarm hears both).
        metrics.add_metric(name="AlertPublishFailed", unit="Count", value=1)
        logger.error("call-back message publish failed", kind=message.kind, error=str(exc))
        return False
    return True
