"""Outbound adapters of notify_staff: SES (email), SNS (SMS), and the shared requests table.

With ``intake_common.aws.table``, the only modules of this function that call AWS.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from email.charset import QP, Charset
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from intake_common.aws import clients
from intake_common.aws.table import DynamoLimitsStore, DynamoRequestStore
from intake_common.domain.limits import AlertBudget
from intake_common.runtime.settings import NotifySettings

from .delivery import MESSAGE_TAG, REQUEST_TAG
from .ports import (
    Dependencies,
    MailKind,
    PermanentSendError,
    SendingPaused,
    TransientSendError,
)
from .render import Email

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sns import SNSClient

_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP

# SES v2 errors that no retry will fix. (A missing IAM permission is not one of them: after the
# fix, the retried or re-driven message goes out.)
_SES_PERMANENT = {
    "MessageRejected",
    "MailFromDomainNotVerifiedException",
    "BadRequestException",
    "NotFoundException",
}
# SES not sending for the whole account: temporary (retried, alarmed, never dropped), not a
# refusal of this one message. SES API v2 reference, SendEmail errors:
# https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html
_SES_PAUSED = {"SendingPausedException", "AccountSuspendedException"}
_SNS_PERMANENT = {
    "InvalidParameter",
    "InvalidParameterException",
    "InvalidParameterValue",
    "InvalidParameterValueException",
    "OptedOut",
}


def _classify(exc: Exception, permanent: set[str]) -> Exception:
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "Unknown")
        if code in permanent:
            return PermanentSendError(code)
        if code in _SES_PAUSED:
            return SendingPaused(code)
        return TransientSendError(code)
    return TransientSendError(type(exc).__name__)


def mime_message(sender: str, to: str, subject: str, text: str, html: str) -> bytes:
    """One MIME message with a plain-text and an HTML part, built from fixed text and our own
    reference in the headers: nothing typed reaches them. Quoted-printable keeps it 7-bit clean
    through every mail hop.

    The same alert goes to every staff address: everything but the ``To`` header is rendered
    once (``_rendered``; rendering was a quarter of a warm alert, BENCHMARKS.md) and the
    recipient's header is put in front. An address that is not plain ASCII takes the full path.
    """
    if to.isascii() and to.isprintable() and "\n" not in to and "\r" not in to:
        return b"To: " + to.encode("ascii") + b"\n" + _rendered(sender, subject, text, html)
    return _message(sender, subject, text, html, to).as_bytes()


def _message(sender: str, subject: str, text: str, html: str, to: str = "") -> MIMEMultipart:
    message = MIMEMultipart("alternative")
    message["Subject"] = subject if subject.isascii() else Header(subject, "utf-8").encode()
    message["From"] = sender
    if to:
        message["To"] = to
    # MIMEText takes a Charset too (set_payload does); typeshed only lists str.
    message.attach(MIMEText(text, "plain", _UTF8_QP))  # type: ignore[arg-type]
    message.attach(MIMEText(html, "html", _UTF8_QP))  # type: ignore[arg-type]
    return message


@lru_cache(maxsize=4)
def _rendered(sender: str, subject: str, text: str, html: str) -> bytes:
    """The message without its ``To`` header (the last few, while one batch sends them)."""
    return _message(sender, subject, text, html).as_bytes()


class SesMailer:
    """Email through SES v2 (Raw content: IAM's ses:SendRawEmail), from one sender.

    Staff email goes through the staff configuration set (TLS required; its bounces,
    complaints, rejections and delays come back through its event destination, template.yaml);
    a visitor's confirmation through its own, with SES's suppression list. Each message carries
    two tags, which SES returns in those events: what it is, and the request's id (a random
    UUID, no submitted value).
    https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html
    """

    def __init__(
        self,
        sender: str,
        client: SESV2Client,
        configuration_set: str = "",
        confirmation_set: str = "",
    ) -> None:
        self.sender = sender
        self.client = client
        self.configuration_set = configuration_set
        self.confirmation_set = confirmation_set

    def send(self, to: str, email: Email, *, kind: MailKind, request_id: str = "") -> str:
        tags = [{"Name": MESSAGE_TAG, "Value": kind}]
        if request_id:
            tags.append({"Name": REQUEST_TAG, "Value": request_id})
        request: dict[str, Any] = {
            "FromEmailAddress": self.sender,
            "Destination": {"ToAddresses": [to]},
            "Content": {"Raw": {"Data": mime_message(self.sender, to, *email.parts)}},
            "EmailTags": tags,
        }
        configuration_set = (
            self.confirmation_set if kind == "confirmation" else self.configuration_set
        )
        if configuration_set:
            request["ConfigurationSetName"] = configuration_set
        try:
            response = self.client.send_email(**request)
        except (ClientError, BotoCoreError) as exc:
            raise _classify(exc, _SES_PERMANENT) from exc
        return response.get("MessageId", "")


class SnsTexter:
    """Staff SMS through SNS, transactional, to E.164 numbers."""

    def __init__(self, client: SNSClient) -> None:
        self.client = client

    def send(self, to: str, message: str) -> str:
        try:
            # SNS accepts a publish to an opted-out number and silently drops it: ask first.
            opted_out = self.client.check_if_phone_number_is_opted_out(phoneNumber=to)
            if opted_out.get("isOptedOut"):
                raise PermanentSendError("OptedOut")
            response = self.client.publish(
                PhoneNumber=to,
                Message=message,
                MessageAttributes={
                    "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
                },
            )
        except (ClientError, BotoCoreError) as exc:
            raise _classify(exc, _SNS_PERMANENT) from exc
        return response.get("MessageId", "")


def build(settings: NotifySettings, agent: str) -> Dependencies:
    config = clients.config(agent)
    dynamodb = clients.client("dynamodb", config=config)
    return Dependencies(
        store=DynamoRequestStore(settings.table_name, dynamodb),
        budget=AlertBudget(DynamoLimitsStore(settings.limits_table, dynamodb)),
        mailer=SesMailer(
            settings.sender_email,
            clients.client("sesv2", config=config),
            settings.ses_configuration_set,
            settings.confirmation_configuration_set,
        ),
        texter=SnsTexter(clients.client("sns", config=config)),
    )


@contextmanager
def offline(deps: Dependencies, stored: dict[str, Any]) -> Iterator[None]:
    """These adapters' AWS calls answered locally within the block (SnapStart priming): the
    requests table holds ``stored`` (DynamoDB's wire format), every send succeeds."""
    found = [
        adapter.client
        for adapter in (deps.store, deps.budget.store, deps.mailer, deps.texter)
        if isinstance(adapter, DynamoRequestStore | DynamoLimitsStore | SesMailer | SnsTexter)
    ]
    answers: dict[str, dict[str, Any]] = {
        "GetItem": {"Item": stored},
        "SendEmail": {"MessageId": "priming"},
        "Publish": {"MessageId": "priming"},
        "CheckIfPhoneNumberIsOptedOut": {"isOptedOut": False},
    }
    with clients.offline(found, answers):
        yield
