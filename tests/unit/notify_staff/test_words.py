"""The exact words of every message notify_staff sends, in tests/unit/notify_staff/words/: the
staff email and SMS (English and Spanish requests, urgent, test, contact and minimal detail),
the confirmation in both languages, the budget summaries, the escalation and the digest.

These are reviewed copy: a change of wording, of what a message holds or of its markup shows
here as a diff to read. To accept one on purpose, run with ``WORDS_WRITE=1`` and review the
changed files in the commit (a run that writes them also fails, so it cannot pass unseen)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from intake_common.domain.limits import BudgetWindow
from intake_common.services.callbacks import Overdue
from notify_staff import render
from tests.support.builders import stored
from tests.unit.notify_staff.test_render import SETTINGS as RENDER_SETTINGS

WORDS = Path(__file__).parent / "words"
NOW = datetime(2026, 11, 30, 14, 2, tzinfo=UTC)
ID = "3f1e6c2a-9b4d-4e8f-a1c2-7d5e9b0a4c11"
SETTINGS = RENDER_SETTINGS.model_copy(update={"staff_url": "https://clinic.example/staff/"})
MINIMAL = SETTINGS.model_copy(update={"alert_detail": "minimal"})
NO_INBOX = SETTINGS.model_copy(update={"staff_url": ""})
NO_EMAIL = SETTINGS.model_copy(update={"staff_emails": ()})


def _item(**overrides: Any) -> Any:
    urgent = overrides.pop("urgent", False)
    fields = {"full_name": "Ana Núñez", **overrides}
    item = stored(now=NOW, submission_id=ID, **fields)
    return item.model_copy(update={"urgent": urgent})


def _email(email: render.Email) -> str:
    return f"Subject: {email.subject}\n\n{email.text}\n----- html\n{email.html}\n"


WINDOW = BudgetWindow(
    channel="sms",
    window="2026-11-30T14:00Z",
    held=12,
    held_urgent=2,
    held_urgent_refs=frozenset({"K7Q2-93XD", "A1B2-C3D4"}),
)
LATE = [
    Overdue("K7Q2-93XD", "2026-11-30T14:02:00.000+00:00", "1 day 2 h", True),
    Overdue("A1B2-C3D4", "2026-11-30T15:30:00.000+00:00", "20 h", False),
]
MESSAGES = {
    "staff-email": lambda: _email(render.render_email(_item(), SETTINGS, "sent")),
    "staff-email-minimal": lambda: _email(render.render_email(_item(), MINIMAL)),
    "staff-email-urgent-spanish": lambda: _email(
        render.render_email(_item(urgent=True, language="es"), SETTINGS, "retry")
    ),
    "staff-email-smoke-test": lambda: _email(
        render.render_email(
            stored(now=NOW, submission_id="00000000-0000-4000-8000-000000000001"), SETTINGS
        )
    ),
    "staff-sms": lambda: render.render_sms(_item(), SETTINGS),
    "staff-sms-urgent-spanish": lambda: render.render_sms(
        _item(urgent=True, language="es"), SETTINGS
    ),
    "staff-sms-no-email": lambda: render.render_sms(_item(), NO_EMAIL),
    "confirmation-en": lambda: _email(render.render_confirmation(_item(), SETTINGS)),
    "confirmation-es": lambda: _email(render.render_confirmation(_item(language="es"), SETTINGS)),
    "confirmation-no-clinic-phone": lambda: _email(
        render.render_confirmation(
            _item(full_name="secure-portal.example"),
            SETTINGS.model_copy(update={"clinic_phone": ""}),
        )
    ),
    "summary-email": lambda: _email(render.render_summary_email(WINDOW, SETTINGS)),
    "summary-sms": lambda: render.render_summary_sms(WINDOW, SETTINGS),
    "escalation-email": lambda: _email(
        render.render_escalation_email(_item(urgent=True, language="es"), "1 h 5 min", SETTINGS)
    ),
    "escalation-sms": lambda: render.render_escalation_sms(_item(urgent=True), "1 h 5 min"),
    "digest-email": lambda: _email(render.render_digest_email("2026-12-01", LATE, SETTINGS)),
    "digest-sms": lambda: render.render_digest_sms(LATE, SETTINGS),
    "digest-email-one-calm-no-inbox": lambda: _email(
        render.render_digest_email("2026-12-01", LATE[1:], NO_INBOX)
    ),
    "digest-sms-one-calm-no-email": lambda: render.render_digest_sms(LATE[1:], NO_EMAIL),
    "escalation-email-english": lambda: _email(
        render.render_escalation_email(_item(urgent=True), "1 h 5 min", SETTINGS)
    ),
    "summary-email-calm": lambda: _email(
        render.render_summary_email(
            BudgetWindow(channel="email", window="2026-11-30T14:00Z", held=1), SETTINGS
        )
    ),
    "summary-email-one-urgent": lambda: _email(
        render.render_summary_email(
            BudgetWindow(
                channel="sms",
                window="2026-11-30T14:00Z",
                held=3,
                held_urgent=1,
                held_urgent_refs=frozenset({"K7Q2-93XD"}),
            ),
            SETTINGS,
        )
    ),
    "digest-email-past-the-listed": lambda: _email(
        render.render_digest_email("2026-12-01", LATE * (render.DIGEST_LISTED // 2 + 1), SETTINGS)
    ),
    "first-names": lambda: (
        "\n".join(
            f"{name!r} -> {render.first_name(name)!r}"
            for name in (
                "Ana Núñez",
                "Núñez, Ana María",
                "Núñez, Ana, Jr",
                "Núñez,Ana",
                "  ",
                "Ade\u0301wa\u0301le\u0301 Ọláolúwa",
                "O'Brien Ann",
                "-Ann",
                "\u0301Ann",
                "secure-portal.example",
                "Ann2",
            )
        )
        + "\n"
    ),
}


@pytest.mark.parametrize("name", MESSAGES)
def test_every_message_says_exactly_the_reviewed_words(name: str) -> None:
    text = MESSAGES[name]()
    path = WORDS / f"{name}.txt"
    if os.environ.get("WORDS_WRITE") == "1":
        path.write_text(text, encoding="utf-8")
        pytest.fail(f"{path.name} written: review it, then run again without WORDS_WRITE")
    assert text == path.read_text(encoding="utf-8"), f"the words of {name} changed"


def test_every_words_file_belongs_to_a_message() -> None:
    assert {p.stem for p in WORDS.glob("*.txt")} == set(MESSAGES)
