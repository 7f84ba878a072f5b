"""submit_request's logic with in-memory fakes: the dual write and its outcomes."""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from intake_common.domain.item import CompleteAlerts
from intake_common.domain.models import SMOKE_TEST_PREFIX
from intake_common.domain.ports import StorageUnavailable
from intake_common.services import alerts
from submit_request import logic
from tests.support.builders import NOW, request
from tests.support.fakes import SubmitFakes
from tests.support.metrics import counted as _counted


@pytest.fixture
def fakes() -> SubmitFakes:
    return SubmitFakes()


def _submit(
    fakes: SubmitFakes, submission_id: uuid.UUID | None = None, **fields: object
) -> logic.Receipt:
    visit = request(**fields)
    return logic.submit(
        visit,
        submission_id=submission_id or visit.submission_id or uuid.uuid4(),
        now=NOW,
        retention_days=365,
        deps=fakes.deps,
    )


def test_a_new_request_is_stored_pending_and_announced_once(fakes: SubmitFakes) -> None:
    receipt = _submit(fakes)

    assert receipt.outcome == "created"
    item = fakes.store.get(receipt.submission_id)
    assert item is not None
    assert (item.status, item.alert_state) == ("new", "pending")
    assert item.expires_at == int((NOW + timedelta(days=365)).timestamp())
    assert fakes.publisher.announced == [receipt.submission_id]


def test_the_same_submission_again_is_a_duplicate_and_republishes_only_while_pending(
    fakes: SubmitFakes,
) -> None:
    key = uuid.uuid4()
    first = _submit(fakes, key, full_name="Same Person")
    again = _submit(fakes, key, full_name="Same Person")
    assert (first.outcome, again.outcome) == ("created", "duplicate")
    assert first.reference == again.reference
    assert len(fakes.publisher.messages) == 2

    # Once notify_staff has alerted, a retry publishes nothing
    fakes.store.change(str(key), CompleteAlerts("sent", "2026-11-30T14:03:00.000+00:00"))
    assert _submit(fakes, key, full_name="Same Person").outcome == "duplicate"
    assert len(fakes.publisher.messages) == 2


def test_the_same_id_with_other_content_is_a_conflict_and_changes_nothing(
    fakes: SubmitFakes,
) -> None:
    key = uuid.uuid4()
    _submit(fakes, key, full_name="First Content")
    before = fakes.store.get(str(key))

    with pytest.raises(logic.SubmissionConflict):
        _submit(fakes, key, full_name="Other Content")

    assert fakes.store.get(str(key)) == before


def test_a_honeypot_hit_is_stored_as_spam_and_announced_to_nobody(fakes: SubmitFakes) -> None:
    receipt = _submit(fakes, website="http://spam.example")

    assert receipt.outcome == "spam"
    item = fakes.store.get(receipt.submission_id)
    assert item is not None
    assert (item.status, item.alert_state) == ("spam", "skipped")
    assert fakes.publisher.messages == []


def test_a_failed_publish_keeps_the_request_stored_and_pending(fakes: SubmitFakes) -> None:
    fakes.publisher.fail = True

    receipt = _submit(fakes)

    item = fakes.store.get(receipt.submission_id)
    assert item is not None
    assert item.alert_state == "pending"
    assert receipt.outcome == "created"


def test_storage_unavailable_reaches_the_caller_and_nothing_is_announced(
    fakes: SubmitFakes,
) -> None:
    fakes.store.fail.add("insert")

    with pytest.raises(StorageUnavailable):
        _submit(fakes)

    assert fakes.publisher.messages == []


def test_the_redrive_publishes_only_requests_pending_past_the_grace(fakes: SubmitFakes) -> None:
    fakes.publisher.fail = True
    old = _submit(fakes)
    fakes.publisher.fail = False

    assert alerts.redrive_pending(fakes.store, fakes.publisher, NOW, NOW) == 0  # not before NOW
    later = NOW + timedelta(minutes=6)
    assert (
        alerts.redrive_pending(fakes.store, fakes.publisher, later - timedelta(minutes=5), later)
        == 1
    )
    assert fakes.publisher.announced == [old.submission_id]


def test_a_smoke_test_request_expires_within_a_day(fakes: SubmitFakes) -> None:
    key = uuid.UUID(SMOKE_TEST_PREFIX + "0123456789ab")

    receipt = _submit(fakes, key)

    item = fakes.store.get(receipt.submission_id)
    assert item is not None
    assert item.smoke_test
    assert item.expires_at == int((NOW + timedelta(days=1)).timestamp())


def test_a_whitespace_only_honeypot_is_a_person_not_a_bot(fakes: SubmitFakes) -> None:
    receipt = _submit(fakes, website="   ")

    assert receipt.outcome == "created"
    assert fakes.publisher.announced == [receipt.submission_id]


def test_accepted_and_unannounced_requests_are_counted_for_their_alarms(
    fakes: SubmitFakes,
) -> None:
    from intake_common.runtime.observability import metrics

    metrics.clear_metrics()
    _submit(fakes)
    assert "RequestAccepted" in metrics.metric_set  # RequestVolumeAlarm
    assert "AlertPublishFailed" not in metrics.metric_set
    metrics.clear_metrics()

    fakes.publisher.fail = True
    _submit(fakes)
    assert "AlertPublishFailed" in metrics.metric_set  # AlertPublishFailedAlarm
    metrics.clear_metrics()


def test_the_redrive_publishes_every_pending_alert_not_only_the_first(
    fakes: SubmitFakes,
) -> None:
    fakes.publisher.fail = True
    pending = {_submit(fakes).submission_id for _ in range(3)}
    fakes.publisher.fail = False
    later = NOW + timedelta(minutes=6)

    assert alerts.redrive_pending(fakes.store, fakes.publisher, later, later) == 3
    assert set(fakes.publisher.announced) == pending
    assert len(fakes.publisher.announced) == 3


def test_each_outcome_is_counted_once_under_its_own_name(fakes: SubmitFakes) -> None:
    _counted()
    created = _submit(fakes)
    assert _counted() == {"RequestAccepted": ("Count", [1.0])}

    _submit(fakes, submission_id=uuid.UUID(created.submission_id))
    assert _counted() == {"RequestDuplicate": ("Count", [1.0])}

    spam = _submit(fakes, website="http://spam.example")
    assert _counted() == {"RequestSpam": ("Count", [1.0])}

    again = _submit(
        fakes, submission_id=uuid.UUID(spam.submission_id), website="http://spam.example"
    )
    assert again.outcome == "spam"  # a retried spam post stays spam, and is still no alert
    assert _counted() == {"RequestDuplicate": ("Count", [1.0]), "RequestSpam": ("Count", [1.0])}

    with pytest.raises(logic.SubmissionConflict):
        _submit(fakes, submission_id=uuid.UUID(created.submission_id), reason="Other words")
    assert _counted() == {"SubmissionConflict": ("Count", [1.0])}
    # The request, then again for its retry while pending; never for spam or the conflict
    assert fakes.publisher.announced == [created.submission_id] * 2


def test_one_log_line_says_what_happened_to_the_request(
    fakes: SubmitFakes, logs: io.StringIO
) -> None:
    receipt = _submit(fakes)

    (line,) = [json.loads(text) for text in logs.getvalue().splitlines()]
    assert line["message"] == "request stored"
    assert line["submission_id"] == receipt.submission_id
    assert line["outcome"] == "created"
    assert line["message_id"] == "message-1"


def test_the_receipt_carries_the_reference_and_the_urgency_of_what_was_stored(
    fakes: SubmitFakes,
) -> None:
    plain = _submit(fakes)
    urgent = _submit(fakes, reason="Some days I want to die.")

    for receipt, expected in ((plain, False), (urgent, True)):
        item = fakes.store.get(receipt.submission_id)
        assert item is not None
        assert receipt.reference == item.reference
        assert receipt.urgent is item.urgent is expected


@dataclass
class RecordingCheck:
    answer: bool = True
    calls: list[tuple[str, str, str]] = field(default_factory=list)

    def passed(self, token: str, idempotency_key: str, hostname: str = "") -> bool:
        self.calls.append((token, idempotency_key, hostname))
        return self.answer


def test_the_human_check_is_asked_about_this_token_submission_and_site() -> None:
    check, key = RecordingCheck(), uuid.uuid4()

    logic.check_human(check, "token-1", key, "clinic.example")
    logic.check_human(check, "token-2", key)

    assert check.calls == [("token-1", str(key), "clinic.example"), ("token-2", str(key), "")]


@pytest.mark.parametrize(("token", "answer"), [(None, True), ("", True), ("token", False)])
def test_no_token_or_a_failed_check_is_refused_and_counted(token: str | None, answer: bool) -> None:
    check = RecordingCheck(answer=answer)
    _counted()

    with pytest.raises(logic.HumanCheckFailed):
        logic.check_human(check, token, uuid.uuid4())

    assert _counted() == {"HumanCheckFailed": ("Count", [1.0])}
    assert len(check.calls) == (1 if token else 0)  # no token: nothing to ask about


def test_without_the_check_configured_every_request_goes_through() -> None:
    logic.check_human(None, None, uuid.uuid4())
