"""What the scheduled re-drive needs: the requests table, the topic and the alert limits table
(all shared ports, ``intake_common.domain.ports``)."""

from __future__ import annotations

from dataclasses import dataclass

from intake_common.domain.limits import AlertBudget
from intake_common.domain.ports import AlertPublisher, PublishFailed, RequestStore

__all__ = ["AlertBudget", "AlertPublisher", "Dependencies", "PublishFailed", "RequestStore"]


@dataclass(frozen=True)
class Dependencies:
    store: RequestStore
    publisher: AlertPublisher
    budget: AlertBudget
