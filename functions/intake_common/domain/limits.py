"""The alert budget: how many requests per window may alert staff one by one, per channel.

Every stored request costs a text to each staff phone and an email to each staff address.
Scripted posts would run up the SMS bill (and bury real requests), so each channel has a cap
per window (``SmsAlertsPerHour``, ``EmailAlertsPerHour``). Past it, a request is still stored
and listed for staff, but its alert on that channel is *held*; once the window is over, staff
get one summary on that channel ("N more requests ..."). Decisions are made once per request
and channel and recorded on the request.

The limits table holds one item per (channel, window): the ids of the requests granted (a
string set: granting is idempotent and exact under concurrency, with no transaction), the count
of those held, and the summary's state.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .contract import AlertChannel

Decision = Literal["granted", "held"]
LIMITS_KEY = "limit_key"
# How many ended windows the re-drive looks back at for a summary still owed.
LOOKBACK_WINDOWS = 12
# Counters are kept this long after their window (then DynamoDB's TTL removes them).
KEEP_DAYS = 2


def window_start(now: datetime, minutes: int) -> datetime:
    """The start (UTC) of the window ``now`` falls in; windows are aligned to the epoch."""
    size = minutes * 60
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % size, UTC)


def window_name(start: datetime) -> str:
    return start.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def parse_window(name: str) -> datetime:
    return datetime.strptime(name, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)


def limit_key(channel: AlertChannel, window: str) -> str:
    return f"budget#{channel}#{window}"


def ended_windows(now: datetime, minutes: int) -> list[str]:
    """The last windows that have ended, newest first (summaries may still be owed)."""
    current = window_start(now, minutes)
    return [
        window_name(current - timedelta(minutes=minutes * back))
        for back in range(1, LOOKBACK_WINDOWS + 1)
    ]


class BudgetWindow(BaseModel):
    """One channel's counter for one window."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    channel: AlertChannel
    window: str
    granted: frozenset[str] = Field(default_factory=frozenset)
    held: int = 0
    # Of those held, how many were urgent (their summary says so: call back today).
    held_urgent: int = 0
    summary_sent_at: str | None = None
    summary_lease_until: int | None = None

    @property
    def summary_due(self) -> bool:
        return self.held > 0 and self.summary_sent_at is None
