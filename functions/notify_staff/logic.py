"""What notify_staff does with one alert message: alert each staff recipient exactly once.

First the alert budget (``intake_common/domain/limits.py``): per channel, the request is granted an
alert of its own, or held for the window's summary; the decision is recorded on the request,
once. Then per (channel, recipient) the item records ``sending`` (a lease), then ``sent`` or
``failed``.
A retry skips what is recorded, so a replayed or duplicated message sends nothing twice. The
visitor's confirmation email (if they asked) goes through the same claim, send, record. If the
process dies between the send and the record, the lease runs out and the retry sends again:
both channels are *at least once*, because a duplicate staff alert is a nuisance while a lost
one is a person asking for help whom nobody calls back.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from intake_common.domain.clinic_hours import waited
from intake_common.domain.contract import (
    AlertChannel,
    AlertMessage,
    BudgetSummaryMessage,
    DigestMessage,
    EscalationMessage,
)
from intake_common.domain.item import (
    CONFIRMATION_ALERT,
    ClaimAlert,
    ClaimAlerts,
    CompleteAlerts,
    ConfirmationState,
    DecideBudget,
    FailAfterBounces,
    RecordAlert,
    RecordBounce,
    ReleaseAlert,
    RequestItem,
    RequestStatus,
    alert_key,
    escalation_channel,
    timestamp,
)
from intake_common.domain.limits import KEEP_DAYS, Decision, window_name, window_start
from intake_common.runtime.observability import logger, metrics
from intake_common.runtime.settings import NotifySettings
from intake_common.services import callbacks

from .delivery import MESSAGE_TAG, REQUEST_TAG, DeliveryEvent
from .ports import Dependencies, PermanentSendError, SendingPaused, TransientSendError
from .render import (
    Email,
    render_confirmation,
    render_digest_email,
    render_digest_sms,
    render_email,
    render_escalation_email,
    render_escalation_sms,
    render_sms,
    render_summary_email,
    render_summary_sms,
)

Sent = Literal["sent", "failed", "retry", "done"]
# What became of the visitor's confirmation email (the staff email says it).
Confirmation = ConfirmationState | Literal["retry"]
# The ledger keeps "this address had its confirmation today" this long (then TTL).
LEDGER_KEEP_SECONDS = 2 * 86400


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
        return alert_key(self.channel, self.recipient)


def targets(settings: NotifySettings) -> list[Target]:
    """Every staff recipient, emails first."""
    return _recipients(settings.staff_emails, settings.staff_phones)


def _recipients(emails: tuple[str, ...], phones: tuple[str, ...]) -> list[Target]:
    recipients = [("email", a) for a in emails] + [("sms", p) for p in phones]
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
    if request is None and deps.budget.was_erased(request_id):
        # Erased on its person's demand after this message was queued: nothing to send.
        logger.info("alert not needed: the request was erased", submission_id=request_id)
        return "erased"
    if request is None or request.expired(now):
        raise RequestNotFound(request_id)
    if request.alert_state != "pending":
        # Spam (skipped) or already alerted: a replay sends nothing.
        logger.info("alert not needed", submission_id=request_id, alert_state=request.alert_state)
        return request.alert_state

    decisions = {
        channel: _budget(request, channel, settings, deps, now) for channel in _channels(settings)
    }
    # The visitor's confirmation first, so that the staff email can say what became of it.
    confirmation = _confirm_once(request, settings, deps, now)
    outgoing = Outgoing(
        email=render_email(request, settings, confirmation)
        if decisions.get("email") == "granted"
        else None,
        sms=render_sms(request, settings) if decisions.get("sms") == "granted" else None,
    )
    granted = [target for target in targets(settings) if decisions[target.channel] == "granted"]
    claimed = _claim_together(request, granted, settings, deps, now)
    results = [
        _alert_once(request, target, outgoing, settings, deps, now, claimed=target.key in claimed)
        for target in granted
    ]
    if "retry" in results or confirmation == "retry":
        raise RetryLater(request_id)
    state: Literal["sent", "summarized", "failed"]
    if "sent" in results:
        state = "sent"
    elif "held" in decisions.values():
        state = "summarized"  # staff hear of it in the window's summary
    else:
        state = "failed"
        # Nobody was reached (no channel configured, or every send rejected): ops must know.
        metrics.add_metric(name="AlertNotDelivered", unit="Count", value=1)
        logger.error(
            "no staff alert delivered", submission_id=request_id, failed=results.count("failed")
        )
    deps.store.change(request_id, CompleteAlerts(state, timestamp(now)))
    # One line per message (each log line costs a JSON rendering): refusals and retries have
    # their own lines, as they happen.
    logger.info(
        "staff alerted",
        submission_id=request_id,
        alert_state=state,
        sent=results.count("sent"),
        failed=results.count("failed"),
        held=sorted(channel for channel, decision in decisions.items() if decision == "held"),
        confirmation=confirmation,
    )
    return state


# Gmail delivers every spelling of one mailbox: dots in the name ignored, googlemail.com the same.
_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def mailbox(email: str) -> str:
    """The mailbox an address reaches, as one spelling: lower case, no +tag (which most
    providers deliver to the same mailbox), and for Gmail no dots and one domain. The ledger
    keys on it, so one inbox cannot be mailed under many spellings."""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in _GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def address_key(email: str, day: str, key: str) -> str:
    """The confirmation ledger's key for a mailbox and a day: a keyed hash, never the address."""
    digest = hmac.new(key.encode(), mailbox(email).encode(), hashlib.sha256).hexdigest()
    return f"confirmation#{digest[:32]}#{day}"


def _confirm_once(
    request: RequestItem, settings: NotifySettings, deps: Dependencies, now: datetime
) -> Confirmation:
    """Email the visitor their confirmation, if they asked: once per request, at most once per
    mailbox per day (the form cannot be used to mail a stranger again and again), and within
    the confirmations' own hourly and daily caps (``ConfirmationsPerHour``/``PerDay``), never
    taking a staff alert's place in the alert budget."""
    if request.confirmation_state != "pending":
        return request.confirmation_state  # not asked for, or done (a replay sends nothing)
    at = timestamp(now)
    epoch = int(now.timestamp())
    # Their own caps, an hour's and a clinic day's, apart from the staff alerts' budget.
    day = now.astimezone(settings.zone).date().isoformat()
    hour = window_name(window_start(now, 60))
    caps = (
        (f"hour#{hour}", settings.confirmations_per_hour),
        (f"day#{day}", settings.confirmations_per_day),
    )
    if not deps.budget.reserve_confirmation(request.submission_id, caps, epoch + 2 * 86400):
        return _skip(request, "alert_limit", at, deps)
    # The mailbox's day is taken only now, when the email goes: a confirmation held by the
    # caps (or a script's flood) leaves the address free for its owner's own request.
    ledger = address_key(request.email, day, settings.confirmation_key.get_secret_value())
    if not deps.budget.claim_once(ledger, request.submission_id, epoch + LEDGER_KEEP_SECONDS):
        return _skip(request, "sent_today", at, deps)
    email = render_confirmation(request, settings)
    return _deliver_once(
        request,
        CONFIRMATION_ALERT,
        lambda: deps.mailer.send(
            request.email, email, kind="confirmation", request_id=request.submission_id
        ),
        VISITOR_CONFIRMATION,
        {"submission_id": request.submission_id},
        settings,
        deps,
        now,
    )


def _skip(
    request: RequestItem,
    why: Literal["sent_today", "alert_limit"],
    at: str,
    deps: Dependencies,
) -> Confirmation:
    deps.store.change(request.submission_id, RecordAlert(CONFIRMATION_ALERT, "skipped", at, why))
    metrics.add_metric(name="ConfirmationNotSent", unit="Count", value=1)
    logger.info("confirmation not sent", reason=why, submission_id=request.submission_id)
    return why


def _budget_window(now: datetime, settings: NotifySettings) -> tuple[str, int]:
    """The budget window ``now`` falls in, and when its counter may go (DynamoDB's TTL)."""
    start = window_start(now, settings.budget_window_minutes)
    end = int(start.timestamp()) + settings.budget_window_minutes * 60
    return window_name(start), end + KEEP_DAYS * 86400


def _channels(settings: NotifySettings) -> list[AlertChannel]:
    channels: list[AlertChannel] = []
    if settings.staff_emails:
        channels.append("email")
    if settings.staff_phones:
        channels.append("sms")
    return channels


def _budget(
    request: RequestItem,
    channel: AlertChannel,
    settings: NotifySettings,
    deps: Dependencies,
    now: datetime,
    *,
    escalation: bool = False,
) -> Decision:
    """Whether this request alerts staff (or, ``escalation``, its escalation contacts) one by
    one on ``channel``; decided once and recorded on the request, so that a redelivered
    message is neither granted twice nor counted twice in the window's summary."""
    name = escalation_channel(channel) if escalation else channel
    decided = request.alert_budget.get(name)
    if decided is not None:
        return decided
    window, expires = _budget_window(now, settings)
    cap = settings.sms_per_window if channel == "sms" else settings.emails_per_window
    decision = deps.budget.reserve(
        channel,
        window,
        f"{request.submission_id}#escalation" if escalation else request.submission_id,
        cap,
        expires,
        # An escalation is about an urgent request: past the cap, the summary names it.
        urgent=escalation or request.urgent,
        reference=request.reference,
    )
    if decision == "held":
        metrics.add_metric(name="AlertBudgetExceeded", unit="Count", value=1)
        logger.warning(
            "alert budget reached; alert held for the summary",
            submission_id=request.submission_id,
            channel=channel,
        )
    if not deps.store.change(request.submission_id, DecideBudget(name, decision)):
        # Another delivery of this message decided first: its decision stands.
        fresh = deps.store.get(request.submission_id)
        if fresh is not None:
            decision = fresh.alert_budget.get(name, decision)
    return decision


def handle_summary(
    message: BudgetSummaryMessage, *, settings: NotifySettings, deps: Dependencies, now: datetime
) -> str:
    """Send a window's budget summary to every recipient of its channel, once."""
    channel, window = message.channel, message.window
    budget = deps.budget.window(channel, window)
    if budget is None or not budget.summary_due:
        return "done"
    epoch = int(now.timestamp())
    if not deps.budget.claim_summary(channel, window, epoch, epoch + settings.send_lease_seconds):
        raise RetryLater(f"{channel} summary {window}")
    recipients = [t for t in targets(settings) if t.channel == channel]
    try:
        for target in recipients:
            if channel == "email":
                email = render_summary_email(budget, settings)
                deps.mailer.send(target.recipient, email, kind="summary")
            else:
                text = render_summary_sms(budget, settings)
                deps.texter.send(target.recipient, text)
    except TransientSendError as exc:
        deps.budget.release_summary(channel, window)
        logger.warning("budget summary failed, will retry", channel=channel, error=str(exc))
        raise RetryLater(f"{channel} summary {window}") from exc
    except PermanentSendError as exc:
        metrics.add_metric(name="AlertSendFailed", unit="Count", value=1)
        logger.error("budget summary rejected", channel=channel, error=exc.code)
    deps.budget.record_summary(channel, window, timestamp(now))
    metrics.add_metric(name="AlertBudgetSummarySent", unit="Count", value=1)
    logger.info("budget summary sent", channel=channel, window=window, held=budget.held)
    return "sent"


@dataclass(frozen=True)
class Outgoing:
    """The request's alert, rendered once for every recipient."""

    email: Email | None
    sms: str | None


def _claim_together(
    request: RequestItem,
    granted: list[Target],
    settings: NotifySettings,
    deps: Dependencies,
    now: datetime,
) -> frozenset[str]:
    """The alerts still to send, claimed in one write (each is claimed on its own otherwise:
    when one is taken or done, or there is only one)."""
    keys = tuple(
        target.key
        for target in granted
        if (done := request.alerts.get(target.key)) is None or done.state == "sending"
    )
    if len(keys) < 2:
        return frozenset()
    epoch = int(now.timestamp())
    claim = ClaimAlerts(keys, timestamp(now), epoch, epoch + settings.send_lease_seconds)
    return frozenset(keys) if deps.store.change(request.submission_id, claim) else frozenset()


def _alert_once(
    request: RequestItem,
    target: Target,
    outgoing: Outgoing,
    settings: NotifySettings,
    deps: Dependencies,
    now: datetime,
    *,
    claimed: bool,
) -> Sent:
    """Claim, send, record one alert; what became of it (``done`` is ``sent`` earlier)."""
    done = request.alerts.get(target.key)
    if done is not None and done.state in {"sent", "failed"}:
        return done.state
    if done is not None and done.state == "bounced":
        return "failed"

    def send() -> None:
        if target.channel == "email" and outgoing.email is not None:
            deps.mailer.send(
                target.recipient, outgoing.email, kind="alert", request_id=request.submission_id
            )
        elif target.channel == "sms" and outgoing.sms is not None:
            deps.texter.send(target.recipient, outgoing.sms)

    log = {
        "submission_id": request.submission_id,
        "channel": target.channel,
        "recipient_index": target.index,
    }
    return _deliver_once(
        request, target.key, send, STAFF_ALERT, log, settings, deps, now, claimed=claimed
    )


@dataclass(frozen=True)
class SendKind:
    """How a send is counted and logged. A rejected staff alert pages ops (AlertSendFailed has
    an alarm); a rejected confirmation (a visitor's mistyped address) must not."""

    name: str
    sent_metric: str
    rejected_metric: str
    retried_metric: str | None = None
    rejection_pages_ops: bool = False


STAFF_ALERT = SendKind(
    "alert", "AlertSent", "AlertSendFailed", "AlertSendRetried", rejection_pages_ops=True
)
VISITOR_CONFIRMATION = SendKind("confirmation", "ConfirmationSent", "ConfirmationNotSent")


def _deliver_once(
    request: RequestItem,
    key: str,
    send: Callable[[], object],
    kind: SendKind,
    log: dict[str, object],
    settings: NotifySettings,
    deps: Dependencies,
    now: datetime,
    *,
    claimed: bool = False,
    only_while: RequestStatus | None = None,
) -> Literal["sent", "failed", "retry"]:
    """Claim (a lease on the item's ``alerts[key]``, unless ``claimed`` with the others
    already; and only while the request has the status ``only_while``, if given), send,
    record: what became of it."""
    at = timestamp(now)
    epoch = int(now.timestamp())
    claim = ClaimAlert(key, at, epoch, epoch + settings.send_lease_seconds, only_while)
    if not claimed and not deps.store.change(request.submission_id, claim):
        # Another delivery of this message is sending it right now: look again later.
        return "retry"
    try:
        send()
    except TransientSendError as exc:
        deps.store.change(request.submission_id, ReleaseAlert(key, str(exc), at))
        if kind.retried_metric:
            metrics.add_metric(name=kind.retried_metric, unit="Count", value=1)
        if isinstance(exc, SendingPaused):
            # Every email waits until ops act (EmailSendingPausedAlarm).
            metrics.add_metric(name="EmailSendingPaused", unit="Count", value=1)
        logger.warning(f"{kind.name} send failed, will retry", error=str(exc), extra=log)
        return "retry"
    except PermanentSendError as exc:
        deps.store.change(request.submission_id, RecordAlert(key, "failed", at, exc.code))
        metrics.add_metric(name=kind.rejected_metric, unit="Count", value=1)
        report = logger.error if kind.rejection_pages_ops else logger.warning
        report(f"{kind.name} send rejected, not retried", error=exc.code, extra=log)
        return "failed"
    deps.store.change(request.submission_id, RecordAlert(key, "sent", at))
    metrics.add_metric(name=kind.sent_metric, unit="Count", value=1)
    return "sent"


# --- Call backs: escalation and the day's digest ------------------------------------------
ESCALATION = SendKind(
    "escalation", "EscalationSent", "AlertSendFailed", "AlertSendRetried", rejection_pages_ops=True
)
# The digest's claims are kept this long (then TTL): a day is never sent twice.
DIGEST_KEEP_SECONDS = 3 * 86400


def escalation_targets(settings: NotifySettings) -> list[Target]:
    """The escalation contacts (the staff channels when none are set), emails first."""
    return _recipients(
        settings.escalation_emails or settings.staff_emails,
        settings.escalation_phones or settings.staff_phones,
    )


def escalation_key(target: Target) -> str:
    """The escalation's name among the item's alerts: ``escalation-email:lead@clinic.example``."""
    return alert_key(escalation_channel(target.channel), target.recipient)


def handle_escalation(
    message: EscalationMessage, *, settings: NotifySettings, deps: Dependencies, now: datetime
) -> str:
    """Alert the escalation contacts, once each, that an urgent request is still ``new`` past
    its target; nothing if someone has reached the person meanwhile (or it is gone)."""
    request_id = str(message.request_id)
    request = deps.store.get(request_id)
    if request is None or request.expired(now) or request.status != "new":
        logger.info("escalation not needed", submission_id=request_id)
        return "done"
    waited_so_far = waited(datetime.fromisoformat(request.created_at), now)
    email = render_escalation_email(request, waited_so_far, settings)
    sms = render_escalation_sms(request, waited_so_far)
    # Contacts already told (a redelivery) are not asked for again, nor counted in the budget.
    pending = [
        target
        for target in escalation_targets(settings)
        if (done := request.alerts.get(escalation_key(target))) is None
        or done.state not in {"sent", "failed"}
    ]
    # Within the budget's rules for urgent requests, decided once per channel (and recorded, as
    # a staff alert's): past the cap, the window's summary names it instead.
    decisions = {
        channel: _budget(request, channel, settings, deps, now, escalation=True)
        for channel in dict.fromkeys(target.channel for target in pending)
    }
    results: list[Sent] = []
    for target in pending:
        if decisions[target.channel] == "held":
            continue

        def send(target: Target = target) -> None:
            if target.channel == "email":
                deps.mailer.send(target.recipient, email, kind="escalation", request_id=request_id)
            else:
                deps.texter.send(target.recipient, sms)

        log = {
            "submission_id": request_id,
            "channel": target.channel,
            "recipient_index": target.index,
        }
        results.append(
            _deliver_once(
                request,
                escalation_key(target),
                send,
                ESCALATION,
                log,
                settings,
                deps,
                now,
                only_while="new",
            )
        )
    if "retry" in results:
        fresh = deps.store.get(request_id)
        if fresh is None or fresh.status != "new":
            logger.info("escalation not needed any more", submission_id=request_id)
            return "done"  # someone reached the person while it was being sent
        raise RetryLater(request_id)
    logger.info(
        "escalation sent",
        submission_id=request_id,
        sent=results.count("sent"),
        failed=results.count("failed"),
    )
    return "sent" if "sent" in results else "done"


def handle_digest(
    message: DigestMessage, *, settings: NotifySettings, deps: Dependencies, now: datetime
) -> str:
    """The day's digest of the requests past their target, oldest first, once per channel."""
    overdue: list[callbacks.Overdue] = []
    epoch = int(now.timestamp())
    sent = 0
    for channel in _channels(settings):
        key = f"digest#{message.day}#{channel}"
        if not deps.budget.claim_send(
            key, epoch, epoch + settings.send_lease_seconds, epoch + DIGEST_KEEP_SECONDS
        ):
            continue  # sent, or being sent by another delivery
        if not sent:  # read once, and only when a channel still owes its digest
            overdue = callbacks.overdue(deps.store, settings.targets, now)
        if overdue:  # nothing past target: the day is recorded, nothing rendered or sent
            _send_digest(message.day, overdue, channel, key, settings, deps)
        deps.budget.record_send(key, timestamp(now))
        sent += 1
    if sent and overdue:
        metrics.add_metric(name="CallbackDigestSent", unit="Count", value=1)
    logger.info("digest done", day=message.day, overdue=len(overdue), channels=sent)
    return "sent" if sent and overdue else "done"


def _send_digest(
    day: str,
    overdue: list[callbacks.Overdue],
    channel: AlertChannel,
    key: str,
    settings: NotifySettings,
    deps: Dependencies,
) -> None:
    """The day's digest to every recipient of ``channel``: one refusal does not stop the others;
    a failure for now gives the channel's claim back and is retried (``RetryLater``)."""
    send = _digest_sender(day, overdue, channel, settings, deps)
    try:
        for target in (t for t in targets(settings) if t.channel == channel):
            try:
                send(target.recipient)
            except PermanentSendError as exc:
                # This recipient's refusal (AlertSendFailedAlarm); the others still get it.
                metrics.add_metric(name="AlertSendFailed", unit="Count", value=1)
                logger.error(
                    "digest rejected",
                    channel=channel,
                    recipient_index=target.index,
                    error=exc.code,
                )
    except TransientSendError as exc:
        deps.budget.release_send(key)
        logger.warning("digest send failed, will retry", channel=channel, error=str(exc))
        raise RetryLater(f"digest {day} {channel}") from exc


def _digest_sender(
    day: str,
    overdue: list[callbacks.Overdue],
    channel: AlertChannel,
    settings: NotifySettings,
    deps: Dependencies,
) -> Callable[[str], object]:
    """Send the day's digest, rendered once for the channel, to one recipient."""
    if channel == "email":
        email = render_digest_email(day, overdue, settings)
        return lambda recipient: deps.mailer.send(recipient, email, kind="digest")
    text = render_digest_sms(overdue, settings)
    return lambda recipient: deps.texter.send(recipient, text)


# --- What SES says became of an email after accepting it ---------------------------------
# The emails whose bounces are recorded on their request, by the alert's name on the item.
_RECORDED = {
    "alert": lambda recipient: alert_key("email", recipient),
    "escalation": lambda recipient: alert_key(escalation_channel("email"), recipient),
}


def handle_delivery_event(
    event: DeliveryEvent, *, settings: NotifySettings, deps: Dependencies, now: datetime
) -> str:
    """Count an SES event about a staff email and, for a bounce or a rejection of a request's
    alert, record it on the request (``bounced``, with its type). A request whose every staff
    alert went out and came back reached nobody: its alert becomes ``failed``
    (AlertNotDelivered), as if no send had worked. What happened, for the log and the tests."""
    kind = event.tag(MESSAGE_TAG)
    request_id = event.tag(REQUEST_TAG)
    log = {"event": event.event_type, "email": kind or "unknown", "submission_id": request_id}
    if event.event_type == "DeliveryDelay":
        # SES keeps trying; a bounce follows if it gives up.
        metrics.add_metric(name="EmailDeliveryDelayed", unit="Count", value=1)
        logger.warning("staff email delayed", extra=log)
        return "delayed"
    if event.event_type == "Complaint":
        # A staff member marked a clinic email as spam: their provider may start filtering them.
        metrics.add_metric(name="EmailComplaint", unit="Count", value=1)
        logger.warning("staff email marked as spam by its recipient", extra=log)
        return "complaint"
    if not event.undelivered:
        return "ignored"
    if kind == "confirmation":
        # Visitors' confirmations have their own configuration set (no event destination).
        metrics.add_metric(name="ConfirmationBounced", unit="Count", value=1)
        return "ignored"
    metrics.add_metric(name="AlertBounced", unit="Count", value=1)
    logger.error("staff email bounced", reason=event.reason, extra=log)
    key_of = _RECORDED.get(kind)
    request = deps.store.get(request_id) if key_of and request_id else None
    if key_of is None or request is None or request.expired(now):
        return "counted"  # a summary or digest, or a request no longer kept
    at = timestamp(now)
    # The address as configured (the alert's name on the item), whatever case SES reports.
    configured = {a.lower(): a for a in (*settings.staff_emails, *settings.escalation_emails)}
    for address in event.recipients:
        recipient = configured.get(address.lower(), address)
        deps.store.change(request_id, RecordBounce(key_of(recipient), at, event.reason))
    # Read again after recording: of two bounces recorded at once, the later sees both.
    after = deps.store.get(request_id)
    if after is None or after.reached_staff:
        return "recorded"
    if deps.store.change(request_id, FailAfterBounces()):
        metrics.add_metric(name="AlertNotDelivered", unit="Count", value=1)
        logger.error("no staff alert delivered: every one sent bounced", submission_id=request_id)
        return "undelivered"
    return "recorded"
