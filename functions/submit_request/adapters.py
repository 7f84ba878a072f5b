"""Outbound adapters of submit_request: the requests table (shared) and the SNS topic.

With ``intake_common.table``, the only modules of this function that call AWS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from intake_common.contract import AlertMessage
from intake_common.settings import SubmitSettings
from intake_common.table import DynamoRequestStore

from .ports import Dependencies, PublishFailed

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient


def client_config(agent: str) -> Config:
    """Fail fast (API Gateway gives up at 29 s, and the visitor's page retries on its own).

    The user agent (``clinic-intake/<handler module>``) is in CloudTrail with every call.
    """
    return Config(
        connect_timeout=2,
        read_timeout=3,
        retries={"mode": "standard", "total_max_attempts": 3},
        user_agent_extra=agent,
    )


class SnsAlertPublisher:
    """The SNS topic that announces stored requests."""

    def __init__(self, topic_arn: str, client: SNSClient) -> None:
        self.topic_arn = topic_arn
        self.client = client

    def publish(self, message: AlertMessage) -> str:
        try:
            response = self.client.publish(
                TopicArn=self.topic_arn, Message=message.model_dump_json()
            )
        except (ClientError, BotoCoreError) as exc:
            raise PublishFailed(type(exc).__name__) from exc
        return response["MessageId"]


def build(settings: SubmitSettings, agent: str) -> Dependencies:
    config = client_config(agent)
    return Dependencies(
        store=DynamoRequestStore(settings.table_name, boto3.client("dynamodb", config=config)),
        publisher=SnsAlertPublisher(settings.topic_arn, boto3.client("sns", config=config)),
    )
