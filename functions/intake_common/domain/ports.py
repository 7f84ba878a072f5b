"""What the logic needs from the outside that more than one function (or the ``intake`` tool)
uses, and how each can fail: the three tables, the alert topic and the alert queues.

The adapters are in ``intake_common/aws``; the tests' in-memory fakes are
``tests/support/fakes.py``; ``tests/contract`` holds both to the same behaviour.
"""

from __future__ import annotations

from typing import Protocol

from .audit import AuditEntry
from .contract import AlertChannel, AlertMessage, BudgetSummaryMessage
from .item import RequestItem, RequestStatus, RequestSummary, Transition
from .limits import BudgetWindow, Decision


class StorageUnavailable(Exception):
    """The table throttled, failed or could not be reached: nothing was changed; retry later."""


class PublishFailed(Exception):
    """SNS did not take the alert message; the request stays stored with its alert pending."""


class RequestStore(Protocol):
    def insert(self, item: RequestItem) -> RequestItem | None:
        """Store ``item`` unless its key exists; the stored item if it does."""
        ...

    def get(self, submission_id: str) -> RequestItem | None: ...

    def change(self, submission_id: str, transition: Transition) -> bool:
        """Apply a transition if its condition holds (and the item exists); ``False`` if not."""
        ...

    def delete(self, submission_id: str) -> bool:
        """Delete the item; ``False`` if there was none."""
        ...

    def ids_by_reference(self, reference: str) -> list[str]: ...

    def by_status(self, status: RequestStatus, since: str, limit: int) -> list[RequestSummary]:
        """Newest first, created at or after ``since`` (from the by-status index)."""
        ...

    def pending_alerts(self, created_before: str, limit: int) -> list[str]:
        """Ids of requests whose alert is still pending, created before ``created_before``."""
        ...


class AlertBudget(Protocol):
    """The alert limits table: per channel and window, who was alerted one by one."""

    def reserve(
        self,
        channel: AlertChannel,
        window: str,
        request_id: str,
        cap: int,
        expires_at: int,
        *,
        urgent: bool = False,
        counted: bool = True,
    ) -> Decision:
        """``granted`` while the window has room (the same id is granted again on a retry),
        else ``held``: counted for the window's summary (``held``, and ``held_urgent`` for an
        urgent request) unless ``counted`` is false (a visitor's confirmation, which staff's
        summary does not announce)."""
        ...

    def claim_once(self, key: str, owner: str, expires_at: int) -> bool:
        """Take ``key`` for ``owner`` (true), or find it taken by another owner (false). The
        same owner takes it again on a retry. Kept until ``expires_at`` (TTL)."""
        ...

    def window(self, channel: AlertChannel, window: str) -> BudgetWindow | None: ...

    def claim_summary(self, channel: AlertChannel, window: str, now: int, lease_until: int) -> bool:
        """Take the right to send the window's summary (once; a lapsed lease is taken over)."""
        ...

    def release_summary(self, channel: AlertChannel, window: str) -> None: ...

    def record_summary(self, channel: AlertChannel, window: str, at: str) -> None: ...


class AlertPublisher(Protocol):
    def publish(self, message: AlertMessage | BudgetSummaryMessage) -> str:
        """Announce a stored request (or a budget summary owed); the message id. Raises
        ``PublishFailed``."""
        ...


class AuditLog(Protocol):
    def record(self, entry: AuditEntry) -> None:
        """Append an entry; raises ``StorageUnavailable`` (the action then does not happen)."""
        ...


class AlertQueues(Protocol):
    def remove_messages_about(self, submission_id: str) -> int:
        """Delete queued alert messages (DLQ included) about a request; how many."""
        ...
