"""What submit_request's logic needs from the outside, and how each can fail.

The requests table is the shared ``intake_common.ports.RequestStore``; the topic is here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from intake_common.contract import AlertMessage
from intake_common.ports import RequestStore, StorageUnavailable

__all__ = ["AlertPublisher", "Dependencies", "PublishFailed", "RequestStore", "StorageUnavailable"]


class PublishFailed(Exception):
    """SNS did not take the alert message; the request stays stored with its alert pending."""


class AlertPublisher(Protocol):
    def publish(self, message: AlertMessage) -> str:
        """Announce a stored request; the message id. Raises ``PublishFailed``."""
        ...


@dataclass(frozen=True)
class Dependencies:
    store: RequestStore
    publisher: AlertPublisher
