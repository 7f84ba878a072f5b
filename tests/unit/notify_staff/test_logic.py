"""notify_staff's logic with in-memory fakes: each staff recipient alerted exactly once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from intake_common.domain.contract import AlertMessage
from intake_common.domain.item import ClaimAlert, DecideBudget, RecordAlert, RequestItem
from intake_common.domain.limits import BudgetWindow
from intake_common.runtime.settings import NotifySettings
from notify_staff import logic
from notify_staff.render import Email
from tests.support.builders import NOW, stored
from tests.support.fakes import (
    InMemoryLimitsStore,
    NotifyFakes,
    rejected,
    throttled,
)

STAFF = ("frontdesk@clinic.example", "nurse@clinic.example")
PHONE = "+14155550101"


def _settings(**overrides: object) -> NotifySettings:
    base = {
        "TABLE_NAME": "requests",
        "LIMITS_TABLE": "alert-limits",
        "SENDER_EMAIL": "alerts@clinic.example",
        "STAFF_EMAILS": ",".join(STAFF),
        "STAFF_PHONES": PHONE,
    }
    settings = NotifySettings.model_validate(base)
    return settings.model_copy(update=overrides)


def _with(fakes: NotifyFakes, item: RequestItem) -> AlertMessage:
    fakes.store.insert(item)
    return AlertMessage(request_id=uuid.UUID(item.submission_id), published_at=NOW)


def _handle(fakes: NotifyFakes, message: AlertMessage, **settings: object) -> str:
    return logic.handle_alert(message, settings=_settings(**settings), deps=fakes.deps, now=NOW)


def test_every_recipient_is_alerted_once_and_a_replay_sends_nothing(fakes: NotifyFakes) -> None:
    message = _with(fakes, stored())

    assert _handle(fakes, message) == "sent"
    assert _handle(fakes, message) == "sent"  # the same message delivered again

    assert sorted(e["to"] for e in fakes.mailer.sent) == sorted(STAFF)
    assert [s["to"] for s in fakes.texter.sent] == [PHONE]
    item = fakes.store.get(str(message.request_id))
    assert item is not None
    assert item.alert_state == "sent"
    assert {r.state for r in item.alerts.values()} == {"sent"}


def test_a_temporary_failure_retries_only_what_is_missing(fakes: NotifyFakes) -> None:
    message = _with(fakes, stored())
    fakes.mailer.errors[STAFF[1]] = [throttled()]

    with pytest.raises(logic.RetryLater):
        _handle(fakes, message)
    item = fakes.store.get(str(message.request_id))
    assert item is not None
    assert item.alert_retry is not None
    assert item.alert_retry.error == "TooManyRequestsException"  # what ops (smoke) can read
    assert item.alert_state == "pending"

    assert _handle(fakes, message) == "sent"
    sent_to = [e["to"] for e in fakes.mailer.sent]
    assert sorted(sent_to) == sorted(STAFF)  # the first address was not emailed twice
    assert len(fakes.texter.sent) == 1


def test_a_permanent_failure_is_recorded_and_the_other_channels_still_go(
    fakes: NotifyFakes,
) -> None:
    message = _with(fakes, stored())
    fakes.texter.errors[PHONE] = [rejected("OptedOut")]

    assert _handle(fakes, message) == "sent"

    item = fakes.store.get(str(message.request_id))
    assert item is not None
    record = item.alerts[f"sms:{PHONE}"]
    assert (record.state, record.error) == ("failed", "OptedOut")
    assert len(fakes.mailer.sent) == 2


def test_nobody_reached_is_a_failed_alert(fakes: NotifyFakes) -> None:
    message = _with(fakes, stored())

    assert _handle(fakes, message, staff_emails=(), staff_phones=()) == "failed"
    item = fakes.store.get(str(message.request_id))
    assert item is not None
    assert item.alert_state == "failed"


def test_an_alert_another_delivery_is_sending_is_left_to_it(fakes: NotifyFakes) -> None:
    item = stored()
    message = _with(fakes, item)
    epoch = int(NOW.timestamp())
    key = f"email:{STAFF[0]}"
    assert fakes.store.change(item.submission_id, ClaimAlert(key, "t", epoch, epoch + 60))

    with pytest.raises(logic.RetryLater):
        _handle(fakes, message)

    assert STAFF[0] not in [e["to"] for e in fakes.mailer.sent]


def test_a_lease_that_ran_out_is_taken_over_and_sent(fakes: NotifyFakes) -> None:
    # The process that claimed it died: after the lease, the retry sends it (at least once)
    item = stored()
    message = _with(fakes, item)
    epoch = int(NOW.timestamp())
    key = f"email:{STAFF[0]}"
    fakes.store.change(item.submission_id, ClaimAlert(key, "t", epoch - 300, epoch - 180))

    assert _handle(fakes, message) == "sent"
    assert STAFF[0] in [e["to"] for e in fakes.mailer.sent]


def test_spam_and_missing_or_expired_requests_send_nothing(fakes: NotifyFakes) -> None:
    assert _handle(fakes, _with(fakes, stored(website="x"))) == "skipped"
    with pytest.raises(logic.RequestNotFound):
        _handle(fakes, AlertMessage(request_id=uuid.uuid4(), published_at=NOW))
    old = stored(now=datetime(2025, 1, 1, tzinfo=UTC), retention_days=30)
    with pytest.raises(logic.RequestNotFound):
        _handle(fakes, _with(fakes, old))
    assert fakes.mailer.sent == []
    assert fakes.texter.sent == []


def test_the_clock_reading_is_the_one_passed_in(fakes: NotifyFakes) -> None:
    message = _with(fakes, stored())
    later = NOW + timedelta(seconds=30)

    logic.handle_alert(message, settings=_settings(), deps=fakes.deps, now=later)

    item = fakes.store.get(str(message.request_id))
    assert item is not None
    assert item.alerted_at == later.isoformat(timespec="milliseconds")


# --- The visitor's confirmation email --------------------------------------------------------
VISITOR = "ana.nunez@example.org"


def _to_visitor(fakes: NotifyFakes) -> list[dict[str, str]]:
    return [e for e in fakes.mailer.sent if e["to"] == VISITOR]


def _staff_texts(fakes: NotifyFakes) -> list[str]:
    return [e["text"] for e in fakes.mailer.sent if e["to"] in STAFF]


def test_a_confirmation_goes_once_to_the_visitor_and_staff_are_told(fakes: NotifyFakes) -> None:
    message = _with(fakes, stored(email=VISITOR, confirmation_email=True))

    _handle(fakes, message)
    _handle(fakes, message)  # a replay

    (confirmation,) = _to_visitor(fakes)
    assert confirmation["subject"].startswith("Your request to Riverbend Clinic, reference ")
    # Sent as a confirmation (its own SES configuration set, with the suppression list), and
    # tagged with the request's id; the staff emails as alerts, tagged alike.
    assert (confirmation["kind"], confirmation["request_id"]) == (
        "confirmation",
        str(message.request_id),
    )
    staff = [e for e in fakes.mailer.sent if e["to"] in STAFF]
    assert {(e["kind"], e["request_id"]) for e in staff} == {("alert", str(message.request_id))}
    assert all("Confirmation to the visitor: sent" in text for text in _staff_texts(fakes))
    item = fakes.store.get(str(message.request_id))
    assert item is not None
    assert item.confirmation_state == "sent"
    # Its caps' counters and the mailbox's day are kept two days (then DynamoDB's TTL)
    epoch = int(NOW.timestamp())
    kept = {key: item["expires_at"] for key, item in fakes.limits.items.items()}
    hour, day = "confirmations#hour#2026-11-30T14:00Z", "confirmations#day#2026-11-30"
    mailbox = next(k for k in kept if k.startswith("confirmation#"))
    assert (kept[hour], kept[day], kept[mailbox]) == (epoch + 2 * 86400,) * 3


def test_no_confirmation_unless_asked_and_none_for_spam(fakes: NotifyFakes) -> None:
    _handle(fakes, _with(fakes, stored(email=VISITOR)))
    _handle(fakes, _with(fakes, stored(email=VISITOR, confirmation_email=True, website="x")))

    assert _to_visitor(fakes) == []
    assert "Confirmation to the visitor: not asked for" in _staff_texts(fakes)[0]


def test_one_confirmation_per_address_per_day_whatever_is_submitted(fakes: NotifyFakes) -> None:
    first = _with(fakes, stored(email=VISITOR, confirmation_email=True))
    again = _with(fakes, stored(email=VISITOR.upper(), confirmation_email=True))

    _handle(fakes, first)
    _handle(fakes, again)
    tomorrow = logic.handle_alert(
        _with(fakes, stored(email=VISITOR, confirmation_email=True)),
        settings=_settings(),
        deps=fakes.deps,
        now=NOW + timedelta(days=1),
    )

    assert tomorrow == "sent"
    assert len(_to_visitor(fakes)) == 2  # the first day's and the next day's
    item = fakes.store.get(str(again.request_id))
    assert item is not None
    assert item.confirmation_state == "sent_today"
    assert "one was already sent to this address today" in _staff_texts(fakes)[2]


def test_a_confirmation_takes_no_staff_alerts_place_in_the_budget(fakes: NotifyFakes) -> None:
    # Issue 22: a cap of 1 staff email a window; the staff alert takes it and the visitor's
    # confirmation, under its own caps, still goes (and is not counted as a held request).
    message = _with(fakes, stored(email=VISITOR, confirmation_email=True))

    _handle(fakes, message, emails_per_window=1)

    assert len(_to_visitor(fakes)) == 1
    item = fakes.store.get(str(message.request_id))
    assert item is not None
    assert item.confirmation_state == "sent"
    email_window = next(w for w in _windows(fakes) if w.channel == "email")
    assert (len(email_window.granted), email_window.held) == (1, 0)


def test_confirmations_stop_at_their_hourly_and_daily_caps_and_staff_alerts_go_on(
    fakes: NotifyFakes,
) -> None:
    messages = [
        _with(fakes, stored(email=f"visitor{n}@example.org", confirmation_email=True))
        for n in range(4)
    ]
    for message in messages[:3]:
        _handle(fakes, message, confirmations_per_hour=2)
    later = NOW + timedelta(hours=1)
    logic.handle_alert(
        messages[3],
        settings=_settings(confirmations_per_hour=2, confirmations_per_day=3),
        deps=fakes.deps,
        now=later,
    )

    states = [fakes.store.items[str(m.request_id)].confirmation_state for m in messages]
    # The third is over the hour's cap of 2; the fourth, an hour on, takes the day's third
    # place (the hour is asked first: the held one took no day place); a fifth is over the day.
    assert states == ["sent", "sent", "alert_limit", "sent"]
    staff = [e for e in fakes.mailer.sent if e["to"] in STAFF]
    assert len(staff) == 4 * len(STAFF)  # every staff alert went
    fifth = _with(fakes, stored(email="visitor5@example.org", confirmation_email=True))
    logic.handle_alert(
        fifth,
        settings=_settings(confirmations_per_hour=2, confirmations_per_day=3),
        deps=fakes.deps,
        now=later,
    )
    assert fakes.store.items[str(fifth.request_id)].confirmation_state == "alert_limit"


def test_a_refused_confirmation_is_recorded_and_the_staff_alert_still_goes(
    fakes: NotifyFakes,
) -> None:
    message = _with(fakes, stored(email=VISITOR, confirmation_email=True))
    fakes.mailer.errors[VISITOR] = [rejected("MessageRejected")]

    assert _handle(fakes, message) == "sent"

    item = fakes.store.get(str(message.request_id))
    assert item is not None
    assert item.confirmation_state == "failed"
    assert all("the address was refused" in text for text in _staff_texts(fakes))


def test_a_confirmation_failing_for_now_is_retried_without_alerting_staff_twice(
    fakes: NotifyFakes,
) -> None:
    message = _with(fakes, stored(email=VISITOR, confirmation_email=True))
    fakes.mailer.errors[VISITOR] = [throttled()]

    with pytest.raises(logic.RetryLater):
        _handle(fakes, message)
    assert _handle(fakes, message) == "sent"

    assert len(_to_visitor(fakes)) == 1
    assert len(_staff_texts(fakes)) == len(STAFF)
    assert "it will be retried" in _staff_texts(fakes)[0]


def test_an_urgent_request_is_counted_as_urgent_when_the_budget_holds_it(
    fakes: NotifyFakes,
) -> None:
    _handle(fakes, _with(fakes, stored()), sms_per_window=1, emails_per_window=1)
    _handle(
        fakes,
        _with(fakes, stored(reason="I want to die")),
        sms_per_window=1,
        emails_per_window=1,
    )

    windows = _windows(fakes)
    assert {(w.channel, w.held, w.held_urgent) for w in windows} == {
        ("email", 1, 1),
        ("sms", 1, 1),
    }


def _windows(fakes: NotifyFakes) -> list[BudgetWindow]:
    store = fakes.budget.store
    assert isinstance(store, InMemoryLimitsStore)
    return store.windows()


def test_a_fresh_message_claims_its_recipients_in_one_write(fakes: NotifyFakes) -> None:
    message = _with(fakes, stored())

    _handle(fakes, message)

    changes = [detail for name, detail in fakes.store.journal.events if name == "store.change"]
    assert changes.count("ClaimAlerts") == 1
    assert "ClaimAlert" not in changes
    assert changes.count("RecordAlert") == len(STAFF) + 1  # each send still recorded as it goes


def test_two_recipients_are_claimed_together_and_a_lone_one_alone(fakes: NotifyFakes) -> None:
    for phones, expected in (((), ["ClaimAlerts"]), ((PHONE,), ["ClaimAlerts"])):
        fakes.store.journal.events.clear()
        _handle(fakes, _with(fakes, stored()), staff_phones=phones)
        changes = [d for name, d in fakes.store.journal.events if name == "store.change"]
        assert [c for c in changes if c.startswith("Claim")] == expected

    fakes.store.journal.events.clear()
    _handle(fakes, _with(fakes, stored()), staff_emails=(STAFF[0],), staff_phones=())
    changes = [d for name, d in fakes.store.journal.events if name == "store.change"]
    assert [c for c in changes if c.startswith("Claim")] == ["ClaimAlert"]


def test_the_visitors_confirmation_is_claimed_before_it_is_sent(fakes: NotifyFakes) -> None:
    message = _with(fakes, stored(email=VISITOR, confirmation_email=True))

    _handle(fakes, message, staff_phones=())

    changes = [d for name, d in fakes.store.journal.events if name == "store.change"]
    # The confirmation on its own lease, then the staff emails together
    assert [c for c in changes if c.startswith("Claim")] == ["ClaimAlert", "ClaimAlerts"]


def test_when_one_recipient_is_done_the_others_are_claimed_one_by_one(
    fakes: NotifyFakes,
) -> None:
    item = stored()
    message = _with(fakes, item)
    fakes.store.change(item.submission_id, ClaimAlert(f"email:{STAFF[0]}", "t", 0, 10**10))

    with pytest.raises(logic.RetryLater):  # the leased one is another delivery's
        _handle(fakes, message)

    changes = [detail for name, detail in fakes.store.journal.events if name == "store.change"]
    # The claim of all three fails on the leased one; then each is claimed on its own.
    after = changes[changes.index("ClaimAlerts") + 1 :]
    assert after.count("ClaimAlert") == 3
    assert sorted(e["to"] for e in fakes.mailer.sent) == [STAFF[1]]
    assert [s["to"] for s in fakes.texter.sent] == [PHONE]


def test_a_paused_ses_account_is_retried_and_counted_never_recorded_failed(
    fakes: NotifyFakes,
) -> None:
    from intake_common.runtime.observability import metrics
    from notify_staff.ports import SendingPaused

    message = _with(fakes, stored())
    for address in STAFF:
        fakes.mailer.errors[address] = [SendingPaused("SendingPausedException")]
    metrics.clear_metrics()

    with pytest.raises(logic.RetryLater):
        _handle(fakes, message)

    item = fakes.store.get(str(message.request_id))
    assert item is not None
    assert item.alert_state == "pending"
    assert all(f"email:{address}" not in item.alerts for address in STAFF)  # released, not failed
    assert "EmailSendingPaused" in metrics.metric_set
    metrics.clear_metrics()
    # Once SES sends again, the retry emails everyone (the text went the first time)
    assert _handle(fakes, message) == "sent"
    assert sorted(e["to"] for e in fakes.mailer.sent) == sorted(STAFF)


@pytest.mark.parametrize(
    "alias",
    [
        "Victim@Gmail.com",  # case
        "victim+1@gmail.com",  # a +tag
        "v.ic.tim@gmail.com",  # Gmail ignores dots
        "victim@googlemail.com",  # the same mailbox under Gmail's other domain
        "v.ictim+clinic@GoogleMail.com",
    ],
)
def test_one_confirmation_a_day_to_a_mailbox_however_its_address_is_spelled(
    fakes: NotifyFakes, alias: str
) -> None:
    first = _with(fakes, stored(email="victim@gmail.com", confirmation_email=True))
    again = _with(fakes, stored(email=alias, confirmation_email=True))

    _handle(fakes, first)
    _handle(fakes, again)

    visitor_mail = [e for e in fakes.mailer.sent if e["to"] not in STAFF]
    assert len(visitor_mail) == 1
    item = fakes.store.get(str(again.request_id))
    assert item is not None
    assert item.confirmation_state == "sent_today"


def test_tagged_addresses_elsewhere_are_one_mailbox_and_dots_are_kept() -> None:
    key = "k"
    same = {logic.address_key(a, "2026-12-02", key) for a in ("ann@ex.org", "Ann+x@EX.org")}
    assert len(same) == 1
    # Outside Gmail a dot is part of the address: a.nn@ex.org is someone else
    assert logic.address_key("a.nn@ex.org", "2026-12-02", key) not in same


def test_a_confirmation_held_by_its_cap_does_not_use_up_the_address_for_the_day(
    fakes: NotifyFakes,
) -> None:
    # A cap of 1 confirmation an hour: another visitor's takes it, so this visitor's first is
    # held; their second request later in the day, in a new hour, still gets its confirmation.
    _handle(
        fakes,
        _with(fakes, stored(email="other@example.org", confirmation_email=True)),
        confirmations_per_hour=1,
    )
    first = _with(fakes, stored(email=VISITOR, confirmation_email=True))
    _handle(fakes, first, confirmations_per_hour=1)
    assert fakes.store.items[str(first.request_id)].confirmation_state == "alert_limit"
    later = _with(fakes, stored(email=VISITOR, confirmation_email=True))
    logic.handle_alert(
        later,
        settings=_settings(confirmations_per_hour=1),
        deps=fakes.deps,
        now=NOW + timedelta(hours=2),
    )

    assert len(_to_visitor(fakes)) == 1
    item = fakes.store.get(str(later.request_id))
    assert item is not None
    assert item.confirmation_state == "sent"


def test_every_send_refused_for_good_is_a_failed_alert_and_counted(fakes: NotifyFakes) -> None:
    from intake_common.runtime.observability import metrics

    message = _with(fakes, stored())
    for address in STAFF:
        fakes.mailer.errors[address] = [rejected("MessageRejected")]
    fakes.texter.errors[PHONE] = [rejected("OptedOut")]
    metrics.clear_metrics()

    assert _handle(fakes, message) == "failed"

    item = fakes.store.get(str(message.request_id))
    assert item is not None
    assert item.alert_state == "failed"
    assert {r.state for r in item.alerts.values()} == {"failed"}
    assert "AlertNotDelivered" in metrics.metric_set  # AlertNotDeliveredAlarm
    assert "AlertSendFailed" in metrics.metric_set  # AlertSendFailedAlarm
    metrics.clear_metrics()
    # Redelivered, nothing is tried again: the failures are recorded for good
    assert _handle(fakes, message) == "failed"
    assert fakes.mailer.sent == []
    assert fakes.texter.sent == []


def test_one_refused_and_one_delayed_send_retries_only_the_delayed_one(
    fakes: NotifyFakes,
) -> None:
    message = _with(fakes, stored())
    fakes.mailer.errors[STAFF[0]] = [rejected("MessageRejected")]
    fakes.mailer.errors[STAFF[1]] = [throttled()]

    with pytest.raises(logic.RetryLater):
        _handle(fakes, message)
    assert _handle(fakes, message) == "sent"

    item = fakes.store.get(str(message.request_id))
    assert item is not None
    assert item.alerts[f"email:{STAFF[0]}"].state == "failed"
    assert item.alerts[f"email:{STAFF[1]}"].state == "sent"
    assert [e["to"] for e in fakes.mailer.sent] == [STAFF[1]]  # the refused one not retried
    assert len(fakes.texter.sent) == 1


def test_a_send_holds_a_lease_of_the_configured_length_whichever_way_it_was_claimed(
    fakes: NotifyFakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = stored()
    message = _with(fakes, item)
    # The first email and the text went already: the one left is claimed on its own
    for done in (f"email:{STAFF[0]}", f"sms:{PHONE}"):
        assert fakes.store.change(item.submission_id, RecordAlert(done, "sent", "t"))
    seen: dict[str, tuple[str, int | None]] = {}
    original = fakes.mailer.send
    sending = [item.submission_id]

    def send(to: str, email: Email, **how: str) -> str:
        current = fakes.store.get(sending[0])
        assert current is not None
        record = current.alerts[f"email:{to}"]
        seen[to] = (record.state, record.lease_until)
        return original(to, email, kind=how["kind"])

    monkeypatch.setattr(fakes.mailer, "send", send)
    lease = _settings().send_lease_seconds
    expected = ("sending", int(NOW.timestamp()) + lease)

    assert _handle(fakes, message) == "sent"
    assert seen == {STAFF[1]: expected}

    fresh = _with(fakes, stored())
    sending[0] = str(fresh.request_id)
    seen.clear()
    assert _handle(fakes, fresh) == "sent"  # all three claimed in one write
    assert seen == {STAFF[0]: expected, STAFF[1]: expected}


def test_a_budget_decision_made_meanwhile_by_another_delivery_stands(
    fakes: NotifyFakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = stored()
    message = _with(fakes, item)
    original = fakes.store.change

    def change(submission_id: str, transition: object) -> bool:
        if isinstance(transition, DecideBudget) and transition.channel == "sms":
            # Another delivery of the same message decided first, and the budget held it
            original(submission_id, DecideBudget("sms", "held"))
        return original(submission_id, transition)  # type: ignore[arg-type]

    monkeypatch.setattr(fakes.store, "change", change)

    assert _handle(fakes, message) == "sent"

    assert fakes.texter.sent == []  # held by the other delivery's decision
    assert sorted(e["to"] for e in fakes.mailer.sent) == sorted(STAFF)
    after = fakes.store.get(item.submission_id)
    assert after is not None
    assert after.alert_budget == {"email": "granted", "sms": "held"}


@pytest.mark.parametrize(
    ("address", "box"),
    [
        (" V.ictim+1@GoogleMail.com ", "victim@gmail.com"),
        ("v.i.c.t.i.m@gmail.com", "victim@gmail.com"),
        ("ann+one+two@ex.org", "ann@ex.org"),  # everything after the first +
        ('"ann@home"@ex.org', '"ann@home"@ex.org'),  # the domain follows the last @
        ('"a.b@home"@GMail.com', '"ab@home"@gmail.com'),  # ...so this one is Gmail's
    ],
)
def test_the_mailbox_an_address_reaches_is_spelled_one_way(address: str, box: str) -> None:
    assert logic.mailbox(address) == box


def test_a_days_script_of_24_x_100_requests_mails_a_stranger_once_and_leaves_staff_alerts_be(
    fakes: NotifyFakes,
) -> None:
    from intake_common.runtime.observability import metrics

    # Issue 22's demonstration: 100 requests an hour for 24 hours, each asking for a
    # confirmation to a spelling of one Gmail mailbox. The mailbox gets one email that day,
    # and each hour's staff alerts take the budget's places exactly as they would without any
    # confirmation (60 one by one, the rest in the summary).
    spellings = ["victim+{n}@gmail.com", "v.ictim+{n}@googlemail.com", "VICTIM+{n}@Gmail.com"]
    start = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # midnight in New York: one clinic day
    settings = _settings(emails_per_window=60, staff_phones=())
    for hour in range(24):
        now = start + timedelta(hours=hour)
        for n in range(100):
            address = spellings[n % 3].format(n=n)
            item = stored(now=now, email=address, confirmation_email=True)
            fakes.store.insert(item)
            message = AlertMessage(request_id=uuid.UUID(item.submission_id), published_at=now)
            logic.handle_alert(message, settings=settings, deps=fakes.deps, now=now)
            metrics.clear_metrics()  # one invocation's metrics (Powertools flushes at 100)

    to_victim = [e for e in fakes.mailer.sent if e["to"] not in STAFF]
    assert len(to_victim) == 1
    windows = [w for w in _windows(fakes) if w.channel == "email"]
    assert len(windows) == 24
    assert {(len(w.granted), w.held) for w in windows} == {(60, 40)}
    assert len([e for e in fakes.mailer.sent if e["to"] == STAFF[0]]) == 24 * 60


def test_a_message_about_an_erased_request_is_dropped_not_failed(fakes: NotifyFakes) -> None:
    # Erased on the person's demand after the message was queued (services/staff.erase)
    request_id = uuid.uuid4()
    fakes.budget.mark_erased(str(request_id), int(NOW.timestamp()) + 86400)
    message = AlertMessage(request_id=request_id, published_at=NOW)

    assert _handle(fakes, message) == "erased"  # acknowledged: no retry, no dead-letter queue
    assert fakes.mailer.sent == []
    assert fakes.texter.sent == []
    # Without the mark, a message about no stored request is still an error (it reaches the DLQ)
    with pytest.raises(logic.RequestNotFound):
        _handle(fakes, AlertMessage(request_id=uuid.uuid4(), published_at=NOW))
