"""The staff operations' adapters on AWS, for the staff API and the ``intake requests`` commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from intake_common.domain.limits import AlertBudget
from intake_common.services.staff import Dependencies

from .table import DynamoAuditLog, DynamoLimitsStore, DynamoRequestStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def staff_dependencies(
    dynamodb: DynamoDBClient, *, table: str, audit_table: str, limits_table: str
) -> Dependencies:
    return Dependencies(
        store=DynamoRequestStore(table, dynamodb),
        audit=DynamoAuditLog(audit_table, dynamodb),
        # An erase's mark, in the alert limits table (notify_staff reads it there).
        erased=AlertBudget(DynamoLimitsStore(limits_table, dynamodb)),
    )
