"""The staff alert's words: what an SMS and an email may hold."""

from __future__ import annotations

import re

from intake_common.settings import NotifySettings
from notify_staff.render import GSM7, SMS_MAX, render_email, render_sms
from tests.support.builders import stored

SETTINGS = NotifySettings.model_validate(
    {
        "TABLE_NAME": "requests",
        "LIMITS_TABLE": "alert-limits",
        "STAFF_EMAILS": "a@clinic.example",
        "STAFF_PHONES": "+14155550101",
    }
)


def test_sms_is_one_gsm7_segment_with_the_reference_and_time_only() -> None:
    item = stored(full_name="Zoë Private", reason="Panic at night")

    text = render_sms(item, SETTINGS)

    assert len(text) <= SMS_MAX
    assert set(text) <= GSM7
    assert re.fullmatch(
        rf"New appointment request {item.reference} at \d\d:\d\d\. See email\.", text
    )


def test_contact_email_lists_contact_details_never_the_reason() -> None:
    item = stored(full_name="Ana Visible", reason="A private reason")

    email = render_email(item, SETTINGS)

    assert email.subject == f"New appointment request {item.reference}"
    assert "Ana Visible" in email.text
    assert "A private reason" not in email.text + email.html


def test_minimal_email_holds_no_submitted_value() -> None:
    item = stored(full_name="Ana Hidden", email="hidden@example.org")

    email = render_email(item, SETTINGS.model_copy(update={"alert_detail": "minimal"}))

    everything = email.subject + email.text + email.html
    assert item.reference in everything
    for value in ("Ana", "Hidden", "hidden@example.org", "2671"):
        assert value not in everything


def test_every_value_in_the_html_is_escaped() -> None:
    item = stored().model_copy(update={"full_name": "<script>alert(1)</script>"})

    email = render_email(item, SETTINGS)

    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html


def test_a_smoke_test_alert_says_it_is_a_test() -> None:
    item = stored(submission_id="00000000-0000-4000-8000-0123456789ab")

    assert render_email(item, SETTINGS).subject.startswith("TEST")
    assert render_sms(item, SETTINGS).startswith("TEST")
