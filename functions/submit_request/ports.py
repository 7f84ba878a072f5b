"""What submit_request's logic needs from the outside, and how each can fail.

The requests table and the topic are shared ports (``intake_common.domain.ports``); the
human check is this function's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from intake_common.domain.ports import (
    AlertPublisher,
    PublishFailed,
    RequestStore,
    StorageUnavailable,
)

__all__ = [
    "AlertPublisher",
    "Dependencies",
    "HumanCheck",
    "HumanCheckUnavailable",
    "PublishFailed",
    "RequestStore",
    "StorageUnavailable",
]


class HumanCheckUnavailable(Exception):
    """The human check's verification service did not answer: nothing was stored; retry."""


class HumanCheck(Protocol):
    def passed(self, token: str, idempotency_key: str, hostname: str = "") -> bool:
        """Whether the token proves a person on ``hostname`` (the clinic's site) for this form,
        recently; the same key may verify the same token again (a retried submission). Raises
        ``HumanCheckUnavailable``."""
        ...


@dataclass(frozen=True)
class Dependencies:
    store: RequestStore
    publisher: AlertPublisher
    # None: the human check is off (no Turnstile secret configured).
    human_check: HumanCheck | None = None
