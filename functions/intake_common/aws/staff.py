"""The staff operations' adapters on AWS, for the staff API and the ``intake requests`` commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from intake_common.services.staff import Dependencies

from .queues import SqsAlertQueues
from .table import DynamoAuditLog, DynamoRequestStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient


def staff_dependencies(
    dynamodb: DynamoDBClient,
    sqs: SQSClient,
    *,
    table: str,
    audit_table: str,
    queues: list[str],
) -> Dependencies:
    return Dependencies(
        store=DynamoRequestStore(table, dynamodb),
        audit=DynamoAuditLog(audit_table, dynamodb),
        queues=SqsAlertQueues(queues, sqs),
    )
