"""What the scheduled sweep does: publish again the alerts still pending after a grace, and the
budget summaries owed for ended windows (notify_staff sends each, once)."""

from __future__ import annotations

from datetime import datetime, timedelta

from intake_common.domain.contract import AlertChannel, BudgetSummaryMessage
from intake_common.domain.limits import ended_windows
from intake_common.runtime.observability import logger, metrics
from intake_common.services.alerts import redrive_pending

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
