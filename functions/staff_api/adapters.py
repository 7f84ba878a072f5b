"""Outbound adapters of the staff operations: the audit table and the alert queues (the
requests table is the shared ``intake_common.table``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from intake_common import clients
from intake_common.ports import StorageUnavailable
from intake_common.settings import StaffSettings
from intake_common.table import DynamoRequestStore, to_attributes

from .ports import AuditEntry, Dependencies

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient


class DynamoAuditLog:
    """The AuditTable: one item per entry, by day (``day``, ``entry``: time and a random id)."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self.table_name = table_name
        self.client = client

    def record(self, entry: AuditEntry) -> None:
        item: dict[str, Any] = {
            "day": entry.at[:10],
            "entry": f"{entry.at}#{uuid.uuid4()}",
            **entry.model_dump(exclude_none=True),
        }
        try:
            self.client.put_item(TableName=self.table_name, Item=to_attributes(item))
        except (ClientError, BotoCoreError) as exc:
            raise StorageUnavailable(type(exc).__name__) from exc


class SqsAlertQueues:
    """The alert queue and its DLQ: removing what is queued about an erased request."""

    def __init__(self, urls: list[str], client: SQSClient, rounds: int = 10) -> None:
        self.urls = urls
        self.client = client
        self.rounds = rounds

    def remove_messages_about(self, submission_id: str) -> int:
        return sum(self._remove(url, submission_id) for url in self.urls)

    def _remove(self, url: str, submission_id: str) -> int:
        """Best effort: a message in flight at this moment is hidden from receive."""
        removed = 0
        others: list[str] = []
        for _ in range(self.rounds):
            messages = self.client.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30, WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                break
            for message in messages:
                if submission_id in message["Body"]:
                    self.client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                    removed += 1
                else:
                    others.append(message["ReceiptHandle"])
        for handle in others:  # give back what was not ours at once
            self.client.change_message_visibility(
                QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0
            )
        return removed


def build(
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


def build_for(settings: StaffSettings, agent: str) -> Dependencies:
    """The staff API's adapters, from its settings (its own role's clients)."""
    config = Config(
        connect_timeout=2,
        read_timeout=5,
        retries={"mode": "standard", "total_max_attempts": 3},
        user_agent_extra=agent,
    )
    return build(
        clients.client("dynamodb", config=config),
        clients.client("sqs", config=config),
        table=settings.table_name,
        audit_table=settings.audit_table,
        queues=[settings.alert_queue_url, settings.dead_letter_queue_url],
    )


@contextmanager
def offline(deps: Dependencies, stored: dict[str, Any]) -> Iterator[None]:
    """These adapters' AWS calls answered locally within the block (SnapStart priming): the
    table and its indexes hold ``stored`` (DynamoDB's wire format), the audit trail takes any
    entry."""
    found = [
        adapter.client
        for adapter in (deps.store, deps.audit, deps.queues)
        if isinstance(adapter, DynamoRequestStore | DynamoAuditLog | SqsAlertQueues)
    ]
    answers: dict[str, dict[str, Any]] = {
        "GetItem": {"Item": stored},
        "Query": {"Items": [stored], "Count": 1},
    }
    with clients.offline(found, answers):
        yield
