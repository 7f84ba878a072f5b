"""Outbound adapters of the re-drive: the shared table and topic adapters, with its own clients."""

from __future__ import annotations

from intake_common.aws import clients
from intake_common.aws.table import DynamoLimitsStore, DynamoRequestStore
from intake_common.aws.topic import SnsAlertPublisher
from intake_common.domain.limits import AlertBudget
from intake_common.runtime.settings import RedriveSettings

from .ports import Dependencies


def build(settings: RedriveSettings, agent: str) -> Dependencies:
    config = clients.config(agent, read_timeout=3)
    dynamodb = clients.client("dynamodb", config=config)
    return Dependencies(
        store=DynamoRequestStore(settings.table_name, dynamodb),
        publisher=SnsAlertPublisher(settings.topic_arn, clients.client("sns", config=config)),
        budget=AlertBudget(DynamoLimitsStore(settings.limits_table, dynamodb)),
    )
