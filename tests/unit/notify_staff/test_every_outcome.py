"""What each of notify_staff's outcomes leaves behind, whole: the log line ops read (every field),
the metrics the alarms and the dashboard count (with their units), what was sent, and what was
stored (leases, TTLs, decisions). Found by mutation testing: each test here failed on a mutant
of notify_staff/logic.py that the other tests let through."""

from __future__ import annotations

import io
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from intake_common.domain.clinic_hours import waited
from intake_common.domain.contract import (
    AlertMessage,
    BudgetSummaryMessage,
    DigestMessage,
    EscalationMessage,
)
from intake_common.domain.item import (
    CONFIRMATION_ALERT,
    ClaimAlert,
    DecideBudget,
    RecordAlert,
    RecordBounce,
    timestamp,
)
from intake_common.domain.limits import KEEP_DAYS, window_name, window_start
from notify_staff import logic
from notify_staff.delivery import DeliveryEvent
from notify_staff.ports import SendingPaused
from notify_staff.render import Email, render_escalation_sms, render_sms
from tests.support.builders import NOW, stored
from tests.support.fakes import FakeMailer, NotifyFakes, rejected, throttled
from tests.support.metrics import counted as _counted
from tests.unit.notify_staff.test_delivery_events import ses_record
from tests.unit.notify_staff.test_logic import PHONE, STAFF, _handle, _settings, _with

EPOCH = int(NOW.timestamp())
LEASE = _settings().send_lease_seconds
VISITOR = "ana.nunez@example.org"
DAY = "2026-11-30"
MONDAY_NOON = NOW + timedelta(hours=3)


def _said(logs: io.StringIO) -> list[dict[str, Any]]:
    """The log lines since the last call, without Powertools' own keys."""
    own = {"timestamp", "service", "location", "xray_trace_id", "cold_start", "function_name"}
    own |= {"function_memory_size", "function_arn", "function_request_id", "sampling_rate"}
    lines = [json.loads(text) for text in logs.getvalue().splitlines()]
    logs.seek(0)
    logs.truncate()
    return [{k: v for k, v in line.items() if k not in own} for line in lines]


@dataclass
class PeekingMailer(FakeMailer):
    """A mailer that notes, at each send, what ``look`` returns then (a lease being held)."""

    look: Any = None
    seen: list[Any] = field(default_factory=list)

    def send(self, to: str, email: Email, *, kind: str, request_id: str = "") -> str:
        self.seen.append(self.look())
        return super().send(to, email, kind=kind, request_id=request_id)


# --- A staff alert --------------------------------------------------------------------------


def test_an_alert_for_an_erased_request_is_dropped_and_said_with_its_id(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    gone = uuid.uuid4()
    fakes.budget.mark_erased(str(gone), EPOCH + 86400)

    assert _handle(fakes, AlertMessage(request_id=gone, published_at=NOW)) == "erased"
    assert _said(logs) == [
        {
            "level": "INFO",
            "message": "alert not needed: the request was erased",
            "submission_id": str(gone),
        }
    ]


def test_a_message_about_no_request_names_it_and_a_retry_names_its_request(
    fakes: NotifyFakes,
) -> None:
    gone = uuid.uuid4()
    with pytest.raises(logic.RequestNotFound) as missing:
        _handle(fakes, AlertMessage(request_id=gone, published_at=NOW))
    assert str(missing.value) == str(gone)

    message = _with(fakes, stored())
    fakes.texter.errors[PHONE] = [throttled()]
    with pytest.raises(logic.RetryLater) as retry:
        _handle(fakes, message)
    assert str(retry.value) == str(message.request_id)


def test_the_staff_sms_is_the_rendered_alert(fakes: NotifyFakes) -> None:
    item = stored()
    _handle(fakes, _with(fakes, item))

    assert fakes.texter.sent == [{"to": PHONE, "message": render_sms(item, _settings())}]


def test_an_alert_bounced_before_its_request_was_completed_is_not_sent_again(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    # The alert went, SES reported the bounce, and the delivery crashed before recording the
    # request's outcome: the redelivered message must neither resend nor wait forever.
    item = stored()
    message = _with(fakes, item)
    key = f"email:{STAFF[0]}"
    fakes.store.change(item.submission_id, RecordAlert(key, "sent", timestamp(NOW)))
    fakes.store.change(item.submission_id, RecordBounce(key, timestamp(NOW), "Permanent/General"))

    assert _handle(fakes, message, staff_emails=(STAFF[0],), staff_phones=()) == "failed"
    assert fakes.mailer.sent == []
    assert _counted() == {"AlertNotDelivered": ("Count", [1.0])}
    lines = _said(logs)
    assert lines[0] == {
        "level": "ERROR",
        "message": "no staff alert delivered",
        "submission_id": item.submission_id,
        "failed": 1,
    }


def test_a_redelivery_claims_only_the_alerts_still_owed_in_one_write(fakes: NotifyFakes) -> None:
    item = stored()
    message = _with(fakes, item)
    fakes.store.change(item.submission_id, RecordAlert(f"email:{STAFF[0]}", "sent", "t"))
    fakes.store.journal.events.clear()

    assert _handle(fakes, message) == "sent"
    claims = [d for what, d in fakes.store.journal.events if d.startswith("Claim")]
    assert claims == ["ClaimAlerts"]  # the other email and the SMS together, nothing else
    assert sorted(e["to"] for e in fakes.mailer.sent) == [STAFF[1]]


def test_the_budget_counter_is_kept_two_days_past_its_window(fakes: NotifyFakes) -> None:
    _handle(fakes, _with(fakes, stored()), budget_window_minutes=60)
    window = window_start(NOW, 60)

    counter = fakes.limits.items[f"budget#sms#{window_name(window)}"]
    assert counter["expires_at"] == int(window.timestamp()) + 3600 + KEEP_DAYS * 86400


def test_a_decision_another_delivery_recorded_first_stands(fakes: NotifyFakes) -> None:
    # Two deliveries read the request before either decided: the second's grant is dropped.
    item = stored()
    fakes.store.insert(item)
    fakes.store.change(item.submission_id, DecideBudget("sms", "held"))

    decision = logic._budget(item, "sms", _settings(), fakes.deps, NOW)

    assert decision == "held"


def test_an_escalation_takes_its_own_place_in_the_window(fakes: NotifyFakes) -> None:
    item = stored(reason="I want to die")
    fakes.store.insert(item)
    settings = _settings()

    assert logic._budget(item, "sms", settings, fakes.deps, NOW) == "granted"
    assert logic._budget(item, "sms", settings, fakes.deps, NOW, escalation=True) == "granted"
    counter = fakes.window("sms", window_name(window_start(NOW, settings.budget_window_minutes)))
    assert sorted(counter.granted) == sorted(
        [item.submission_id, f"{item.submission_id}#escalation"]
    )


def test_a_held_request_redelivered_is_held_and_counted_once(fakes: NotifyFakes) -> None:
    caps = {"sms_per_window": 1}
    _handle(fakes, _with(fakes, stored()), **caps)  # takes the window's one SMS
    item = stored()
    message = _with(fakes, item)
    fakes.mailer.errors[STAFF[1]] = [throttled()]

    with pytest.raises(logic.RetryLater):
        _handle(fakes, message, **caps)
    assert _handle(fakes, message, **caps) == "sent"  # the emails went; the SMS stays held

    window = fakes.window("sms", window_name(window_start(NOW, 60)))
    assert window.held == 1
    assert len(fakes.texter.sent) == 1


# --- The visitor's confirmation ------------------------------------------------------------


def test_a_confirmation_not_sent_today_again_is_said_and_counted(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    _handle(fakes, _with(fakes, stored(email=VISITOR, confirmation_email=True)))
    _said(logs)
    _counted()
    again = stored(email=VISITOR, confirmation_email=True)

    _handle(fakes, _with(fakes, again))

    assert _said(logs)[0] == {
        "level": "INFO",
        "message": "confirmation not sent",
        "reason": "sent_today",
        "submission_id": again.submission_id,
    }
    assert _counted()["ConfirmationNotSent"] == ("Count", [1.0])


def test_a_redelivery_after_the_confirmation_went_does_not_send_it_again(
    fakes: NotifyFakes,
) -> None:
    item = stored(email=VISITOR, confirmation_email=True)
    message = _with(fakes, item)
    fakes.mailer.errors[STAFF[0]] = [throttled()]  # the confirmation goes, a staff email not

    with pytest.raises(logic.RetryLater):
        _handle(fakes, message)
    assert _handle(fakes, message) == "sent"

    assert [e["to"] for e in fakes.mailer.sent].count(VISITOR) == 1
    after = fakes.store.get(item.submission_id)
    assert after is not None
    assert after.confirmation_state == "sent"


def test_a_confirmation_whose_delivery_crashed_mid_send_goes_once_its_lease_lapses(
    fakes: NotifyFakes,
) -> None:
    item = stored(email=VISITOR, confirmation_email=True)
    message = _with(fakes, item)
    # The first delivery claimed the confirmation and died before sending or releasing it.
    claim = ClaimAlert(CONFIRMATION_ALERT, "t", EPOCH - 300, EPOCH + 30)
    assert fakes.store.change(item.submission_id, claim)

    with pytest.raises(logic.RetryLater):
        _handle(fakes, message)  # still leased: it may yet be sent by the first delivery
    assert [e["to"] for e in fakes.mailer.sent].count(VISITOR) == 0
    later = NOW + timedelta(seconds=31)
    assert logic.handle_alert(message, settings=_settings(), deps=fakes.deps, now=later) == "sent"

    assert [e["to"] for e in fakes.mailer.sent].count(VISITOR) == 1
    after = fakes.store.get(item.submission_id)
    assert after is not None
    assert after.confirmation_state == "sent"


def test_a_confirmation_that_failed_for_now_names_its_request(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    item = stored(email=VISITOR, confirmation_email=True)
    fakes.mailer.errors[VISITOR] = [throttled()]

    with pytest.raises(logic.RetryLater):
        _handle(fakes, _with(fakes, item))

    (line,) = [x for x in _said(logs) if x["message"] == "confirmation send failed, will retry"]
    assert line == {
        "level": "WARNING",
        "message": "confirmation send failed, will retry",
        "error": "TooManyRequestsException",
        "submission_id": item.submission_id,
    }


def test_a_refused_confirmation_is_a_warning_not_an_error_that_pages(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    item = stored(email=VISITOR, confirmation_email=True)
    fakes.mailer.errors[VISITOR] = [rejected()]

    _handle(fakes, _with(fakes, item))

    (line,) = [x for x in _said(logs) if "confirmation send rejected" in x["message"]]
    assert line["level"] == "WARNING"


def test_a_paused_ses_account_is_counted_once_per_email_held(fakes: NotifyFakes) -> None:
    fakes.mailer.errors[STAFF[0]] = [SendingPaused("SendingPausedException")]

    with pytest.raises(logic.RetryLater):
        _handle(fakes, _with(fakes, stored()), staff_emails=(STAFF[0],), staff_phones=())

    assert _counted() == {
        "AlertSendRetried": ("Count", [1.0]),
        "EmailSendingPaused": ("Count", [1.0]),
    }


def test_the_confirmation_ledger_key_is_a_keyed_hash_never_the_address() -> None:
    key = logic.address_key(VISITOR, DAY, "secret")

    assert re.fullmatch(r"confirmation#[0-9a-f]{32}#2026-11-30", key)
    assert "ana" not in key


# --- The day's digest ----------------------------------------------------------------------


def _late(fakes: NotifyFakes) -> DigestMessage:
    fakes.store.insert(stored(now=NOW - timedelta(days=3) + timedelta(hours=1)))
    return DigestMessage(day=DAY, published_at=NOW)


def _digest(fakes: NotifyFakes, message: DigestMessage, **settings: object) -> str:
    return logic.handle_digest(
        message, settings=_settings(**settings), deps=fakes.deps, now=MONDAY_NOON
    )


def test_a_digest_says_its_day_count_and_channels_and_records_each_channel(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    message = _late(fakes)
    email_key = f"digest#{DAY}#email"
    fakes.mailer = PeekingMailer(look=lambda: dict(fakes.limits.items[email_key]))
    noon = int(MONDAY_NOON.timestamp())

    assert _digest(fakes, message) == "sent"

    assert _said(logs) == [
        {"level": "INFO", "message": "digest done", "day": DAY, "overdue": 1, "channels": 2}
    ]
    assert _counted() == {"CallbackDigestSent": ("Count", [1.0])}
    assert [e["kind"] for e in fakes.mailer.sent] == ["digest", "digest"]
    assert {s["to"] for s in fakes.texter.sent} == {PHONE}
    # Leased while it went; then recorded, kept three days (TTL), not leased any more.
    assert fakes.mailer.seen[0]["lease_until"] == noon + LEASE
    assert fakes.limits.items[email_key] == {
        "limit_key": email_key,
        "expires_at": noon + 3 * 86400,
        "sent_at": timestamp(MONDAY_NOON),
    }
    assert "lease_until" not in fakes.limits.items[f"digest#{DAY}#sms"]


def test_a_digest_with_nothing_past_target_is_recorded_not_counted(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    fakes.store.insert(stored(now=MONDAY_NOON - timedelta(minutes=1)))

    assert _digest(fakes, DigestMessage(day=DAY, published_at=NOW)) == "done"

    assert _counted() == {}
    assert _said(logs) == [
        {"level": "INFO", "message": "digest done", "day": DAY, "overdue": 0, "channels": 2}
    ]
    assert "sent_at" in fakes.limits.items[f"digest#{DAY}#email"]


def test_a_digest_claim_left_by_a_crashed_delivery_is_taken_over_once_lapsed(
    fakes: NotifyFakes,
) -> None:
    message = _late(fakes)
    noon = int(MONDAY_NOON.timestamp())
    fakes.budget.claim_send(f"digest#{DAY}#email", noon - 600, noon - 1, noon + 86400)
    fakes.budget.claim_send(f"digest#{DAY}#sms", noon - 600, noon + 60, noon + 86400)

    assert _digest(fakes, message) == "sent"
    assert sorted(e["to"] for e in fakes.mailer.sent) == sorted(STAFF)  # lapsed: taken over
    assert fakes.texter.sent == []  # still leased by another delivery


def test_a_digest_failing_for_now_says_so_and_names_its_day_and_channel(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    message = _late(fakes)
    fakes.texter.errors[PHONE] = [throttled()]

    with pytest.raises(logic.RetryLater) as retry:
        _digest(fakes, message)

    assert str(retry.value) == f"digest {DAY} sms"
    assert _said(logs) == [
        {
            "level": "WARNING",
            "message": "digest send failed, will retry",
            "channel": "sms",
            "error": "TooManyRequestsException",
        }
    ]


def test_a_refused_digest_is_counted_with_its_unit(fakes: NotifyFakes) -> None:
    message = _late(fakes)
    fakes.mailer.errors[STAFF[0]] = [rejected()]

    _digest(fakes, message, staff_phones=())

    assert _counted() == {
        "AlertSendFailed": ("Count", [1.0]),
        "CallbackDigestSent": ("Count", [1.0]),
    }


# --- The budget's summary ------------------------------------------------------------------


def _held(fakes: NotifyFakes) -> BudgetSummaryMessage:
    for _ in range(2):
        _handle(fakes, _with(fakes, stored()), sms_per_window=1, emails_per_window=1)
    window = window_name(window_start(NOW, _settings().budget_window_minutes))
    return BudgetSummaryMessage(channel="email", window=window, published_at=NOW)


def test_a_summary_is_leased_while_it_goes_and_sent_as_a_summary(fakes: NotifyFakes) -> None:
    message = _held(fakes)
    later = NOW + timedelta(hours=1)
    key = f"budget#email#{message.window}"
    fakes.mailer = PeekingMailer(look=lambda: fakes.limits.items[key]["summary_lease_until"])

    assert logic.handle_summary(message, settings=_settings(), deps=fakes.deps, now=later) == (
        "sent"
    )

    assert fakes.mailer.seen == [int(later.timestamp()) + LEASE] * 2
    assert [e["kind"] for e in fakes.mailer.sent] == ["summary", "summary"]


def test_a_summary_claim_left_by_a_crash_is_taken_over_and_a_retry_names_it(
    fakes: NotifyFakes,
) -> None:
    message = _held(fakes)
    later = NOW + timedelta(hours=1)
    epoch = int(later.timestamp())
    fakes.budget.claim_summary("email", message.window, epoch - 300, epoch - 1)  # lapsed

    assert logic.handle_summary(message, settings=_settings(), deps=fakes.deps, now=later) == (
        "sent"
    )

    # Owed again (as if never recorded) and leased by another delivery: this one waits.
    fakes.limits.items[f"budget#email#{message.window}"].pop("summary_sent_at")
    assert fakes.budget.claim_summary("email", message.window, epoch, epoch + 60)
    with pytest.raises(logic.RetryLater) as held:
        logic.handle_summary(message, settings=_settings(), deps=fakes.deps, now=later)
    assert str(held.value) == f"email summary {message.window}"


def test_a_summary_failing_for_now_names_its_channel_and_window(fakes: NotifyFakes) -> None:
    message = _held(fakes)
    fakes.mailer.errors[STAFF[0]] = [throttled()]

    with pytest.raises(logic.RetryLater) as retry:
        logic.handle_summary(message, settings=_settings(), deps=fakes.deps, now=NOW)
    assert str(retry.value) == f"email summary {message.window}"


# --- Escalations ---------------------------------------------------------------------------


def test_an_escalation_texts_the_rendered_escalation_and_a_retry_names_its_request(
    fakes: NotifyFakes,
) -> None:
    urgent = stored(reason="I want to die")
    fakes.store.insert(urgent)
    when = NOW + timedelta(minutes=61)
    message = EscalationMessage(request_id=uuid.UUID(urgent.submission_id), published_at=when)
    settings = _settings()
    fakes.mailer.errors[STAFF[0]] = [throttled()]

    with pytest.raises(logic.RetryLater) as retry:
        logic.handle_escalation(message, settings=settings, deps=fakes.deps, now=when)

    assert str(retry.value) == urgent.submission_id
    waited_so_far = waited(NOW, when)
    assert fakes.texter.sent == [
        {"to": PHONE, "message": render_escalation_sms(urgent, waited_so_far)}
    ]


# --- What SES reports ----------------------------------------------------------------------


def _event(fakes: NotifyFakes, record: dict[str, Any]) -> str:
    event = DeliveryEvent.model_validate_json(json.dumps(record))
    return logic.handle_delivery_event(event, settings=_settings(), deps=fakes.deps, now=NOW)


def test_events_that_change_nothing_are_ignored(fakes: NotifyFakes) -> None:
    confirmation = {"intake-message": "confirmation", "intake-request": str(uuid.uuid4())}

    assert _event(fakes, ses_record("Delivery", [STAFF[0]], {"intake-message": "alert"})) == (
        "ignored"
    )
    assert _event(fakes, ses_record("Bounce", [VISITOR], confirmation)) == "ignored"


def test_a_bounce_that_names_no_request_reads_no_request(fakes: NotifyFakes) -> None:
    summary = ses_record("Bounce", [STAFF[0]], {"intake-message": "summary"})
    untagged = ses_record("Bounce", [STAFF[0]], {"intake-message": "alert"})
    tagged_summary = ses_record(
        "Bounce", [STAFF[0]], {"intake-message": "summary", "intake-request": str(uuid.uuid4())}
    )

    for record in (summary, untagged, tagged_summary):
        assert _event(fakes, record) == "counted"
    assert [what for what, _ in fakes.store.journal.events] == []
