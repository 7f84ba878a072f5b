"""The alert message: the one contract between ``submit_request`` and ``notify_staff``.

It carries the request's id and nothing a person typed; ``notify_staff`` reads the details from
the table. Bump ``version`` (and accept both in the consumer) for any change to its meaning.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class AlertMessage(BaseModel):
    """Published to the SNS topic once per stored request (again by a retry or the re-drive)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    kind: Literal["appointment_request.stored"] = "appointment_request.stored"
    request_id: UUID = Field(description="The stored item's submission_id")
    published_at: datetime
