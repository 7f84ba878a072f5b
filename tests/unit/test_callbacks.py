"""Escalation and the day's digest, end to end in memory with a controlled clock: the sweep
(redrive_alerts) publishes, notify_staff claims, sends and records. On time, once, never for a
request already contacted, and not twice when two sweeps or two deliveries overlap.

The clinic: Mon-Fri 09:00-17:00 in New York. ``NOW`` (2026-11-30 14:02 UTC) is Monday 09:02
there, two minutes after opening.
"""

from __future__ import annotations

import io
import json
import uuid
from datetime import datetime, timedelta

import pytest

from intake_common.domain.audit import Actor
from intake_common.domain.contract import AlertMessage, DigestMessage, EscalationMessage
from intake_common.domain.item import RequestItem
from intake_common.domain.limits import AlertBudget
from intake_common.runtime.observability import metrics
from intake_common.runtime.settings import NotifySettings
from intake_common.services import staff
from intake_common.services.staff import Dependencies as StaffDependencies
from notify_staff import logic as notify
from redrive_alerts import logic as sweep
from redrive_alerts.ports import Dependencies as SweepDependencies
from tests.support.builders import NOW, stored
from tests.support.fakes import (
    InMemoryAuditLog,
    InMemoryLimitsStore,
    NotifyFakes,
    RecordingPublisher,
    rejected,
    throttled,
)

CRISIS = "I want to die"
LEAD = "lead@clinic.example"
STAFF = ("frontdesk@clinic.example", "nurse@clinic.example")
SETTINGS = NotifySettings.model_validate(
    {
        "TABLE_NAME": "requests",
        "LIMITS_TABLE": "alert-limits",
        "SENDER_EMAIL": "alerts@clinic.example",
        "STAFF_EMAILS": ",".join(STAFF),
        "STAFF_PHONES": "+14155550101",
        "ESCALATION_EMAILS": LEAD,
        "ESCALATION_PHONES": "+14155550199",
        "STAFF_URL": "https://clinic.example/staff/",
    }
)
TARGETS = SETTINGS.targets
NURSE = Actor("cognito:nurse", "Nurse")


@pytest.fixture
def fakes() -> NotifyFakes:
    return NotifyFakes()


def _sweep(
    fakes: NotifyFakes, now: datetime, limits: InMemoryLimitsStore | None = None
) -> RecordingPublisher:
    """One run of the sweep's two call-back steps; what it published."""
    publisher = RecordingPublisher()
    deps = SweepDependencies(
        store=fakes.store, publisher=publisher, budget=AlertBudget(limits or fakes.limits)
    )
    sweep.escalations_owed(deps, TARGETS, now)
    sweep.digest_owed(deps, TARGETS, now)
    return publisher


def _deliver(fakes: NotifyFakes, published: RecordingPublisher, now: datetime) -> list[str]:
    """notify_staff handling each message the sweep published."""
    done = []
    for message in published.messages:
        if isinstance(message, EscalationMessage):
            done.append(
                notify.handle_escalation(message, settings=SETTINGS, deps=fakes.deps, now=now)
            )
        elif isinstance(message, DigestMessage):
            done.append(notify.handle_digest(message, settings=SETTINGS, deps=fakes.deps, now=now))
    return done


def _escalated(published: RecordingPublisher) -> list[str]:
    return [str(m.request_id) for m in published.messages if isinstance(m, EscalationMessage)]


def _staff(fakes: NotifyFakes) -> StaffDependencies:
    return StaffDependencies(
        store=fakes.store, audit=InMemoryAuditLog(), erased=AlertBudget(InMemoryLimitsStore())
    )


def _escalations(fakes: NotifyFakes) -> list[str]:
    return [e["to"] for e in fakes.mailer.sent if e["subject"].startswith("Escalation")]


def test_an_urgent_request_is_escalated_once_just_past_its_target(fakes: NotifyFakes) -> None:
    urgent = stored(now=NOW, reason=CRISIS)
    fakes.store.insert(urgent)

    assert _escalated(_sweep(fakes, NOW + timedelta(minutes=60))) == []  # due, not yet past
    published = _sweep(fakes, NOW + timedelta(minutes=61))
    assert _escalated(published) == [urgent.submission_id]
    assert _deliver(fakes, published, NOW + timedelta(minutes=61))[0] == "sent"
    # The next sweeps find it marked; a redelivery of the message sends nothing again.
    assert _escalated(_sweep(fakes, NOW + timedelta(minutes=66))) == []
    assert _deliver(fakes, published, NOW + timedelta(minutes=70))[0] == "done"

    assert _escalations(fakes) == [LEAD]
    (email,) = [e for e in fakes.mailer.sent if e["to"] == LEAD]
    assert email["subject"] == f"Escalation: urgent request {urgent.reference} waiting 1 h 1 min"
    assert "I want" not in email["text"] + email["html"]  # by reference, never the words
    (sms,) = fakes.texter.sent
    assert sms["to"] == "+14155550199"
    assert urgent.reference in sms["message"]
    # The request's alerts (its history in the inbox) record both, sent.
    item = fakes.store.items[urgent.submission_id]
    assert {key: record.state for key, record in item.alerts.items()} == {
        f"escalation-email:{LEAD}": "sent",
        "escalation-sms:+14155550199": "sent",
    }


def test_no_escalation_for_a_request_already_contacted_or_not_urgent(fakes: NotifyFakes) -> None:
    contacted, calm = stored(now=NOW, reason=CRISIS), stored(now=NOW)
    for item in (contacted, calm):
        fakes.store.insert(item)
    staff.mark(_staff(fakes), NURSE, NOW, contacted.reference, "contacted", None)

    assert _escalated(_sweep(fakes, NOW + timedelta(hours=3))) == []
    assert _escalations(fakes) == []


def test_a_request_contacted_after_the_sweep_published_is_not_escalated(
    fakes: NotifyFakes,
) -> None:
    urgent = stored(now=NOW, reason=CRISIS)
    fakes.store.insert(urgent)
    published = _sweep(fakes, NOW + timedelta(minutes=90))
    later = NOW + timedelta(minutes=91)
    staff.mark(_staff(fakes), NURSE, later, urgent.reference, "contacted", None)

    assert _deliver(fakes, published, later)[0] == "done"
    assert _escalations(fakes) == []
    assert [s for s in fakes.texter.sent if "Escalation" in s["message"]] == []


def test_two_overlapping_sweeps_and_deliveries_send_each_escalation_once(
    fakes: NotifyFakes,
) -> None:
    urgent = stored(now=NOW, reason=CRISIS)
    fakes.store.insert(urgent)
    when = NOW + timedelta(minutes=75)
    # Two sweeps read before either wrote its mark: both publish.
    first = _sweep(fakes, when, limits=InMemoryLimitsStore())
    second = _sweep(fakes, when, limits=InMemoryLimitsStore())
    assert len(first.messages) == len(second.messages) == 2  # the escalation and the digest

    _deliver(fakes, first, when)
    _deliver(fakes, second, when)

    assert _escalations(fakes) == [LEAD]
    assert len([s for s in fakes.texter.sent if s["to"] == "+14155550199"]) == 1


def test_an_escalation_whose_send_failed_for_now_is_retried_and_then_sent_once(
    fakes: NotifyFakes,
) -> None:
    urgent = stored(now=NOW, reason=CRISIS)
    fakes.store.insert(urgent)
    fakes.mailer.errors[LEAD] = [throttled()]
    published = _sweep(fakes, NOW + timedelta(minutes=61))
    (message,) = published.messages[:1]
    assert isinstance(message, EscalationMessage)

    with pytest.raises(notify.RetryLater):
        notify.handle_escalation(
            message, settings=SETTINGS, deps=fakes.deps, now=NOW + timedelta(minutes=61)
        )
    notify.handle_escalation(
        message, settings=SETTINGS, deps=fakes.deps, now=NOW + timedelta(minutes=62)
    )

    assert _escalations(fakes) == [LEAD]
    assert len(fakes.texter.sent) == 1  # the text went the first time, and only then


def test_without_escalation_contacts_the_staff_channels_are_told() -> None:
    settings = SETTINGS.model_copy(update={"escalation_emails": (), "escalation_phones": ()})

    assert [t.recipient for t in notify.escalation_targets(settings)] == [*STAFF, "+14155550101"]


def test_the_digest_goes_at_opening_once_listing_requests_past_target_oldest_first(
    fakes: NotifyFakes,
) -> None:
    # Friday 10:00 and 16:30 (New York): due Monday 10:00 and Monday 16:30 (one working day).
    friday_morning = stored(now=NOW - timedelta(days=3) + timedelta(hours=1))
    friday_late = stored(now=NOW - timedelta(days=3) + timedelta(hours=7, minutes=30))
    urgent = stored(now=NOW - timedelta(hours=2), reason=CRISIS)  # 07:02: past 60 min
    fresh = stored(now=NOW - timedelta(minutes=1))  # within its target
    for item in (friday_morning, friday_late, urgent, fresh):
        fakes.store.insert(item)
    monday_noon = NOW + timedelta(hours=3)  # Monday 12:02: the Friday morning one is late

    published = _sweep(fakes, NOW)
    digests = [m for m in published.messages if isinstance(m, DigestMessage)]
    assert [m.day for m in digests] == ["2026-11-30"]
    assert [
        m
        for m in _sweep(fakes, NOW + timedelta(minutes=5)).messages
        if isinstance(m, DigestMessage)
    ] == []

    _deliver(fakes, RecordingPublisher(messages=list(digests)), monday_noon)
    _deliver(fakes, RecordingPublisher(messages=list(digests)), monday_noon)  # redelivered

    digest = [e for e in fakes.mailer.sent if e["subject"].startswith("Call backs past target")]
    assert sorted(e["to"] for e in digest) == sorted(STAFF)  # one each, not two
    text = digest[0]["text"]
    assert digest[0]["subject"] == "Call backs past target on 2026-11-30: 2 (1 urgent)"
    assert text.index(friday_morning.reference) < text.index(urgent.reference)
    assert f"  {friday_morning.reference}  waiting 3 days 2 h\n" in text
    assert f"  {urgent.reference}  waiting 5 h  URGENT\n" in text
    assert friday_late.reference not in text  # due at 16:30 today
    assert fresh.reference not in text
    (sms,) = [s for s in fakes.texter.sent if "past the call-back target" in s["message"]]
    assert sms["message"].startswith("2 requests are past the call-back target (1 urgent).")


@pytest.mark.parametrize(
    ("moment", "why"),
    [
        (NOW - timedelta(minutes=5), "before opening"),
        (NOW + timedelta(hours=2), "more than two hours after opening"),
        (NOW - timedelta(days=2), "on a Saturday"),
    ],
)
def test_no_digest_outside_the_morning_of_a_working_day(
    fakes: NotifyFakes, moment: datetime, why: str
) -> None:
    fakes.store.insert(stored(now=moment - timedelta(days=5)))

    published = _sweep(fakes, moment)

    assert [m for m in published.messages if isinstance(m, DigestMessage)] == [], why


def test_a_digest_with_nothing_past_target_sends_nothing(fakes: NotifyFakes) -> None:
    fakes.store.insert(stored(now=NOW - timedelta(minutes=1)))
    published = _sweep(fakes, NOW)

    assert _deliver(fakes, published, NOW) == ["done"]
    assert fakes.mailer.sent == []


def test_an_escalation_past_the_budget_is_held_once_per_channel_and_named_urgent(
    fakes: NotifyFakes,
) -> None:
    # Two escalation addresses; the email budget is full for this window (a flood).
    settings = SETTINGS.model_copy(
        update={"escalation_emails": (LEAD, "deputy@clinic.example"), "emails_per_window": 1}
    )
    when = NOW + timedelta(minutes=61)
    window, expires = notify._budget_window(when, settings)
    assert fakes.budget.reserve("email", window, "another", 1, expires) == "granted"
    urgent = stored(now=NOW, reason=CRISIS)
    fakes.store.insert(urgent)
    message = EscalationMessage(request_id=uuid.UUID(urgent.submission_id), published_at=when)
    metrics.clear_metrics()

    outcome = notify.handle_escalation(message, settings=settings, deps=fakes.deps, now=when)
    again = notify.handle_escalation(message, settings=settings, deps=fakes.deps, now=when)

    # The SMS went; a redelivery sends nothing more (and is no retry)
    assert (outcome, again) == ("sent", "done")
    assert _escalations(fakes) == []  # no email past the cap...
    held = fakes.budget.window("email", window)
    assert held is not None
    # ...held once for the channel (not once per address, nor again on the redelivery), as
    # urgent and by its reference: the window's summary names it for a call back today.
    assert (held.held, held.held_urgent) == (1, 1)
    assert held.held_urgent_refs == frozenset({urgent.reference})
    assert [s["to"] for s in fakes.texter.sent] == ["+14155550199"]
    metrics.clear_metrics()


def test_an_escalation_for_a_request_gone_or_expired_sends_nothing(fakes: NotifyFakes) -> None:
    when = NOW + timedelta(minutes=61)
    gone = EscalationMessage(request_id=uuid.uuid4(), published_at=when)
    assert notify.handle_escalation(gone, settings=SETTINGS, deps=fakes.deps, now=when) == "done"
    old = stored(now=NOW - timedelta(days=400), reason=CRISIS)
    fakes.store.insert(old)
    expired = EscalationMessage(request_id=uuid.UUID(old.submission_id), published_at=when)
    assert notify.handle_escalation(expired, settings=SETTINGS, deps=fakes.deps, now=when) == "done"
    assert fakes.mailer.sent == []
    assert fakes.texter.sent == []


def test_an_escalation_refused_for_good_is_recorded_and_not_retried(fakes: NotifyFakes) -> None:
    when = NOW + timedelta(minutes=61)
    urgent = stored(now=NOW, reason=CRISIS)
    fakes.store.insert(urgent)
    fakes.mailer.errors[LEAD] = [rejected()]
    message = EscalationMessage(request_id=uuid.UUID(urgent.submission_id), published_at=when)
    metrics.clear_metrics()

    assert notify.handle_escalation(message, settings=SETTINGS, deps=fakes.deps, now=when) == "sent"
    notify.handle_escalation(message, settings=SETTINGS, deps=fakes.deps, now=when)

    item = fakes.store.items[urgent.submission_id]
    assert item.alerts[f"escalation-email:{LEAD}"].state == "failed"
    assert "AlertSendFailed" in metrics.metric_set  # AlertSendFailedAlarm pages ops
    assert _escalations(fakes) == []  # the refusal was not retried by the redelivery
    metrics.clear_metrics()


def _late_request(fakes: NotifyFakes) -> DigestMessage:
    """A request past its target on Monday noon, and that day's digest message."""
    fakes.store.insert(stored(now=NOW - timedelta(days=3) + timedelta(hours=1)))
    return DigestMessage(day="2026-11-30", published_at=NOW)


def test_a_digest_refused_for_one_recipient_still_reaches_the_others_once(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    message = _late_request(fakes)
    fakes.mailer.errors[STAFF[0]] = [rejected()]
    monday_noon = NOW + timedelta(hours=3)
    metrics.clear_metrics()

    done = notify.handle_digest(message, settings=SETTINGS, deps=fakes.deps, now=monday_noon)
    again = notify.handle_digest(message, settings=SETTINGS, deps=fakes.deps, now=monday_noon)

    assert (done, again) == ("sent", "done")  # recorded: a redelivery sends nothing more
    digest = [e["to"] for e in fakes.mailer.sent if e["subject"].startswith("Call backs")]
    assert digest == [STAFF[1]]  # the refused address did not stop the next one
    assert list(metrics.metric_set["AlertSendFailed"]["Value"]) == [1.0]
    assert list(metrics.metric_set["CallbackDigestSent"]["Value"]) == [1.0]
    metrics.clear_metrics()
    lines = [json.loads(text) for text in logs.getvalue().splitlines()]
    (refused,) = [line for line in lines if line["message"] == "digest rejected"]
    assert (refused["channel"], refused["recipient_index"]) == ("email", 0)
    assert refused["error"] == "MessageRejected"


def test_a_digest_that_failed_for_now_is_released_and_sent_on_the_retry(
    fakes: NotifyFakes,
) -> None:
    message = _late_request(fakes)
    fakes.texter.errors["+14155550101"] = [throttled()]
    monday_noon = NOW + timedelta(hours=3)

    with pytest.raises(notify.RetryLater):
        notify.handle_digest(message, settings=SETTINGS, deps=fakes.deps, now=monday_noon)
    retried = notify.handle_digest(message, settings=SETTINGS, deps=fakes.deps, now=monday_noon)

    assert retried == "sent"  # the SMS channel's claim was given back, and taken again
    assert len([s for s in fakes.texter.sent if "past the call-back target" in s["message"]]) == 1
    emails = [e for e in fakes.mailer.sent if e["subject"].startswith("Call backs")]
    assert sorted(e["to"] for e in emails) == sorted(STAFF)  # sent once, not again on the retry


def _urgent_past_target(fakes: NotifyFakes) -> tuple[RequestItem, datetime, EscalationMessage]:
    """An urgent request stored at NOW, a minute past its target, and its escalation."""
    urgent = stored(now=NOW, reason=CRISIS)
    fakes.store.insert(urgent)
    when = NOW + timedelta(minutes=61)
    message = EscalationMessage(request_id=uuid.UUID(urgent.submission_id), published_at=when)
    return urgent, when, message


def test_an_escalation_has_its_own_budget_decision_not_the_staff_alerts(
    fakes: NotifyFakes,
) -> None:
    # The staff alert went (granted); by the time the escalation is due, the window is full.
    settings = SETTINGS.model_copy(update={"emails_per_window": 3})
    urgent = stored(now=NOW, reason=CRISIS)
    fakes.store.insert(urgent)
    alert = AlertMessage(request_id=uuid.UUID(urgent.submission_id), published_at=NOW)
    notify.handle_alert(alert, settings=settings, deps=fakes.deps, now=NOW)
    when = NOW + timedelta(minutes=61)
    window, expires = notify._budget_window(when, settings)
    for flood in range(3):  # the escalation's window is full
        assert fakes.budget.reserve("email", window, f"flood-{flood}", 3, expires) == "granted"
    message = EscalationMessage(request_id=uuid.UUID(urgent.submission_id), published_at=when)

    notify.handle_escalation(message, settings=settings, deps=fakes.deps, now=when)

    assert _escalations(fakes) == []  # held: the staff alert's "granted" is not reused
    item = fakes.store.items[urgent.submission_id]
    assert item.alert_budget == {
        "email": "granted",
        "sms": "granted",
        "escalation-email": "held",
        "escalation-sms": "granted",
    }


def test_escalation_emails_are_tagged_as_escalations_of_their_request(fakes: NotifyFakes) -> None:
    urgent, when, message = _urgent_past_target(fakes)

    notify.handle_escalation(message, settings=SETTINGS, deps=fakes.deps, now=when)

    (email,) = [e for e in fakes.mailer.sent if e["to"] == LEAD]
    assert (email["kind"], email["request_id"]) == ("escalation", urgent.submission_id)


def test_a_request_contacted_between_the_read_and_the_send_is_not_escalated(
    fakes: NotifyFakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    urgent = stored(now=NOW, reason=CRISIS)
    fakes.store.insert(urgent)
    when = NOW + timedelta(minutes=61)
    stale = fakes.store.get(urgent.submission_id)  # read while still new...
    staff.mark(_staff(fakes), NURSE, when, urgent.reference, "contacted", None)  # ...then called
    reads = iter([stale])
    real_get = fakes.store.get
    monkeypatch.setattr(fakes.store, "get", lambda sid: next(reads, None) or real_get(sid))
    message = EscalationMessage(request_id=uuid.UUID(urgent.submission_id), published_at=when)

    done = notify.handle_escalation(message, settings=SETTINGS, deps=fakes.deps, now=when)

    assert done == "done"  # the claim holds only while the request is new: nothing sent
    assert _escalations(fakes) == []
    assert fakes.texter.sent == []


def _log_lines(logs: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(text) for text in logs.getvalue().splitlines()]


def test_each_escalation_says_what_it_did_in_one_line(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    urgent = stored(now=NOW, reason=CRISIS)
    fakes.store.insert(urgent)
    fakes.texter.errors["+14155550199"] = [rejected()]
    when = NOW + timedelta(minutes=61)
    message = EscalationMessage(request_id=uuid.UUID(urgent.submission_id), published_at=when)
    gone = EscalationMessage(request_id=uuid.uuid4(), published_at=when)

    notify.handle_escalation(message, settings=SETTINGS, deps=fakes.deps, now=when)
    notify.handle_escalation(gone, settings=SETTINGS, deps=fakes.deps, now=when)

    lines = _log_lines(logs)
    (sent,) = [line for line in lines if line["message"] == "escalation sent"]
    assert (sent["submission_id"], sent["sent"], sent["failed"]) == (urgent.submission_id, 1, 1)
    (refused,) = [
        line for line in lines if line["message"] == "escalation send rejected, not retried"
    ]
    assert (refused["channel"], refused["recipient_index"]) == ("sms", 1)
    assert refused["submission_id"] == urgent.submission_id
    (skipped,) = [line for line in lines if line["message"] == "escalation not needed"]
    assert skipped["submission_id"] == str(gone.request_id)


def test_an_escalation_retried_after_the_person_was_reached_says_so_and_stops(
    fakes: NotifyFakes, logs: io.StringIO
) -> None:
    urgent, when, message = _urgent_past_target(fakes)
    fakes.mailer.errors[LEAD] = [throttled()]
    real_change = fakes.store.change

    def change_then_reached(submission_id: str, transition: object) -> bool:
        done = real_change(submission_id, transition)  # type: ignore[arg-type]
        if type(transition).__name__ == "ReleaseAlert":  # the email failed for now; meanwhile
            staff.mark(_staff(fakes), NURSE, when, urgent.reference, "contacted", None)
        return done

    fakes.store.change = change_then_reached  # type: ignore[method-assign]

    assert notify.handle_escalation(message, settings=SETTINGS, deps=fakes.deps, now=when) == "done"
    (line,) = [
        line for line in _log_lines(logs) if line["message"] == "escalation not needed any more"
    ]
    assert line["submission_id"] == urgent.submission_id
