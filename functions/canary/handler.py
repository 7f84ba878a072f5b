"""canary: the stack checks itself, once a day and after every deploy.

It runs the end-to-end check ``intake smoke`` runs (``intake_common.services.smoke``): a
request marked as a test, sent through the site's public URL (CloudFront, its function, the
API, the origin secret: everything a visitor's request meets), followed until it is stored and
its staff alert is sent, then erased. ``CanaryPassed`` or ``CanaryFailed`` is counted:
CanaryFailedAlarm fires on a failure, CanaryMissingAlarm when no check passed for a day (the
schedule or the function itself stopped). So "the alerts quietly stopped" is noticed within a
day, not when a patient complains. Staff receive the test alert, labelled as a test.

Its steps are logged (times, the test's reference, channel counts and error codes: nothing a
visitor submitted, because the request is the canary's own).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from intake_common.aws import clients
from intake_common.aws.table import DynamoAuditLog, DynamoRequestStore
from intake_common.domain.audit import AuditEntry
from intake_common.domain.item import timestamp
from intake_common.runtime.observability import logger, metrics
from intake_common.runtime.settings import CanarySettings
from intake_common.services import smoke

# Every AWS call says which function made it (CloudTrail; the IAM check in the tests).
AGENT = f"clinic-intake/{__name__}"
settings = CanarySettings.from_env()


def check(by: str) -> smoke.Report:
    """The end-to-end check, as this function's role (``by``: its ARN, for the audit entry)."""
    dynamodb = clients.client("dynamodb", clients.config(AGENT, read_timeout=5))
    store = DynamoRequestStore(settings.table_name, dynamodb)
    audit = DynamoAuditLog(settings.audit_table, dynamodb)

    def erase(submission_id: str, reference: str) -> None:
        store.delete(submission_id)
        audit.record(
            AuditEntry(
                at=timestamp(datetime.now(UTC)),
                by=by,
                action="erase",
                reason="canary",
                reference=reference,
                submission_id=submission_id,
            )
        )

    ports = smoke.Ports(
        post=lambda body: smoke.post_json(settings.site_url, body, AGENT),
        delivery=store.delivery,
        erase=erase,
    )
    return smoke.run(ports, by="the daily canary", timeout=settings.timeout_seconds)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = check(context.invoked_function_arn)
    for step in report.steps:
        logger.info(
            "canary step", step=step.name, seconds=round(step.seconds, 1), detail=step.detail
        )
    if report.ok:
        metrics.add_metric(name="CanaryPassed", unit="Count", value=1)
        logger.info("canary passed", reference=report.reference)
    else:
        metrics.add_metric(name="CanaryFailed", unit="Count", value=1)
        logger.error("canary failed", reference=report.reference)
    return {"ok": report.ok, "reference": report.reference, "steps": len(report.steps)}
