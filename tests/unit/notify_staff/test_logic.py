"""notify_staff's logic with in-memory fakes: each staff recipient alerted exactly once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from intake_common.domain.contract import AlertMessage
from intake_common.domain.item import ClaimAlert, RequestItem
from intake_common.domain.limits import BudgetWindow
from intake_common.runtime.settings import NotifySettings
from notify_staff import logic
from notify_staff.ports import Dependencies
from tests.support.builders import NOW, stored
from tests.support.fakes import (
    InMemoryLimitsStore,
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


def _with(deps: Dependencies, item: RequestItem) -> AlertMessage:
    deps.store.insert(item)
    return AlertMessage(request_id=uuid.UUID(item.submission_id), published_at=NOW)


def _handle(deps: Dependencies, message: AlertMessage, **settings: object) -> str:
    return logic.handle_alert(message, settings=_settings(**settings), deps=deps, now=NOW)


def test_every_recipient_is_alerted_once_and_a_replay_sends_nothing(deps: Dependencies) -> None:
    message = _with(deps, stored())

    assert _handle(deps, message) == "sent"
    assert _handle(deps, message) == "sent"  # the same message delivered again

    assert sorted(e["to"] for e in deps.mailer.sent) == sorted(STAFF)  # type: ignore[attr-defined]
    assert [s["to"] for s in deps.texter.sent] == [PHONE]  # type: ignore[attr-defined]
    item = deps.store.get(str(message.request_id))
    assert item is not None
    assert item.alert_state == "sent"
    assert {r.state for r in item.alerts.values()} == {"sent"}


def test_a_temporary_failure_retries_only_what_is_missing(deps: Dependencies) -> None:
    message = _with(deps, stored())
    deps.mailer.errors[STAFF[1]] = [throttled()]  # type: ignore[attr-defined]

    with pytest.raises(logic.RetryLater):
        _handle(deps, message)
    item = deps.store.get(str(message.request_id))
    assert item is not None
    assert item.alert_retry is not None
    assert item.alert_retry.error == "TooManyRequestsException"  # what ops (smoke) can read
    assert item.alert_state == "pending"

    assert _handle(deps, message) == "sent"
    sent_to = [e["to"] for e in deps.mailer.sent]  # type: ignore[attr-defined]
    assert sorted(sent_to) == sorted(STAFF)  # the first address was not emailed twice
    assert len(deps.texter.sent) == 1  # type: ignore[attr-defined]


def test_a_permanent_failure_is_recorded_and_the_other_channels_still_go(
    deps: Dependencies,
) -> None:
    message = _with(deps, stored())
    deps.texter.errors[PHONE] = [rejected("OptedOut")]  # type: ignore[attr-defined]

    assert _handle(deps, message) == "sent"

    item = deps.store.get(str(message.request_id))
    assert item is not None
    record = item.alerts[f"sms:{PHONE}"]
    assert (record.state, record.error) == ("failed", "OptedOut")
    assert len(deps.mailer.sent) == 2  # type: ignore[attr-defined]


def test_nobody_reached_is_a_failed_alert(deps: Dependencies) -> None:
    message = _with(deps, stored())

    assert _handle(deps, message, staff_emails=(), staff_phones=()) == "failed"
    item = deps.store.get(str(message.request_id))
    assert item is not None
    assert item.alert_state == "failed"


def test_an_alert_another_delivery_is_sending_is_left_to_it(deps: Dependencies) -> None:
    item = stored()
    message = _with(deps, item)
    epoch = int(NOW.timestamp())
    key = f"email:{STAFF[0]}"
    assert deps.store.change(item.submission_id, ClaimAlert(key, "t", epoch, epoch + 60))

    with pytest.raises(logic.RetryLater):
        _handle(deps, message)

    assert STAFF[0] not in [e["to"] for e in deps.mailer.sent]  # type: ignore[attr-defined]


def test_a_lease_that_ran_out_is_taken_over_and_sent(deps: Dependencies) -> None:
    # The process that claimed it died: after the lease, the retry sends it (at least once)
    item = stored()
    message = _with(deps, item)
    epoch = int(NOW.timestamp())
    key = f"email:{STAFF[0]}"
    deps.store.change(item.submission_id, ClaimAlert(key, "t", epoch - 300, epoch - 180))

    assert _handle(deps, message) == "sent"
    assert STAFF[0] in [e["to"] for e in deps.mailer.sent]  # type: ignore[attr-defined]


def test_spam_and_missing_or_expired_requests_send_nothing(deps: Dependencies) -> None:
    assert _handle(deps, _with(deps, stored(website="x"))) == "skipped"
    with pytest.raises(logic.RequestNotFound):
        _handle(deps, AlertMessage(request_id=uuid.uuid4(), published_at=NOW))
    old = stored(now=datetime(2025, 1, 1, tzinfo=UTC), retention_days=30)
    with pytest.raises(logic.RequestNotFound):
        _handle(deps, _with(deps, old))
    assert deps.mailer.sent == []  # type: ignore[attr-defined]
    assert deps.texter.sent == []  # type: ignore[attr-defined]


def test_the_clock_reading_is_the_one_passed_in(deps: Dependencies) -> None:
    message = _with(deps, stored())
    later = NOW + timedelta(seconds=30)

    logic.handle_alert(message, settings=_settings(), deps=deps, now=later)

    item = deps.store.get(str(message.request_id))
    assert item is not None
    assert item.alerted_at == later.isoformat(timespec="milliseconds")


# --- The visitor's confirmation email --------------------------------------------------------
VISITOR = "ana.nunez@example.org"


def _to_visitor(deps: Dependencies) -> list[dict[str, str]]:
    return [e for e in deps.mailer.sent if e["to"] == VISITOR]  # type: ignore[attr-defined]


def _staff_texts(deps: Dependencies) -> list[str]:
    return [e["text"] for e in deps.mailer.sent if e["to"] in STAFF]  # type: ignore[attr-defined]


def test_a_confirmation_goes_once_to_the_visitor_and_staff_are_told(deps: Dependencies) -> None:
    message = _with(deps, stored(email=VISITOR, confirmation_email=True))

    _handle(deps, message)
    _handle(deps, message)  # a replay

    (confirmation,) = _to_visitor(deps)
    assert confirmation["subject"].startswith("Your request to Riverbend Clinic, reference ")
    assert all("Confirmation to the visitor: sent" in text for text in _staff_texts(deps))
    item = deps.store.get(str(message.request_id))
    assert item is not None
    assert item.confirmation_state == "sent"


def test_no_confirmation_unless_asked_and_none_for_spam(deps: Dependencies) -> None:
    _handle(deps, _with(deps, stored(email=VISITOR)))
    _handle(deps, _with(deps, stored(email=VISITOR, confirmation_email=True, website="x")))

    assert _to_visitor(deps) == []
    assert "Confirmation to the visitor: not asked for" in _staff_texts(deps)[0]


def test_one_confirmation_per_address_per_day_whatever_is_submitted(deps: Dependencies) -> None:
    first = _with(deps, stored(email=VISITOR, confirmation_email=True))
    again = _with(deps, stored(email=VISITOR.upper(), confirmation_email=True))

    _handle(deps, first)
    _handle(deps, again)
    tomorrow = logic.handle_alert(
        _with(deps, stored(email=VISITOR, confirmation_email=True)),
        settings=_settings(),
        deps=deps,
        now=NOW + timedelta(days=1),
    )

    assert tomorrow == "sent"
    assert len(_to_visitor(deps)) == 2  # the first day's and the next day's
    item = deps.store.get(str(again.request_id))
    assert item is not None
    assert item.confirmation_state == "sent_today"
    assert "one was already sent to this address today" in _staff_texts(deps)[2]


def test_a_confirmation_counts_in_the_email_budget_and_is_not_announced(
    deps: Dependencies,
) -> None:
    # A cap of 1 email alert per window: the staff alert takes it, the confirmation is held
    message = _with(deps, stored(email=VISITOR, confirmation_email=True))

    _handle(deps, message, emails_per_window=1)

    assert _to_visitor(deps) == []
    item = deps.store.get(str(message.request_id))
    assert item is not None
    assert item.confirmation_state == "alert_limit"
    windows = _windows(deps)
    email_window = next(w for w in windows if w.channel == "email")
    assert email_window.held == 0  # the staff summary does not count it as a request


def test_a_refused_confirmation_is_recorded_and_the_staff_alert_still_goes(
    deps: Dependencies,
) -> None:
    message = _with(deps, stored(email=VISITOR, confirmation_email=True))
    deps.mailer.errors[VISITOR] = [rejected("MessageRejected")]  # type: ignore[attr-defined]

    assert _handle(deps, message) == "sent"

    item = deps.store.get(str(message.request_id))
    assert item is not None
    assert item.confirmation_state == "failed"
    assert all("the address was refused" in text for text in _staff_texts(deps))


def test_a_confirmation_failing_for_now_is_retried_without_alerting_staff_twice(
    deps: Dependencies,
) -> None:
    message = _with(deps, stored(email=VISITOR, confirmation_email=True))
    deps.mailer.errors[VISITOR] = [throttled()]  # type: ignore[attr-defined]

    with pytest.raises(logic.RetryLater):
        _handle(deps, message)
    assert _handle(deps, message) == "sent"

    assert len(_to_visitor(deps)) == 1
    assert len(_staff_texts(deps)) == len(STAFF)
    assert "it will be retried" in _staff_texts(deps)[0]


def test_an_urgent_request_is_counted_as_urgent_when_the_budget_holds_it(
    deps: Dependencies,
) -> None:
    _handle(deps, _with(deps, stored()), sms_per_window=1, emails_per_window=1)
    _handle(
        deps,
        _with(deps, stored(reason="I want to die")),
        sms_per_window=1,
        emails_per_window=1,
    )

    windows = _windows(deps)
    assert {(w.channel, w.held, w.held_urgent) for w in windows} == {
        ("email", 1, 1),
        ("sms", 1, 1),
    }


def _windows(deps: Dependencies) -> list[BudgetWindow]:
    store = deps.budget.store
    assert isinstance(store, InMemoryLimitsStore)
    return store.windows()
