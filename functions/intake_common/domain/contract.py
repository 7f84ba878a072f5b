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


class EscalationMessage(BaseModel):
    """Published by the sweep when an urgent request is still ``new`` past its call-back
    target: the escalation contacts are alerted about it, once, by reference."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    version: Literal[1] = 1
    kind: Literal["callback.escalation"] = "callback.escalation"
    request_id: UUID = Field(description="The stored item's submission_id")
    published_at: datetime


class DigestMessage(BaseModel):
    """Published by the sweep at the clinic's opening on a working day: staff get one digest
    of the open requests past their call-back target (references and waiting times)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    version: Literal[1] = 1
    kind: Literal["callback.digest"] = "callback.digest"
    day: str = Field(
        description="The clinic's date, e.g. 2026-12-02", pattern=r"^\d{4}-\d{2}-\d{2}$"
    )
    published_at: datetime


AnyMessage = AlertMessage | BudgetSummaryMessage | EscalationMessage | DigestMessage
Message = Annotated[AnyMessage, Field(discriminator="kind")]
