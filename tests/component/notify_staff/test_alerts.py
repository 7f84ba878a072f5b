from __future__ import annotations

import re
from typing import Any

import pytest

from intake_local.template import LocalStack
from tests.support.aws import all_items, json_body, outbox, receive
from tests.support.data import valid_fields
from tests.support.handlers import Deliver, Invoke
from tests.support.stack import PARAMETERS

STAFF_EMAILS = PARAMETERS["StaffEmails"].split(",")
STAFF_PHONE = PARAMETERS["StaffPhones"]
INBOX = "https://d111111abcdef8.cloudfront.net/staff/"


@pytest.fixture
def contact_detail(monkeypatch: pytest.MonkeyPatch) -> None:
    """AlertDetail=contact: emails also carry the name, phone and email."""
    from notify_staff import handler

    monkeypatch.setattr(
        handler, "settings", handler.settings.model_copy(update={"alert_detail": "contact"})
    )


def test_stored_request_alerts_every_staff_email_and_phone_once(
    invoke: Invoke, deliver: Deliver, aws: LocalStack
) -> None:
    # Given a stored request whose message SNS delivered to the alert queue
    fields = valid_fields()
    reference = json_body(invoke(fields))["reference"]

    # When notify_staff processes the queue
    result = deliver()

    # Then each staff address gets one email and the staff phone one SMS
    assert result == {"batchItemFailures": []}
    sent = outbox()
    assert sorted(e["to"][0] for e in sent["emails"]) == sorted(STAFF_EMAILS)
    for message in sent["emails"]:
        assert message["subject"] == f"New appointment request {reference}"
        # AlertDetail=minimal (the default): a link to the request in the inbox, by reference
        link = f"{INBOX}#/requests/{reference}"
        assert link in message["text"]
        assert f'href="{link}"' in message["html"]
        for value in ("Ana", "2671", "ana.nunez", fields["reason"].splitlines()[0]):
            assert value not in message["text"] + message["html"]
    assert [s["to"] for s in sent["sms"]] == [STAFF_PHONE]
    sms = sent["sms"][0]["message"]
    assert re.fullmatch(rf"New appointment request {reference} at \d\d:\d\d\. See email\.", sms)
    assert len(sms) <= 160
    # And the item says every alert was sent, with the time
    item = all_items(aws)[0]
    assert item["alert_state"] == "sent"
    assert item["alerted_at"]
    assert {record["state"] for record in item["alerts"].values()} == {"sent"}
    assert len(item["alerts"]) == 3


def test_sms_holds_no_submitted_value(invoke: Invoke, deliver: Deliver) -> None:
    fields = valid_fields(full_name="Zed", email="zed@example.org", phone="415 555 0142")
    invoke(fields)
    deliver()
    sms = outbox()["sms"][0]["message"]
    for value in ("Zed", "zed@example.org", "5550142", "Anxiety"):
        assert value not in sms


def test_duplicate_delivery_sends_nothing_new(
    invoke: Invoke, deliver: Deliver, aws: LocalStack
) -> None:
    invoke(valid_fields())
    messages = receive(aws)

    deliver(messages)
    deliver(messages)  # the same SQS message delivered again

    sent = outbox()
    assert len(sent["emails"]) == 2
    assert len(sent["sms"]) == 1


def test_spam_request_sends_no_alert(invoke: Invoke, deliver: Deliver, aws: LocalStack) -> None:
    response = invoke(valid_fields(website="http://spam.example"))

    assert response["statusCode"] == 201
    assert receive(aws) == []
    assert outbox() == {"emails": [], "sms": []}
    assert all_items(aws)[0]["alert_state"] == "skipped"


def test_contact_detail_emails_carry_contact_details_never_the_reason(
    invoke: Invoke, deliver: Deliver, contact_detail: None
) -> None:
    fields = valid_fields()
    reference = json_body(invoke(fields))["reference"]

    deliver()

    for message in outbox()["emails"]:
        assert "Ana Núñez-O&#x27;Brien" in message["html"]
        assert "Ana Núñez-O'Brien" in message["text"]
        assert "+14155552671" in message["text"]
        assert f"{INBOX}#/requests/{reference}" in message["text"]
        assert fields["reason"].splitlines()[0] not in message["text"] + message["html"]


def test_markup_and_header_injection_in_name_are_inert(
    invoke: Invoke, deliver: Deliver, aws: Any, contact_detail: None
) -> None:
    # A name cannot hold < or CR/LF (the model refuses them), so store one directly to prove
    # the email would still be safe if such a value ever reached the table.
    import boto3

    from tests.support.stack import REGION

    invoke(valid_fields())
    table = boto3.resource("dynamodb", region_name=REGION).Table(aws.physical["RequestsTable"])
    item = all_items(aws)[0]
    table.update_item(
        Key={"submission_id": item["submission_id"]},
        UpdateExpression="SET full_name = :n",
        ExpressionAttributeValues={":n": "<script>alert(1)</script>\r\nBcc: evil@example.org"},
    )

    deliver()

    for message in outbox()["emails"]:
        assert "<script>" not in message["html"]
        assert "&lt;script&gt;" in message["html"]
        assert "Bcc" not in message["subject"]
        assert message["to"] != ["evil@example.org"]
    assert all(m["to"][0] in STAFF_EMAILS for m in outbox()["emails"])
