"""What the staff operations need from the outside: the requests table (shared), the audit
trail and the alert queues; and who is acting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from intake_common.ports import RequestStore, StorageUnavailable

__all__ = [
    "Actor",
    "AlertQueues",
    "AuditEntry",
    "AuditLog",
    "Dependencies",
    "RequestStore",
    "StorageUnavailable",
]

AuditAction = Literal["list", "show", "mark", "export", "erase"]


@dataclass(frozen=True)
class Actor:
    """Who is acting: an identity the caller cannot choose (an AWS principal's ARN, a signed-in
    user's id) and, optionally, a name they give."""

    identity: str
    name: str | None = None


class AuditEntry(BaseModel):
    """One line of the audit trail: who did what to which request, when. Never the data."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    at: str
    by: str
    by_name: str | None = None
    action: AuditAction
    reference: str | None = None
    submission_id: str | None = None
    count: int | None = None
    since: str | None = None
    status: str | None = None
    reason: str | None = None


class AuditLog(Protocol):
    def record(self, entry: AuditEntry) -> None:
        """Append an entry; raises ``StorageUnavailable`` (the action then does not happen)."""
        ...


class AlertQueues(Protocol):
    def remove_messages_about(self, submission_id: str) -> int:
        """Delete queued alert messages (DLQ included) about a request; how many."""
        ...


@dataclass(frozen=True)
class Dependencies:
    store: RequestStore
    audit: AuditLog
    queues: AlertQueues
