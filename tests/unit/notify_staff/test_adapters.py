"""notify_staff's adapters, against botocore's Stubber: what goes to SES and SNS exactly."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from notify_staff.adapters import SesMailer, SnsTexter
from notify_staff.ports import PermanentSendError, SendingPaused, TransientSendError
from notify_staff.render import Email

_EMAIL = Email("s", "t", "h")


def _client(service: str) -> Any:
    session: Any = boto3.Session(region_name="us-east-1")
    return session.client(service)


def test_staff_email_is_raw_mime_through_the_tls_only_configuration_set_tagged_for_bounces() -> (
    None
):
    ses = _client("sesv2")
    mailer = SesMailer("alerts@clinic.example", ses, "clinic-staff-tls", "clinic-visitors")
    request_id = "9b2f3c1e-0000-4000-8000-000000000001"
    with Stubber(ses) as stub:
        stub.add_response(
            "send_email",
            {"MessageId": "m-1"},
            {
                "FromEmailAddress": "alerts@clinic.example",
                "Destination": {"ToAddresses": ["nurse@clinic.example"]},
                "Content": {"Raw": {"Data": ANY}},
                "ConfigurationSetName": "clinic-staff-tls",
                # SES returns these in a bounce: which request's alert came back.
                "EmailTags": [
                    {"Name": "intake-message", "Value": "alert"},
                    {"Name": "intake-request", "Value": request_id},
                ],
            },
        )
        email = Email("Subject", "text", "<p>html</p>")
        sent = mailer.send("nurse@clinic.example", email, kind="alert", request_id=request_id)
        assert sent == "m-1"


def test_a_visitors_confirmation_goes_through_its_own_configuration_set() -> None:
    # Its set has SES's suppression list: a mistyped visitor address cannot harm staff alerts.
    ses = _client("sesv2")
    mailer = SesMailer("alerts@clinic.example", ses, "clinic-staff-tls", "clinic-visitors")
    with Stubber(ses) as stub:
        stub.add_response(
            "send_email",
            {"MessageId": "m-2"},
            {
                "FromEmailAddress": "alerts@clinic.example",
                "Destination": {"ToAddresses": ["ana@example.org"]},
                "Content": {"Raw": {"Data": ANY}},
                "ConfigurationSetName": "clinic-visitors",
                "EmailTags": [{"Name": "intake-message", "Value": "confirmation"}],
            },
        )
        assert mailer.send("ana@example.org", Email("s", "t", "h"), kind="confirmation") == "m-2"


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("MessageRejected", PermanentSendError),
        ("TooManyRequestsException", TransientSendError),
        # A missing permission is fixed by a deploy: the message waits (retry, DLQ, re-drive)
        ("AccessDeniedException", TransientSendError),
        # SES not sending for the account: every email waits for ops, none is dropped
        ("SendingPausedException", SendingPaused),
        ("AccountSuspendedException", SendingPaused),
    ],
)
def test_ses_errors_are_permanent_or_temporary_by_what_a_retry_can_fix(
    code: str, error: type[Exception]
) -> None:
    ses = _client("sesv2")
    with Stubber(ses) as stub:
        stub.add_client_error("send_email", service_error_code=code)
        with pytest.raises(error):
            SesMailer("alerts@clinic.example", ses).send("a@b.example", _EMAIL, kind="alert")


def test_an_opted_out_phone_is_permanent_and_never_published_to() -> None:
    sns = _client("sns")
    with Stubber(sns) as stub:
        stub.add_response("check_if_phone_number_is_opted_out", {"isOptedOut": True})
        with pytest.raises(PermanentSendError, match="OptedOut"):
            SnsTexter(sns).send("+14155550199", "text")
        stub.assert_no_pending_responses()  # no publish was attempted


def test_a_message_rendered_once_reads_the_same_for_every_recipient() -> None:
    import email

    from notify_staff.adapters import mime_message

    subject, text, html = "Urgent: new appointment request K7Q2-93XD", "Zoë — call", "<p>Zoë</p>"
    first = email.message_from_bytes(
        mime_message("a@clinic.example", "x@c.example", subject, text, html)
    )
    second = email.message_from_bytes(
        mime_message("a@clinic.example", "y@c.example", subject, text, html)
    )
    # A recipient that is not plain ASCII is rendered in full, and reads the same.
    full = email.message_from_bytes(
        mime_message("a@clinic.example", "zoë@c.example", subject, text, html)
    )

    assert (first["To"], second["To"]) == ("x@c.example", "y@c.example")
    for message in (first, second, full):
        assert message["Subject"] == subject
        assert message["From"] == "a@clinic.example"
        parts = [
            part.get_payload(decode=True)
            for part in message.walk()
            if part.get_content_maintype() == "text"
        ]
        assert parts == [text.encode(), html.encode()]
