"""Outbound adapters of submit_request: the DynamoDB table and the SNS topic.

The only module of this function that imports boto3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from intake_common.contract import AlertMessage

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sns import SNSClient

# Fail fast: API Gateway gives up at 29 s, and a visitor's page retries on its own.
_CONFIG = Config(
    connect_timeout=2,
    read_timeout=3,
    retries={"mode": "standard", "total_max_attempts": 3},
)
_serializer = TypeSerializer()


def _config(agent: str) -> Config:
    # The user agent (``clinic-intake/<handler module>``) is in CloudTrail with every call.
    return _CONFIG.merge(Config(user_agent_extra=agent)) if agent else _CONFIG


_deserializer = TypeDeserializer()


class StorageUnavailable(Exception):
    """DynamoDB throttled or failed: nothing was stored; the caller may retry."""


class PublishFailed(Exception):
    """SNS did not take the alert message; the request stays stored with its alert pending."""


class RequestTable:
    """The requests table: conditional inserts only, so a duplicate never overwrites."""

    def __init__(
        self, table_name: str, client: DynamoDBClient | None = None, agent: str = ""
    ) -> None:
        self._table = table_name
        self._client = client or boto3.client("dynamodb", config=_config(agent))

    def insert(self, item: dict[str, Any]) -> dict[str, Any] | None:
        """Store ``item`` unless its key exists; return the existing item if it does."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item={key: _serializer.serialize(value) for key, value in item.items()},
                ConditionExpression="attribute_not_exists(submission_id)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if error.get("Code") == "ConditionalCheckFailedException":
                old: dict[str, Any] = exc.response.get("Item") or self._get(  # type: ignore[assignment]
                    item["submission_id"]
                )
                return {key: _deserializer.deserialize(value) for key, value in old.items()}
            raise StorageUnavailable(error.get("Code", "unknown")) from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(type(exc).__name__) from exc
        return None

    def pending_alerts(self, created_before: str, limit: int = 500) -> list[str]:
        """Ids of requests whose alert is still pending, created before ``created_before``.

        Reads the ``by-alert-state`` index, never the whole table.
        """
        ids: list[str] = []
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            IndexName="by-alert-state",
            KeyConditionExpression="alert_state = :pending AND created_at < :cutoff",
            ExpressionAttributeValues={
                ":pending": {"S": "pending"},
                ":cutoff": {"S": created_before},
            },
        )
        for page in pages:
            ids.extend(item["submission_id"]["S"] for item in page.get("Items", []))
            if len(ids) >= limit:
                break
        return ids[:limit]

    def _get(self, submission_id: str) -> Any:
        # Older endpoints (and moto) may not return the old item with the failed condition.
        response = self._client.get_item(
            TableName=self._table,
            Key={"submission_id": {"S": submission_id}},
            ConsistentRead=True,
        )
        return response.get("Item", {})


class AlertTopic:
    """The SNS topic that announces stored requests."""

    def __init__(self, topic_arn: str, client: SNSClient | None = None, agent: str = "") -> None:
        self._topic_arn = topic_arn
        self._client = client or boto3.client("sns", config=_config(agent))

    def publish(self, message: AlertMessage) -> str:
        try:
            response = self._client.publish(
                TopicArn=self._topic_arn,
                Message=message.model_dump_json(),
            )
        except (ClientError, BotoCoreError) as exc:
            raise PublishFailed(type(exc).__name__) from exc
        return response["MessageId"]
