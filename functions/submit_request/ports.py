"""What submit_request's logic needs from the outside, and how each can fail.

The requests table is the shared ``intake_common.ports.RequestStore``; the topic is here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from intake_common.contract import AlertMessage, BudgetSummaryMessage
from intake_common.ports import AlertBudget, RequestStore, StorageUnavailable

__all__ = [
    "AlertBudget",
    "AlertPublisher",
    "Dependencies",
    "HumanCheck",
    "HumanCheckUnavailable",
    "PublishFailed",
    "RedriveDependencies",
    "RequestStore",
    "StorageUnavailable",
]


class PublishFailed(Exception):
    """SNS did not take the alert message; the request stays stored with its alert pending."""


class HumanCheckUnavailable(Exception):
    """The human check's verification service did not answer: nothing was stored; retry."""


class HumanCheck(Protocol):
    def passed(self, token: str, idempotency_key: str) -> bool:
        """Whether the token proves a person; the same key may verify the same token again
        (a retried submission). Raises ``HumanCheckUnavailable``."""
        ...


class AlertPublisher(Protocol):
    def publish(self, message: AlertMessage | BudgetSummaryMessage) -> str:
        """Announce a stored request (or a budget summary owed); the message id. Raises
        ``PublishFailed``."""
        ...


@dataclass(frozen=True)
class Dependencies:
    store: RequestStore
    publisher: AlertPublisher
    # None: the human check is off (no Turnstile secret configured).
    human_check: HumanCheck | None = None


@dataclass(frozen=True)
class RedriveDependencies:
    store: RequestStore
    publisher: AlertPublisher
    budget: AlertBudget
