"""Outbound adapters of submit_request: the requests table (shared) and the SNS topic.

With ``intake_common.table``, the only modules of this function that call AWS.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from intake_common import clients
from intake_common.contract import AlertMessage, BudgetSummaryMessage
from intake_common.settings import RedriveSettings, SubmitSettings
from intake_common.table import DynamoAlertBudget, DynamoRequestStore

from .ports import Dependencies, HumanCheckUnavailable, PublishFailed, RedriveDependencies

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

    def publish(self, message: AlertMessage | BudgetSummaryMessage) -> str:
        try:
            response = self.client.publish(
                TopicArn=self.topic_arn, Message=message.model_dump_json()
            )
        except (ClientError, BotoCoreError) as exc:
            raise PublishFailed(type(exc).__name__) from exc
        return response["MessageId"]


class TurnstileVerifier:
    """Cloudflare Turnstile's siteverify endpoint (the visitor's IP is not sent)."""

    def __init__(self, url: str, secret: str, timeout: float = 3) -> None:
        self.url = url
        self.secret = secret
        self.timeout = timeout

    def passed(self, token: str, idempotency_key: str) -> bool:
        # Imported here: only a stack with the human check on needs it (a cold start saved).
        import urllib.parse
        import urllib.request

        data = urllib.parse.urlencode(
            {"secret": self.secret, "response": token, "idempotency_key": idempotency_key}
        ).encode()
        request = urllib.request.Request(self.url, data=data, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310  # nosec B310
                verdict = json.load(answer)
        except (OSError, ValueError) as exc:  # network, HTTP 4xx/5xx, not JSON
            raise HumanCheckUnavailable(type(exc).__name__) from exc
        return verdict.get("success") is True


def build(settings: SubmitSettings, agent: str) -> Dependencies:
    config = client_config(agent)
    secret = settings.turnstile_secret.get_secret_value()
    return Dependencies(
        store=DynamoRequestStore(settings.table_name, clients.client("dynamodb", config=config)),
        publisher=SnsAlertPublisher(settings.topic_arn, clients.client("sns", config=config)),
        human_check=TurnstileVerifier(settings.turnstile_verify_url, secret) if secret else None,
    )


def build_redrive(settings: RedriveSettings, agent: str) -> RedriveDependencies:
    config = client_config(agent)
    dynamodb = clients.client("dynamodb", config=config)
    return RedriveDependencies(
        store=DynamoRequestStore(settings.table_name, dynamodb),
        publisher=SnsAlertPublisher(settings.topic_arn, clients.client("sns", config=config)),
        budget=DynamoAlertBudget(settings.limits_table, dynamodb),
    )


@contextmanager
def offline(deps: Dependencies) -> Iterator[None]:
    """These adapters' AWS calls answered locally within the block (SnapStart priming)."""
    found = [
        adapter.client
        for adapter in (deps.store, deps.publisher)
        if isinstance(adapter, DynamoRequestStore | SnsAlertPublisher)
    ]
    with clients.offline(found, {"Publish": {"MessageId": "priming"}}):
        yield
