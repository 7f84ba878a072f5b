"""Visitor care, through the handlers on moto (SNS, SQS, SES) and dynalite: the confirmation a
visitor asked for, and a request whose words suggest a crisis."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from intake_local.template import LocalStack
from tests.support.aws import all_items, header, json_body, outbox, receive
from tests.support.data import valid_fields
from tests.support.handlers import Deliver, Invoke
from tests.support.stack import PARAMETERS

STAFF_EMAILS = PARAMETERS["StaffEmails"].split(",")
VISITOR = "ana.nunez@example.org"
CRISIS = "Honestly I don't want to be here anymore."


def _to(address: str) -> list[dict[str, str]]:
    return [email for email in outbox()["emails"] if email["to"] == [address]]


def test_a_confirmation_goes_once_to_the_visitors_address_only(
    invoke: Invoke, deliver: Deliver, aws: LocalStack
) -> None:
    # Given a visitor who asked for a confirmation
    reference = json_body(invoke(valid_fields(email=VISITOR, confirmation_email=True)))["reference"]

    # When the alert message is delivered twice (SQS delivers at least once)
    batch = receive(aws)
    deliver(batch)
    deliver(batch)

    # Then the visitor has one confirmation, neutral, with the first name and no reason
    (confirmation,) = _to(VISITOR)
    assert confirmation["subject"] == f"Your request to Riverbend Clinic, reference {reference}"
    assert confirmation["from"] == PARAMETERS["SenderEmail"]
    assert confirmation["text"].startswith("Hello Ana,")
    everything = confirmation["subject"] + confirmation["text"] + confirmation["html"]
    for private in ("Núñez", "Brien", "Anxiety", "treatment options", "2671"):
        assert private not in everything
    assert "988" in confirmation["text"]
    # and every staff email says it was sent
    for address in STAFF_EMAILS:
        (alert,) = _to(address)
        assert "Confirmation to the visitor: sent to the address they gave" in alert["text"]
    (item,) = all_items(aws)
    assert item["alerts"]["confirmation:visitor"]["state"] == "sent"


def test_a_second_request_from_the_same_address_that_day_sends_no_second_confirmation(
    invoke: Invoke, deliver: Deliver, aws: LocalStack
) -> None:
    invoke(valid_fields(email=VISITOR, confirmation_email=True))
    deliver()
    second = json_body(
        invoke(valid_fields(email=VISITOR.upper(), full_name="Ana Other", confirmation_email=True))
    )["reference"]

    deliver()

    assert len(_to(VISITOR)) + len(_to(VISITOR.upper())) == 1
    alert = next(e for e in _to(STAFF_EMAILS[0]) if second in e["subject"])
    assert "not sent: one was already sent to this address today" in alert["text"]
    # The ledger holds a keyed hash of the address, never the address
    ledger = [row for row in all_items(aws, "AlertLimitsTable") if "owner" in row]
    assert len(ledger) == 1
    assert "example.org" not in str(ledger).lower()


def test_an_urgent_request_is_flagged_to_staff_without_its_words(
    invoke: Invoke, deliver: Deliver, aws: LocalStack
) -> None:
    reference = json_body(invoke(valid_fields(reason=CRISIS)))["reference"]

    deliver()

    (item,) = all_items(aws)
    assert item["urgent"] is True
    (sms,) = outbox()["sms"]
    assert sms["message"].startswith("Urgent: please call back today.")
    for address in STAFF_EMAILS:
        (alert,) = _to(address)
        assert alert["subject"] == f"Urgent: new appointment request {reference}"
        assert alert["text"].startswith("Urgent: please call back today.")
    for message in [sms["message"]] + [e["text"] + e["html"] for e in outbox()["emails"]]:
        assert "here anymore" not in message
        assert "want to be" not in message


def test_without_javascript_an_urgent_request_lands_on_the_page_with_988_first(
    invoke: Invoke, aws: LocalStack
) -> None:
    urgent = valid_fields(consent="on", submission_id="", reason=CRISIS)
    calm = valid_fields(consent="on", submission_id="", reason="Worry about work.")

    locations = [str(header(invoke(f, form=True), "Location")) for f in (urgent, calm)]

    assert [urlparse(where).path for where in locations] == [
        "/request-received.html",
        "/thank-you.html",
    ]
    assert set(parse_qs(urlparse(locations[0]).query)) == {"ref"}  # nothing else in the address
