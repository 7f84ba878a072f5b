"""notify_staff: SQS batch of alert messages -> staff email and SMS, exactly once each.

Thin: Powertools' batch processor hands over each record, whose body is parsed with the
shared contract model (a record that does not parse fails alone), calls ``logic.handle_alert``,
and reports partial batch failures so only failed messages are retried. After the template's
``maxReceiveCount`` receives, SQS moves a failing message to the dead-letter queue, which has an
alarm.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import TypeAdapter

from intake_common.aws.table import to_attributes
from intake_common.domain.contract import (
    AlertMessage,
    AnyMessage,
    BudgetSummaryMessage,
    DigestMessage,
    EscalationMessage,
    Message,
)
from intake_common.runtime import events, snapstart
from intake_common.runtime.observability import logger, metrics
from intake_common.runtime.settings import NotifySettings

from . import adapters, logic
from .delivery import DeliveryEvent, is_delivery_event
from .ports import Dependencies

# Every AWS call says which function made it (CloudTrail; the IAM check in the tests).
AGENT = f"clinic-intake/{__name__}"
settings = NotifySettings.from_env()


@cache
def dependencies() -> Dependencies:
    """The adapters, built once per execution environment, on first use."""
    return adapters.build(settings, AGENT)


# The message in a record's body (raw SNS delivery): a stored request, a window's budget
# summary, an escalation or the day's digest. A body that does not parse fails its record alone.
_MESSAGE: TypeAdapter[AnyMessage] = TypeAdapter(Message)

# Powertools' SQSRecord (the batch utility's own record), not its parser's SqsRecordModel:
# importing the parser's models costs about 95 ms of each cold start (BENCHMARKS.md). A batch
# whose every record failed is reported like any partial failure, not raised.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def record_handler(record: SQSRecord) -> str:
    now = datetime.now(UTC)
    if is_delivery_event(record.body):
        # SES's word on a staff email it had accepted (bounced, rejected, delayed...).
        event = DeliveryEvent.model_validate_json(record.body)
        return logic.handle_delivery_event(event, settings=settings, deps=dependencies(), now=now)
    message = _MESSAGE.validate_json(record.body)
    if isinstance(message, BudgetSummaryMessage):
        return logic.handle_summary(message, settings=settings, deps=dependencies(), now=now)
    if isinstance(message, EscalationMessage):
        return logic.handle_escalation(message, settings=settings, deps=dependencies(), now=now)
    if isinstance(message, DigestMessage):
        return logic.handle_digest(message, settings=settings, deps=dependencies(), now=now)
    try:
        return logic.handle_alert(message, settings=settings, deps=dependencies(), now=now)
    except logic.RequestNotFound:
        logger.error(
            "alert message names no stored request; it will reach the DLQ",
            submission_id=str(message.request_id),
            message_id=record.message_id,
        )
        raise


@snapstart.before_snapshot
def prime() -> None:
    """Before a SnapStart snapshot: one sample alert message through the whole path (the
    batch and record parsing, the budget, the confirmation, every alert rendered and "sent"),
    answered locally. Nothing is read from or sent to AWS, logged or counted."""
    deps = dependencies()
    item = snapstart.sample_item()
    message = AlertMessage(request_id=item.submission_id, published_at=datetime.now(UTC))
    with adapters.offline(deps, to_attributes(item.attributes())):
        snapstart.rehearse(
            lambda: process_partial_response(
                event=events.sqs_event([events.sqs_record(message.model_dump_json())]),
                record_handler=record_handler,
                processor=processor,
                context=events.LambdaContext("priming"),  # type: ignore[arg-type]
            ),
            lambda result: not result.get("batchItemFailures"),
        )


@snapstart.answers_keep_active
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(
        process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    )
