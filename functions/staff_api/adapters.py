"""Outbound adapters of the staff API: the shared staff operations' adapters
(``intake_common/aws/staff.py``) with this function's own clients."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from intake_common.aws import clients
from intake_common.aws.staff import staff_dependencies
from intake_common.aws.table import DynamoAuditLog, DynamoLimitsStore, DynamoRequestStore
from intake_common.runtime.settings import StaffSettings
from intake_common.services.callbacks import Figures
from intake_common.services.staff import Dependencies


def build_for(settings: StaffSettings, agent: str) -> Dependencies:
    """The staff API's adapters, from its settings (its own role's clients)."""
    config = clients.config(agent)
    dynamodb = clients.client("dynamodb", config=config)
    deps = staff_dependencies(
        dynamodb,
        table=settings.table_name,
        audit_table=settings.audit_table,
        limits_table=settings.limits_table,
    )
    figures = Figures(DynamoLimitsStore(settings.limits_table, dynamodb), settings.targets)
    return replace(deps, figures=figures)


@contextmanager
def offline(deps: Dependencies, stored: dict[str, Any]) -> Iterator[None]:
    """These adapters' AWS calls answered locally within the block (SnapStart priming): the
    table and its indexes hold ``stored`` (DynamoDB's wire format), the audit trail takes any
    entry."""
    found = [
        adapter.client
        for adapter in (deps.store, deps.audit)
        if isinstance(adapter, DynamoRequestStore | DynamoAuditLog)
    ]
    answers: dict[str, dict[str, Any]] = {
        "GetItem": {"Item": stored},
        "Query": {"Items": [stored], "Count": 1},
        "BatchGetItem": {"Responses": {}},
    }
    with clients.offline(found, answers):
        yield
