"""Build requests and stored items for the unit tests (valid, with a fresh id)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from intake_common.domain.item import RequestItem
from intake_common.domain.models import AppointmentRequest
from tests.support.data import valid_fields

NOW = datetime(2026, 11, 30, 14, 2, tzinfo=UTC)


def request(**overrides: Any) -> AppointmentRequest:
    return AppointmentRequest.model_validate(valid_fields(**overrides))


def stored(
    now: datetime = NOW,
    retention_days: int = 365,
    submission_id: str | None = None,
    **overrides: Any,
) -> RequestItem:
    """A stored request, as submit_request would have written it ``now``."""
    key = uuid.UUID(submission_id) if submission_id else uuid.uuid4()
    return RequestItem.new(request(**overrides), key, now, retention_days)
