"""The audit table's item: who showed, listed, changed, exported or erased which request, and
when. Never the request's data. The staff operations (``services/staff.py``) write one entry
before they show or change anything; the adapter (``aws/table.py``) stores it as laid out here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

AuditAction = Literal["list", "show", "mark", "attempt", "export", "erase", "figures"]
# The table's keys: one partition per UTC day, entries sorted by time (and a random suffix).
AUDIT_HASH_KEY = "day"
AUDIT_RANGE_KEY = "entry"


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

    def attributes(self, unique: str) -> dict[str, Any]:
        """The entry as the audit table stores it; ``unique`` (a random id) keeps two entries
        of the same millisecond apart."""
        return {
            AUDIT_HASH_KEY: self.at[:10],
            AUDIT_RANGE_KEY: f"{self.at}#{unique}",
            **self.model_dump(exclude_none=True),
        }
