"""The alert messages: the one contract between the publishers (submit_request, the re-drive)
and ``notify_staff``.

They carry ids and window names, nothing a person typed; ``notify_staff`` reads the details
from the tables. ``kind`` tells the two apart. Bump ``version`` (and accept both in the
consumer) for any change to a message's meaning.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

AlertChannel = Literal["email", "sms"]


class AlertMessage(BaseModel):
    """Published once per stored request (again by a retry or the re-drive)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    version: Literal[1] = 1
    kind: Literal["appointment_request.stored"] = "appointment_request.stored"
    request_id: UUID = Field(description="The stored item's submission_id")
    published_at: datetime


class BudgetSummaryMessage(BaseModel):
    """Published by the re-drive after an alert-budget window in which requests were held:
    staff get one summary on that channel instead of one alert per request."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    version: Literal[1] = 1
    kind: Literal["alert_budget.summary"] = "alert_budget.summary"
    channel: AlertChannel
    window: str = Field(description="The window's start, UTC, e.g. 2026-11-30T14:00Z")
    published_at: datetime


Message = Annotated[AlertMessage | BudgetSummaryMessage, Field(discriminator="kind")]
