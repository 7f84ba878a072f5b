"""Outbound adapters of notify_staff: the table, SES (email) and SNS (SMS).

The only module of this function that imports boto3. Each send method raises
``TransientSendError`` (retry later) or ``PermanentSendError`` (record it, do not retry).
"""

from __future__ import annotations

from email.charset import QP, Charset
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from typing import TYPE_CHECKING, Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sns import SNSClient

_CONFIG = Config(
    connect_timeout=2, read_timeout=5, retries={"mode": "standard", "total_max_attempts": 3}
)
_serializer = TypeSerializer()


def _config(agent: str) -> Config:
    # The user agent (``clinic-intake/<handler module>``) is in CloudTrail with every call.
    return _CONFIG.merge(Config(user_agent_extra=agent)) if agent else _CONFIG


_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP
_deserializer = TypeDeserializer()

# SES v2 errors that no retry will fix.
_SES_PERMANENT = {
    "MessageRejected",
    "MailFromDomainNotVerifiedException",
    "BadRequestException",
    "NotFoundException",
    "AccountSuspendedException",
    "SendingPausedException",
}
_SNS_PERMANENT = {
    "InvalidParameter",
    "InvalidParameterException",
    "InvalidParameterValue",
    "InvalidParameterValueException",
    "AuthorizationError",
    "AuthorizationErrorException",
    "OptedOut",
}


class TransientSendError(Exception):
    """Throttling, a 5xx, a time-out: the same send may work later."""


class PermanentSendError(Exception):
    """Rejected for good (opted out, rejected sender, invalid address). ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class StorageError(Exception):
    """The table could not be read or updated; the message is retried."""


def _classify(exc: Exception, permanent: set[str]) -> Exception:
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "Unknown")
        if code in permanent:
            return PermanentSendError(code)
        return TransientSendError(code)
    return TransientSendError(type(exc).__name__)


class RequestTable:
    """Reads requests and records, per channel and recipient, what was sent."""

    def __init__(
        self, table_name: str, client: DynamoDBClient | None = None, agent: str = ""
    ) -> None:
        self._table = table_name
        self._client = client or boto3.client("dynamodb", config=_config(agent))

    def _key(self, submission_id: str) -> dict[str, Any]:
        return {"submission_id": {"S": submission_id}}

    def get(self, submission_id: str) -> dict[str, Any] | None:
        try:
            response = self._client.get_item(
                TableName=self._table, Key=self._key(submission_id), ConsistentRead=True
            )
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(type(exc).__name__) from exc
        item = response.get("Item")
        if item is None:
            return None
        return {key: _deserializer.deserialize(value) for key, value in item.items()}

    def _update(self, submission_id: str, **kwargs: Any) -> bool:
        """Run a conditional update; ``False`` if its condition did not hold."""
        if "ExpressionAttributeValues" in kwargs:
            kwargs["ExpressionAttributeValues"] = {
                key: _serializer.serialize(value)
                for key, value in kwargs["ExpressionAttributeValues"].items()
            }
        try:
            self._client.update_item(TableName=self._table, Key=self._key(submission_id), **kwargs)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise StorageError(exc.response.get("Error", {}).get("Code", "Unknown")) from exc
        except BotoCoreError as exc:
            raise StorageError(type(exc).__name__) from exc
        return True

    def claim(self, submission_id: str, key: str, at: str, now: int, lease: int) -> bool:
        """Take the right to send one alert, unless it was sent or another worker holds it."""
        return self._update(
            submission_id,
            UpdateExpression="SET alerts.#k = :claim",
            ConditionExpression=(
                "attribute_exists(submission_id) AND (attribute_not_exists(alerts.#k) OR "
                "(alerts.#k.#state = :sending AND alerts.#k.lease_until < :now))"
            ),
            ExpressionAttributeNames={"#k": key, "#state": "state"},
            ExpressionAttributeValues={
                ":claim": {"state": "sending", "at": at, "lease_until": now + lease},
                ":sending": "sending",
                ":now": now,
            },
        )

    def release(self, submission_id: str, key: str, error: str, at: str) -> None:
        """Give a claim back after a temporary failure, so the retry sends it; keep the error
        code where ops (``intake smoke``) can read why the alert is still pending."""
        self._update(
            submission_id,
            UpdateExpression="REMOVE alerts.#k SET alert_retry = :retry",
            ConditionExpression="alerts.#k.#state = :sending",
            ExpressionAttributeNames={"#k": key, "#state": "state"},
            ExpressionAttributeValues={
                ":sending": "sending",
                ":retry": {"key": key, "error": error, "at": at},
            },
        )

    def record(self, submission_id: str, key: str, state: str, at: str, error: str = "") -> None:
        """Record a finished alert (sent, or failed for good)."""
        value: dict[str, Any] = {"state": state, "at": at}
        if error:
            value["error"] = error
        self._update(
            submission_id,
            UpdateExpression="SET alerts.#k = :done",
            ExpressionAttributeNames={"#k": key},
            ExpressionAttributeValues={":done": value},
        )

    def complete(self, submission_id: str, state: str, at: str) -> bool:
        """Close the request's alert state (once)."""
        return self._update(
            submission_id,
            UpdateExpression="SET alert_state = :state, alerted_at = :at",
            ConditionExpression="alert_state = :pending",
            ExpressionAttributeValues={":state": state, ":at": at, ":pending": "pending"},
        )


class Mailer:
    """Staff email through SES v2, from the one verified sender."""

    def __init__(self, sender: str, client: SESV2Client | None = None, agent: str = "") -> None:
        self._sender = sender
        self._client = client or boto3.client("sesv2", config=_config(agent))

    def send(self, to: str, subject: str, text: str, html: str) -> str:
        # One MIME message with a plain-text and an HTML part, built from fixed text and our
        # own reference in the headers: nothing typed reaches them. Quoted-printable keeps it
        # 7-bit clean through every mail hop.
        message = MIMEMultipart("alternative")
        message["Subject"] = subject if subject.isascii() else Header(subject, "utf-8").encode()
        message["From"] = self._sender
        message["To"] = to
        # MIMEText takes a Charset too (set_payload does); typeshed only lists str.
        message.attach(MIMEText(text, "plain", _UTF8_QP))  # type: ignore[arg-type]
        message.attach(MIMEText(html, "html", _UTF8_QP))  # type: ignore[arg-type]
        try:
            response = self._client.send_email(
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": [to]},
                Content={"Raw": {"Data": message.as_bytes()}},
            )
        except (ClientError, BotoCoreError) as exc:
            raise _classify(exc, _SES_PERMANENT) from exc
        return response.get("MessageId", "")


class Texter:
    """Staff SMS through SNS, transactional, to E.164 numbers."""

    def __init__(self, client: SNSClient | None = None, agent: str = "") -> None:
        self._client = client or boto3.client("sns", config=_config(agent))

    def send(self, to: str, message: str) -> str:
        try:
            # SNS accepts a publish to an opted-out number and silently drops it: ask first.
            opted_out = self._client.check_if_phone_number_is_opted_out(phoneNumber=to)
            if opted_out.get("isOptedOut"):
                raise PermanentSendError("OptedOut")
            response = self._client.publish(
                PhoneNumber=to,
                Message=message,
                MessageAttributes={
                    "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
                },
            )
        except (ClientError, BotoCoreError) as exc:
            raise _classify(exc, _SNS_PERMANENT) from exc
        return response.get("MessageId", "")
