"""The alert topic (``ports.AlertPublisher``): submit_request, the re-drive and ``intake alerts
redrive`` announce stored requests on it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from intake_common.domain.contract import AnyMessage
from intake_common.domain.ports import PublishFailed

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient


class SnsAlertPublisher:
    """The SNS topic that announces stored requests."""

    def __init__(self, topic_arn: str, client: SNSClient) -> None:
        self.topic_arn = topic_arn
        self.client = client

    def publish(self, message: AnyMessage) -> str:
        try:
            response = self.client.publish(
                TopicArn=self.topic_arn, Message=message.model_dump_json()
            )
        except (ClientError, BotoCoreError) as exc:
            raise PublishFailed(type(exc).__name__) from exc
        return response["MessageId"]
