"""notify_staff's logic with in-memory fakes: each staff recipient alerted exactly once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from intake_common.contract import AlertMessage
from intake_common.item import ClaimAlert, RequestItem
from intake_common.settings import NotifySettings
from notify_staff import logic
from notify_staff.ports import Dependencies
from tests.support.builders import NOW, stored
from tests.support.fakes import (
    FakeMailer,
    FakeTexter,
    InMemoryAlertBudget,
    InMemoryRequestStore,
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


@pytest.fixture
def deps() -> Dependencies:
    return Dependencies(
        store=InMemoryRequestStore(),
        budget=InMemoryAlertBudget(),
        mailer=FakeMailer(),
        texter=FakeTexter(),
    )


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
