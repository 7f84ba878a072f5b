"""Injected faults and races: the end state is one item and one alert per recipient."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from intake_common.aws.table import DynamoRequestStore
from intake_common.aws.topic import SnsAlertPublisher
from intake_common.domain.contract import AlertMessage
from intake_common.domain.models import AppointmentRequest
from intake_local.template import LocalStack
from tests.support import swap
from tests.support.aws import all_items, client_error, failing, outbox, receive
from tests.support.data import valid_fields
from tests.support.handlers import Deliver, Invoke


class ProcessDied(BaseException):
    """Stands for the Lambda process being killed: nothing below it runs, nothing catches it."""


@pytest.fixture
def atomic_moto() -> Iterator[None]:
    """moto's SNS and SQS are not thread-safe (DynamoDB here is dynalite, which applies each
    conditional write atomically, as DynamoDB does). Each moto call is made atomic, as the
    local stack does."""
    from intake_local.aws import serialise_moto_calls

    restore = serialise_moto_calls(threading.RLock())
    yield
    restore()


def _run_in_threads(count: int, work: Any) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work()
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_dynamodb_5xx_is_503_and_nothing_is_stored(
    invoke: Invoke, aws: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from submit_request import handler

    down = client_error("InternalServerError", "PutItem")
    fields = valid_fields()
    broken = DynamoRequestStore(handler.settings.table_name, failing("dynamodb", "PutItem", down))
    with swap.dependencies(handler, store=broken):
        assert invoke(fields)["statusCode"] == 503
    assert all_items(aws) == []
    assert invoke(fields)["statusCode"] == 201
    assert len(all_items(aws)) == 1


def test_process_death_between_write_and_publish_is_healed_by_the_redrive(
    invoke: Invoke, deliver: Deliver, aws: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from redrive_alerts import handler as redrive
    from redrive_alerts import logic as redrive_logic

    def sweep(now: datetime, deps: Any) -> int:
        return redrive_logic.redrive(now, redrive.settings.sweep_grace_minutes, deps)

    from submit_request import handler

    # The process dies as it publishes (after the write).
    dying = SnsAlertPublisher(handler.settings.topic_arn, failing("sns", "Publish", ProcessDied()))
    with swap.dependencies(handler, publisher=dying), pytest.raises(ProcessDied):
        invoke(valid_fields())
    assert all_items(aws)[0]["alert_state"] == "pending"
    assert receive(aws) == []

    deps = swap.real(redrive)
    assert sweep(datetime.now(UTC) + timedelta(minutes=10), deps) == 1
    deliver()
    assert sweep(datetime.now(UTC) + timedelta(minutes=20), deps) == 0

    assert len(outbox()["emails"]) == 2
    assert len(outbox()["sms"]) == 1


@pytest.mark.usefixtures("atomic_moto")
def test_same_submission_from_several_threads_stores_one_and_alerts_once(
    deliver: Deliver, aws: LocalStack
) -> None:
    from submit_request import handler, logic

    fields = valid_fields()
    request = AppointmentRequest.model_validate(fields)
    now = datetime.now(UTC)

    def submit() -> Any:
        # Each thread is its own Lambda instance, with its own clients.
        return logic.submit(
            request,
            submission_id=uuid.UUID(fields["submission_id"]),
            now=now,
            retention_days=30,
            deps=swap.real(handler),
        )

    receipts = _run_in_threads(6, submit)

    assert all(isinstance(r, logic.Receipt) for r in receipts), receipts
    assert {(r.submission_id, r.reference) for r in receipts} == {
        (fields["submission_id"], receipts[0].reference)
    }
    assert sorted(r.outcome for r in receipts).count("created") == 1
    assert len(all_items(aws)) == 1
    while batch := receive(aws):
        deliver(batch)
    assert len(outbox()["emails"]) == 2
    assert len(outbox()["sms"]) == 1


@pytest.mark.usefixtures("atomic_moto")
def test_same_message_processed_concurrently_sends_one_alert_per_recipient(
    invoke: Invoke, aws: LocalStack
) -> None:
    from notify_staff import handler, logic

    fields = valid_fields()
    invoke(fields)
    message = AlertMessage(
        request_id=uuid.UUID(fields["submission_id"]), published_at=datetime.now(UTC)
    )

    def process() -> Any:
        # Each thread is its own Lambda instance, with its own clients.
        return logic.handle_alert(
            message, settings=handler.settings, deps=swap.real(handler), now=datetime.now(UTC)
        )

    results = _run_in_threads(5, process)

    assert all(r == "sent" or isinstance(r, logic.RetryLater) for r in results), results
    # The ones told to retry are delivered again by SQS later: they send nothing new.
    for result in results:
        if isinstance(result, logic.RetryLater):
            assert process() == "sent"
    assert len(outbox()["emails"]) == 2
    assert len(outbox()["sms"]) == 1
    assert all_items(aws)[0]["alert_state"] == "sent"
