"""What the logic needs from the outside that more than one function (or the ``intake`` tool)
uses, and how each can fail: the three tables, the alert topic and the alert queues.

The adapters are in ``intake_common/aws``; the tests' in-memory fakes are
``tests/support/fakes.py``; ``tests/contract`` holds both to the same behaviour.
"""

from __future__ import annotations

from typing import Protocol

from .audit import AuditEntry
from .contract import AnyMessage
from .item import CallAttempt, RequestItem, RequestSummary, Transition
from .limits import LimitItem, LimitTransition
from .paging import PageKey, Phase


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

    def page_by_status(
        self, phase: Phase, since: str, start: PageKey | None, limit: int
    ) -> tuple[list[RequestSummary], PageKey | None]:
        """Up to ``limit`` rows of one phase of a staff list (``paging.py``): its status,
        created at or after ``since``, in its order, the rows its filter keeps, after ``start``;
        and the key to go on from (``None`` when the phase has no more rows)."""
        ...

    def items_by_ids(self, submission_ids: list[str]) -> list[RequestItem]:
        """The whole items (BatchGetItem, 100 at a time), in no particular order; gone ones
        are left out."""
        ...

    def attempts_of(self, submission_ids: list[str]) -> dict[str, tuple[CallAttempt, ...]]:
        """The call attempts of these requests (only that attribute is read); a request with
        none, or gone, is left out."""
        ...

    def pending_alerts(self, created_before: str, limit: int) -> list[str]:
        """Ids of requests whose alert is still pending, created before ``created_before``."""
        ...


class LimitsStore(Protocol):
    """The alert limits table (``limits.py``): one item per (channel, window) or claimed key.
    ``limits.AlertBudget`` holds the rules; a store only reads and applies transitions."""

    def get(self, key: str) -> LimitItem | None: ...

    def change(self, key: str, transition: LimitTransition) -> bool:
        """Apply a transition if its condition holds (creating the item if it allows);
        ``False`` if not."""
        ...


class AlertPublisher(Protocol):
    def publish(self, message: AnyMessage) -> str:
        """Announce a stored request (or a budget summary owed); the message id. Raises
        ``PublishFailed``."""
        ...


class AuditLog(Protocol):
    def record(self, entry: AuditEntry) -> None:
        """Append an entry; raises ``StorageUnavailable`` (the action then does not happen)."""
        ...


class ErasedMarks(Protocol):
    def mark_erased(self, submission_id: str, expires_at: int) -> None:
        """Note an erased request's id, so that a queued message about it is dropped."""
        ...
