"""What notify_staff does with one alert message: alert each staff recipient exactly once.

Per (channel, recipient) the item records ``sending`` (a lease), then ``sent`` or ``failed``.
A retry skips what is recorded, so a replayed or duplicated message sends nothing twice. If the
process dies between the send and the record, the lease runs out and the retry sends again:
both channels are *at least once*, because a duplicate staff alert is a nuisance while a lost
one is a person asking for help whom nobody calls back.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from intake_common.contract import AlertMessage
from intake_common.models import StoredRequest
from intake_common.observability import logger, metrics
from intake_common.settings import NotifySettings

from .adapters import PermanentSendError, TransientSendError

SMS_MAX = 160
# The GSM 03.38 basic character set: staying inside it keeps 160 characters in one segment.
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


class RequestNotFound(Exception):
    """The message names a request that is not in the table: a poison message."""


class RetryLater(Exception):
    """Some alert of this message could not be sent yet; SQS will deliver it again."""


class Table(Protocol):
    def get(self, submission_id: str) -> dict[str, Any] | None: ...
    def claim(self, submission_id: str, key: str, at: str, now: int, lease: int) -> bool: ...
    def release(self, submission_id: str, key: str, error: str, at: str) -> None: ...
    def record(
        self, submission_id: str, key: str, state: str, at: str, error: str = ""
    ) -> None: ...
    def complete(self, submission_id: str, state: str, at: str) -> bool: ...


class MailSender(Protocol):
    def send(self, to: str, subject: str, text: str, html: str) -> str: ...


class SmsSender(Protocol):
    def send(self, to: str, message: str) -> str: ...


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


_LABELS = {
    "email": "Email",
    "phone": "Phone call",
    "text": "Text message",
    "new": "New patient",
    "returning": "Returning patient",
    "morning": "morning",
    "afternoon": "afternoon",
    "evening": "evening",
    "any": "any time",
}


def render_email(request: StoredRequest, settings: NotifySettings) -> Email:
    """The staff email. The subject holds fixed text and the reference only; every value in
    the HTML is escaped; the free-text reason is never included."""
    received = _local_time(request.created_at, settings.zone)
    lookup = settings.lookup_hint.format(reference=request.reference)
    rows: list[tuple[str, str]] = [
        ("Reference", request.reference),
        ("Received", f"{received:%Y-%m-%d %H:%M} ({settings.clinic_timezone})"),
    ]
    if settings.alert_detail == "contact":
        when = request.preferred_date or "no preferred date"
        rows += [
            ("Name", request.full_name),
            ("Phone", request.phone),
            ("Email", request.email),
            ("Preferred contact", _LABELS[request.preferred_contact]),
            ("Visit type", _LABELS[request.visit_type]),
            ("Preferred time", f"{when}, {_LABELS[request.preferred_time]}"),
        ]
    intro = (
        "TEST: this request was sent by `intake smoke` after a deploy. No action is needed."
        if request.smoke_test
        else "A new appointment request has arrived."
    )
    outro = (
        "The reason for the visit is never sent by email. To see the full request, run:"
        if settings.alert_detail == "contact"
        else "Details are not sent by email. To see the request, run:"
    )
    text = "\n".join(
        [intro, "", *(f"{label}: {value}" for label, value in rows), "", outro, f"  {lookup}", ""]
    )
    cells = "".join(
        f'<tr><th scope="row" align="left">{html.escape(label)}</th>'
        f"<td>{html.escape(value)}</td></tr>"
        for label, value in rows
    )
    body = (
        '<!doctype html><html lang="en"><body>'
        f"<p>{html.escape(intro)}</p><table>{cells}</table>"
        f"<p>{html.escape(outro)}</p><pre>{html.escape(lookup)}</pre></body></html>"
    )
    subject = "TEST (post-deploy check)" if request.smoke_test else "New appointment request"
    return Email(subject=f"{subject} {request.reference}", text=text, html=body)


def render_sms(request: StoredRequest, settings: NotifySettings) -> str:
    """One GSM-7 segment, and no health data: the reference and the time only."""
    received = _local_time(request.created_at, settings.zone)
    where = "See email." if settings.staff_emails else "See the staff tools."
    if request.smoke_test:
        message = f"TEST {request.reference} at {received:%H:%M}: post-deploy check, no action."
    else:
        message = f"New appointment request {request.reference} at {received:%H:%M}. {where}"
    if len(message) > SMS_MAX or not set(message) <= GSM7:  # pragma: no cover - fixed text
        raise ValueError("SMS text must be one GSM-7 segment")
    return message


def _local_time(created_at: str, zone: ZoneInfo) -> datetime:
    return datetime.fromisoformat(created_at).astimezone(zone)


def handle_alert(
    message: AlertMessage,
    *,
    settings: NotifySettings,
    table: Table,
    mailer: MailSender,
    texter: SmsSender,
    now: datetime,
) -> str:
    """Send what is missing for one request; return its alert state afterwards.

    Raises ``RetryLater`` when a send failed for now (only that message is retried) and
    ``RequestNotFound`` for a message about no stored request.
    """
    request_id = str(message.request_id)
    item = table.get(request_id)
    if item is None:
        raise RequestNotFound(request_id)
    request = StoredRequest.model_validate(item)
    if request.alert_state != "pending":
        # Spam (skipped) or already alerted: a replay sends nothing.
        logger.info("alert not needed", submission_id=request_id, alert_state=request.alert_state)
        return request.alert_state

    at = now.isoformat(timespec="milliseconds")
    epoch = int(now.timestamp())
    email = render_email(request, settings) if settings.staff_emails else None
    sms = render_sms(request, settings) if settings.staff_phones else None
    targets = [("email", address) for address in settings.staff_emails] + [
        ("sms", phone) for phone in settings.staff_phones
    ]
    retry = False
    delivered = failed = 0
    for index, (channel, recipient) in enumerate(targets):
        key = f"{channel}:{recipient}"
        done = request.alerts.get(key)
        if done is not None and done.state in {"sent", "failed"}:
            delivered += done.state == "sent"
            failed += done.state == "failed"
            continue
        if not table.claim(request_id, key, at, epoch, settings.send_lease_seconds):
            # Another delivery of this message is sending it right now: look again later.
            retry = True
            continue
        log: dict[str, object] = {
            "submission_id": request_id,
            "channel": channel,
            "recipient_index": index,
        }
        try:
            if channel == "email" and email is not None:
                mailer.send(recipient, email.subject, email.text, email.html)
            elif channel == "sms" and sms is not None:
                texter.send(recipient, sms)
        except TransientSendError as exc:
            table.release(request_id, key, str(exc), at)
            metrics.add_metric(name="AlertSendRetried", unit="Count", value=1)
            logger.warning("alert send failed, will retry", error=str(exc), extra=log)
            retry = True
            continue
        except PermanentSendError as exc:
            table.record(request_id, key, "failed", at, error=exc.code)
            metrics.add_metric(name="AlertSendFailed", unit="Count", value=1)
            logger.error("alert send rejected, not retried", error=exc.code, extra=log)
            failed += 1
            continue
        table.record(request_id, key, "sent", at)
        metrics.add_metric(name="AlertSent", unit="Count", value=1)
        logger.info("alert sent", extra=log)
        delivered += 1

    if retry:
        raise RetryLater(request_id)
    state = "sent" if delivered else "failed"
    if not delivered:
        # Nobody was reached (no channel configured, or every send rejected): ops must know.
        metrics.add_metric(name="AlertNotDelivered", unit="Count", value=1)
        logger.error("no staff alert delivered", submission_id=request_id, failed=failed)
    table.complete(request_id, state, at)
    return state
