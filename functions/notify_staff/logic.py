"""What notify_staff does with one alert message: alert each staff recipient exactly once.

Per (channel, recipient) the item records ``sending`` (a lease), then ``sent`` or ``failed``.
A retry skips what is recorded, so a replayed or duplicated message sends nothing twice. If the
process dies between the send and the record, the lease runs out and the retry sends again:
both channels are *at least once*, because a duplicate staff alert is a nuisance while a lost
one is a person asking for help whom nobody calls back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from intake_common.contract import AlertMessage
from intake_common.item import (
    ClaimAlert,
    CompleteAlerts,
    RecordAlert,
    ReleaseAlert,
    RequestItem,
)
from intake_common.observability import logger, metrics
from intake_common.settings import NotifySettings

from .ports import Dependencies, PermanentSendError, TransientSendError
from .render import Email, render_email, render_sms

Sent = Literal["sent", "failed", "retry", "done"]


class RequestNotFound(Exception):
    """The message names a request that is not in the table: a poison message."""


class RetryLater(Exception):
    """Some alert of this message could not be sent yet; SQS will deliver it again."""


@dataclass(frozen=True)
class Target:
    channel: Literal["email", "sms"]
    recipient: str
    index: int

    @property
    def key(self) -> str:
        """The alert's name on the item, e.g. ``email:frontdesk@clinic.example``."""
        return f"{self.channel}:{self.recipient}"


def targets(settings: NotifySettings) -> list[Target]:
    """Every staff recipient, emails first."""
    recipients = [("email", a) for a in settings.staff_emails] + [
        ("sms", p) for p in settings.staff_phones
    ]
    return [Target(channel, recipient, i) for i, (channel, recipient) in enumerate(recipients)]  # type: ignore[arg-type]


def handle_alert(
    message: AlertMessage, *, settings: NotifySettings, deps: Dependencies, now: datetime
) -> str:
    """Send what is missing for one request; return its alert state afterwards.

    Raises ``RetryLater`` when a send failed for now (only that message is retried) and
    ``RequestNotFound`` for a message about no stored request.
    """
    request_id = str(message.request_id)
    request = deps.store.get(request_id)
    if request is None or request.expired(now):
        raise RequestNotFound(request_id)
    if request.alert_state != "pending":
        # Spam (skipped) or already alerted: a replay sends nothing.
        logger.info("alert not needed", submission_id=request_id, alert_state=request.alert_state)
        return request.alert_state

    outgoing = Outgoing(
        email=render_email(request, settings) if settings.staff_emails else None,
        sms=render_sms(request, settings) if settings.staff_phones else None,
    )
    results = [
        _alert_once(request, target, outgoing, settings, deps, now) for target in targets(settings)
    ]
    if "retry" in results:
        raise RetryLater(request_id)
    delivered = "sent" in results
    if not delivered:
        # Nobody was reached (no channel configured, or every send rejected): ops must know.
        metrics.add_metric(name="AlertNotDelivered", unit="Count", value=1)
        logger.error(
            "no staff alert delivered", submission_id=request_id, failed=results.count("failed")
        )
    state: Literal["sent", "failed"] = "sent" if delivered else "failed"
    deps.store.change(request_id, CompleteAlerts(state, now.isoformat(timespec="milliseconds")))
    return state


@dataclass(frozen=True)
class Outgoing:
    """The request's alert, rendered once for every recipient."""

    email: Email | None
    sms: str | None


def _alert_once(
    request: RequestItem,
    target: Target,
    outgoing: Outgoing,
    settings: NotifySettings,
    deps: Dependencies,
    now: datetime,
) -> Sent:
    """Claim, send, record one alert; what became of it (``done`` is ``sent`` earlier)."""
    done = request.alerts.get(target.key)
    if done is not None and done.state in {"sent", "failed"}:
        return done.state
    at = now.isoformat(timespec="milliseconds")
    epoch = int(now.timestamp())
    claim = ClaimAlert(target.key, at, epoch, epoch + settings.send_lease_seconds)
    if not deps.store.change(request.submission_id, claim):
        # Another delivery of this message is sending it right now: look again later.
        return "retry"
    log = {
        "submission_id": request.submission_id,
        "channel": target.channel,
        "recipient_index": target.index,
    }
    try:
        if target.channel == "email" and outgoing.email is not None:
            email = outgoing.email
            deps.mailer.send(target.recipient, email.subject, email.text, email.html)
        elif target.channel == "sms" and outgoing.sms is not None:
            deps.texter.send(target.recipient, outgoing.sms)
    except TransientSendError as exc:
        deps.store.change(request.submission_id, ReleaseAlert(target.key, str(exc), at))
        metrics.add_metric(name="AlertSendRetried", unit="Count", value=1)
        logger.warning("alert send failed, will retry", error=str(exc), extra=log)
        return "retry"
    except PermanentSendError as exc:
        deps.store.change(request.submission_id, RecordAlert(target.key, "failed", at, exc.code))
        metrics.add_metric(name="AlertSendFailed", unit="Count", value=1)
        logger.error("alert send rejected, not retried", error=exc.code, extra=log)
        return "failed"
    deps.store.change(request.submission_id, RecordAlert(target.key, "sent", at))
    metrics.add_metric(name="AlertSent", unit="Count", value=1)
    logger.info("alert sent", extra=log)
    return "sent"
