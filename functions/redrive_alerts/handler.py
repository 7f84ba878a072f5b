"""redrive_alerts: the scheduled sweep (every 5 minutes).

Closes the dual write: if ``submit_request`` stored a request but died (or SNS failed) before
its message was published, this finds it through the ``by-alert-state`` index (not a scan) and
publishes it again. ``notify_staff`` sends each alert once per recipient, so a re-drive of a
message that was in fact published sends nothing twice. It also publishes the alert budget's
summaries owed for windows that have ended, an escalation for each urgent request still
``new`` past its call-back target, and at the clinic's opening the day's digest.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from intake_common.runtime.observability import logger, metrics
from intake_common.runtime.settings import RedriveSettings

from . import adapters, logic
from .ports import Dependencies

# Every AWS call says which function made it (CloudTrail; the IAM check in the tests).
AGENT = f"clinic-intake/{__name__}"
settings = RedriveSettings.from_env()


@cache
def dependencies() -> Dependencies:
    """The adapters, built once per execution environment, on first use."""
    return adapters.build(settings, AGENT)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    now = datetime.now(UTC)
    deps = dependencies()
    summaries = logic.summaries_owed(
        deps.budget, deps.publisher, now, settings.budget_window_minutes
    )
    targets = settings.targets
    return {
        "redriven": logic.redrive(now, settings.sweep_grace_minutes, deps),
        "summaries": summaries,
        "escalations": logic.escalations_owed(deps, targets, now),
        "digest": int(logic.digest_owed(deps, targets, now)),
    }
