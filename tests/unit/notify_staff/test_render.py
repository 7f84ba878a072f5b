"""The staff alert's words: what an SMS and an email may hold."""

from __future__ import annotations

import re

import pytest

from intake_common.domain.limits import BudgetWindow
from intake_common.runtime.settings import NotifySettings
from notify_staff.render import (
    GSM7,
    SMS_MAX,
    first_name,
    one_segment,
    render_confirmation,
    render_email,
    render_escalation_email,
    render_escalation_sms,
    render_sms,
    render_summary_email,
    render_summary_sms,
)
from tests.support.builders import stored

SETTINGS = NotifySettings.model_validate(
    {
        "TABLE_NAME": "requests",
        "LIMITS_TABLE": "alert-limits",
        "STAFF_EMAILS": "a@clinic.example",
        "STAFF_PHONES": "+14155550101",
        "ALERT_DETAIL": "contact",
        "CLINIC_PHONE": "+14155550100",
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


def test_an_urgent_request_says_call_back_today_and_nothing_more() -> None:
    item = stored(reason="I want to die some days").model_copy(update={"urgent": True})

    sms = render_sms(item, SETTINGS)
    email = render_email(item, SETTINGS)

    assert sms.startswith("Urgent: please call back today. New appointment request")
    assert len(sms) <= SMS_MAX
    assert set(sms) <= GSM7
    assert email.subject == f"Urgent: new appointment request {item.reference}"
    assert email.text.startswith("Urgent: please call back today.")
    for words in ("want to die", "die", "crisis", "suicid"):
        assert words not in (sms + email.subject + email.text + email.html).lower()


def test_the_staff_email_says_what_became_of_the_confirmation() -> None:
    item = stored(confirmation_email=True)

    sent = render_email(item, SETTINGS, "sent")
    today = render_email(item, SETTINGS, "sent_today")

    assert "Confirmation to the visitor: sent to the address they gave" in sent.text
    assert "one was already sent to this address today" in today.text


@pytest.mark.parametrize(
    ("full_name", "first"),
    [
        ("Ana Núñez-O'Brien", "Ana"),
        ("Núñez-O'Brien, Ana", "Ana"),
        ("Zoë", "Zoë"),
        ("  Kim   Lee ", "Kim"),
        ("佐々木 さくら", "佐々木"),
        # Not a first name made of letters: the greeting is "Hello," (a scripted request's
        # "name" must not put a domain or a phrase into a clinic-signed email)
        ("secure-riverbend-portal.com Smith", ""),
        ("Dr. Who", ""),
        ("Mary-Jane Watson", ""),
    ],
)
def test_the_confirmation_calls_the_visitor_by_the_first_name_only(
    full_name: str, first: str
) -> None:
    assert first_name(full_name) == first


def test_the_confirmation_has_the_reference_next_steps_the_clinic_and_988_only() -> None:
    item = stored(
        full_name="Ana Núñez-O'Brien",
        reason="Panic at night",
        email="ana@example.org",
        confirmation_email=True,
    )

    email = render_confirmation(item, SETTINGS)

    assert email.subject == f"Your request to Riverbend Clinic, reference {item.reference}"
    everything = email.subject + email.text + email.html
    assert email.text.startswith("Hello Ana,")
    assert item.reference in email.text
    assert "+1 415-555-0100" in email.text
    assert '<a href="tel:+14155550100">+1 415-555-0100</a>' in email.html
    assert '<a href="tel:988">988</a>' in email.html
    assert "What happens next" in email.text
    for private in ("Núñez", "O'Brien", "Brien", "Panic", "ana@example.org", "2671"):
        assert private not in everything


def _window(held: int, urgent: int, refs: tuple[str, ...] = ()) -> BudgetWindow:
    return BudgetWindow(
        channel="sms",
        window="2026-11-30T14:00Z",
        held=held,
        held_urgent=urgent,
        held_urgent_refs=frozenset(refs),
    )


def test_the_budget_summary_says_how_many_held_requests_are_urgent() -> None:
    sms = render_summary_sms(_window(12, 2), SETTINGS)
    email = render_summary_email(_window(12, 2), SETTINGS)
    calm = render_summary_email(_window(12, 0), SETTINGS)

    assert "2 urgent, call back today." in sms
    assert len(sms) <= SMS_MAX
    assert email.subject.startswith("Urgent: Alert limit reached: 12 more requests")
    assert "2 of them are marked urgent" in email.text
    assert "urgent" not in calm.text.lower()
    assert "Urgent, by reference" not in email.text


def test_the_budget_summary_names_the_held_urgent_requests_by_reference() -> None:
    # Issue 20: "none was lost" with counts only left staff to hunt for the urgent ones.
    refs = ("K7Q2-93XD", "A1B2-C3D4")
    email = render_summary_email(_window(40, 2, refs), SETTINGS)
    sms = render_summary_sms(_window(40, 2, refs), SETTINGS)

    assert "Urgent, by reference:\n  A1B2-C3D4\n  K7Q2-93XD\n" in email.text
    assert "<p>Urgent, by reference:" in email.html
    assert "2 urgent: A1B2-C3D4, K7Q2-93XD, call back today." in sms


def test_a_summary_with_more_urgent_than_it_names_says_how_many_more() -> None:
    refs = tuple(f"AAA{n}-BBBB" for n in range(8))
    email = render_summary_email(_window(300, 30, refs), SETTINGS)
    sms = render_summary_sms(_window(300, 30, refs), SETTINGS)

    assert "  AAA7-BBBB\n  and 22 more\n" in email.text
    assert len(sms) <= SMS_MAX
    listed = sms.count("-BBBB")
    assert 1 <= listed < 8
    assert f" and {30 - listed} more, call back today." in sms


def test_a_greeting_names_the_visitor_only_by_a_first_name_of_letters() -> None:
    settings = SETTINGS
    by_name = render_confirmation(stored(full_name="Ana Núñez", confirmation_email=True), settings)
    scripted = render_confirmation(
        stored(full_name="secure-riverbend-portal.com Support", confirmation_email=True), settings
    )

    assert by_name.text.startswith("Hello Ana,\n")
    assert scripted.text.startswith("Hello,\n")
    assert "riverbend-portal" not in scripted.text + scripted.html


def test_staff_are_told_prefers_spanish_in_every_alert_and_the_visitor_gets_spanish() -> None:
    spanish = stored(language="es").model_copy(update={"urgent": True})
    english = stored()
    minimal = SETTINGS.model_copy(update={"alert_detail": "minimal"})

    sms = render_sms(spanish, SETTINGS)
    assert re.fullmatch(
        rf"Urgent: please call back today\. New appointment request {spanish.reference} at "
        r"\d\d:\d\d\. See email\. Prefers Spanish\.",
        sms,
    )
    assert len(sms) <= SMS_MAX
    assert set(sms) <= GSM7
    for settings in (SETTINGS, minimal):
        assert "Language: Prefers Spanish" in render_email(spanish, settings).text
        assert "Prefers Spanish" in render_email(spanish, settings).html
    assert "Language: Prefers Spanish" in render_escalation_email(spanish, "2 h", SETTINGS).text
    escalation = render_escalation_sms(spanish, "2 h")
    assert escalation.endswith("Please call back now. Prefers Spanish.")
    assert len(escalation) <= SMS_MAX
    for text in (
        render_sms(english, SETTINGS),
        render_email(english, SETTINGS).text,
        render_escalation_email(english, "2 h", SETTINGS).text,
        render_escalation_sms(english, "2 h"),
    ):
        assert "Spanish" not in text
    confirmation = render_confirmation(spanish, SETTINGS)
    assert confirmation.subject.startswith("Su solicitud a Riverbend Clinic, referencia ")
    assert "Llámenos al +1 415-555-0100" in confirmation.text
    assert '<a href="tel:+14155550100">+1 415-555-0100</a>' in confirmation.html
    assert confirmation.html.startswith('<!doctype html><html lang="es">')


def test_an_sms_text_past_one_gsm7_segment_is_refused() -> None:
    assert one_segment("x" * SMS_MAX) == "x" * SMS_MAX
    assert one_segment("£¿ñ") == "£¿ñ"
    for wrong in ("x" * (SMS_MAX + 1), "ok \u2019", "emoji \U0001f600"):
        with pytest.raises(ValueError, match="SMS text must be one GSM-7 segment"):
            one_segment(wrong)
