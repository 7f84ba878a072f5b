"""What the logic needs from the requests table, and how that can fail.

The adapter is ``table.py`` (DynamoDB); the tests' in-memory fake is
``tests/support/fakes.py``; ``tests/contract`` holds both to the same behaviour.
"""

from __future__ import annotations

from typing import Protocol

from .item import RequestItem, RequestStatus, RequestSummary, Transition


class StorageUnavailable(Exception):
    """The table throttled, failed or could not be reached: nothing was changed; retry later."""


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
