"""submit_request's logic with in-memory fakes: the dual write and its outcomes."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from intake_common.domain.item import CompleteAlerts
from intake_common.domain.models import SMOKE_TEST_PREFIX
from intake_common.domain.ports import StorageUnavailable
from intake_common.services import alerts
from submit_request import logic
from submit_request.ports import Dependencies
from tests.support.builders import NOW, request
from tests.support.fakes import InMemoryRequestStore, RecordingPublisher


@pytest.fixture
def deps() -> Dependencies:
    return Dependencies(store=InMemoryRequestStore(), publisher=RecordingPublisher())


def _submit(
    deps: Dependencies, submission_id: uuid.UUID | None = None, **fields: object
) -> logic.Receipt:
    visit = request(**fields)
    return logic.submit(
        visit,
        submission_id=submission_id or visit.submission_id or uuid.uuid4(),
        now=NOW,
        retention_days=365,
        deps=deps,
    )


def test_a_new_request_is_stored_pending_and_announced_once(deps: Dependencies) -> None:
    receipt = _submit(deps)

    assert receipt.outcome == "created"
    item = deps.store.get(receipt.submission_id)
    assert item is not None
    assert (item.status, item.alert_state) == ("new", "pending")
    assert item.expires_at == int((NOW + timedelta(days=365)).timestamp())
    published = deps.publisher.messages  # type: ignore[attr-defined]
    assert [str(m.request_id) for m in published] == [receipt.submission_id]


def test_the_same_submission_again_is_a_duplicate_and_republishes_only_while_pending(
    deps: Dependencies,
) -> None:
    key = uuid.uuid4()
    first = _submit(deps, key, full_name="Same Person")
    again = _submit(deps, key, full_name="Same Person")
    assert (first.outcome, again.outcome) == ("created", "duplicate")
    assert first.reference == again.reference
    assert len(deps.publisher.messages) == 2  # type: ignore[attr-defined]

    # Once notify_staff has alerted, a retry publishes nothing
    deps.store.change(str(key), CompleteAlerts("sent", "2026-11-30T14:03:00.000+00:00"))
    assert _submit(deps, key, full_name="Same Person").outcome == "duplicate"
    assert len(deps.publisher.messages) == 2  # type: ignore[attr-defined]


def test_the_same_id_with_other_content_is_a_conflict_and_changes_nothing(
    deps: Dependencies,
) -> None:
    key = uuid.uuid4()
    _submit(deps, key, full_name="First Content")
    before = deps.store.get(str(key))

    with pytest.raises(logic.SubmissionConflict):
        _submit(deps, key, full_name="Other Content")

    assert deps.store.get(str(key)) == before


def test_a_honeypot_hit_is_stored_as_spam_and_announced_to_nobody(deps: Dependencies) -> None:
    receipt = _submit(deps, website="http://spam.example")

    assert receipt.outcome == "spam"
    item = deps.store.get(receipt.submission_id)
    assert item is not None
    assert (item.status, item.alert_state) == ("spam", "skipped")
    assert deps.publisher.messages == []  # type: ignore[attr-defined]


def test_a_failed_publish_keeps_the_request_stored_and_pending(deps: Dependencies) -> None:
    deps.publisher.fail = True  # type: ignore[attr-defined]

    receipt = _submit(deps)

    item = deps.store.get(receipt.submission_id)
    assert item is not None
    assert item.alert_state == "pending"
    assert receipt.outcome == "created"


def test_storage_unavailable_reaches_the_caller_and_nothing_is_announced(
    deps: Dependencies,
) -> None:
    deps.store.fail.add("insert")  # type: ignore[attr-defined]

    with pytest.raises(StorageUnavailable):
        _submit(deps)

    assert deps.publisher.messages == []  # type: ignore[attr-defined]


def test_the_redrive_publishes_only_requests_pending_past_the_grace(deps: Dependencies) -> None:
    deps.publisher.fail = True  # type: ignore[attr-defined]
    old = _submit(deps)
    deps.publisher.fail = False  # type: ignore[attr-defined]

    assert alerts.redrive_pending(deps.store, deps.publisher, NOW, NOW) == 0  # not before NOW
    later = NOW + timedelta(minutes=6)
    assert (
        alerts.redrive_pending(deps.store, deps.publisher, later - timedelta(minutes=5), later) == 1
    )
    assert [str(m.request_id) for m in deps.publisher.messages] == [old.submission_id]  # type: ignore[attr-defined]


def test_a_smoke_test_request_expires_within_a_day(deps: Dependencies) -> None:
    key = uuid.UUID(SMOKE_TEST_PREFIX + "0123456789ab")

    receipt = _submit(deps, key)

    item = deps.store.get(receipt.submission_id)
    assert item is not None
    assert item.smoke_test
    assert item.expires_at == int((NOW + timedelta(days=1)).timestamp())
