"""Request bodies for the tests. Every value is registered with the leak guard."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.leaks import GUARD


def valid_fields(**overrides: Any) -> dict[str, Any]:
    """A valid request body with a fresh submission_id; overrides replace or add fields."""
    fields: dict[str, Any] = {
        "submission_id": str(uuid.uuid4()),
        "full_name": "Ana Núñez-O'Brien",
        "email": "ana.nunez@example.org",
        "phone": "(415) 555-2671",
        "preferred_contact": "phone",
        "sms_consent": False,
        "visit_type": "new",
        "preferred_date": None,
        "preferred_time": "morning",
        "reason": "Anxiety most days.\nI would like to ask about treatment options.",
        "consent": True,
        "consent_version": "2026-11",
        "website": "",
    }
    fields.update(overrides)
    result = {key: value for key, value in fields.items() if value is not None}
    GUARD.register(result)
    return result
