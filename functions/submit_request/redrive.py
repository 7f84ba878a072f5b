"""The scheduled sweep: publish again the alerts of requests still pending after a grace, and
the budget summaries owed for ended windows.

Closes the dual write: if ``submit_request`` stored a request but died (or SNS failed) before
its message was published, this finds it through the ``by-alert-state`` index (not a scan) and
publishes it again. ``notify_staff`` sends each alert once per recipient, so a re-drive of a
message that was in fact published sends nothing twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from intake_common.observability import logger, metrics
from intake_common.settings import RedriveSettings

from . import adapters
from .logic import redrive_pending, summaries_owed
from .ports import RedriveDependencies

# Every AWS call says which function made it (CloudTrail; the IAM check in the tests).
AGENT = f"clinic-intake/{__name__}"
settings = RedriveSettings.from_env()


@cache
def dependencies() -> RedriveDependencies:
    """The adapters, built once per execution environment, on first use."""
    return adapters.build_redrive(settings, AGENT)


def redrive(now: datetime, deps: RedriveDependencies) -> int:
    """Publish the alert of every request pending for longer than the grace period."""
    grace = timedelta(minutes=settings.sweep_grace_minutes)
    count = redrive_pending(deps.store, deps.publisher, now - grace, now)
    if count:
        metrics.add_metric(name="AlertRedriven", unit="Count", value=count)
        logger.warning("re-drove pending alerts", count=count)
    return count


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    now = datetime.now(UTC)
    deps = dependencies()
    summaries = summaries_owed(deps.budget, deps.publisher, now, settings.budget_window_minutes)
    return {"redriven": redrive(now, deps), "summaries": summaries}
