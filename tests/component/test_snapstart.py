"""SnapStart's priming and restore hooks, and the weekly keep-active call, on moto and dynalite:
priming runs every handler's whole path once and leaves nothing behind, and what follows it
works exactly as before."""

from __future__ import annotations

import io
import random
from typing import Any

import pytest

from intake_common import snapstart
from intake_local.apigw import LambdaContext
from intake_local.template import LocalStack
from notify_staff import handler as notify
from staff_api import handler as staff
from submit_request import handler as submit
from tests.support.aws import all_items, outbox, receive
from tests.support.data import valid_fields
from tests.support.handlers import Deliver, Invoke

HANDLERS = {"submit_request": submit, "notify_staff": notify, "staff_api": staff}


def test_priming_reaches_no_aws_and_leaves_no_trace(
    aws: LocalStack, logs: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    snapstart.prime()

    for table in ("RequestsTable", "AuditTable", "AlertLimitsTable"):
        assert all_items(aws, table) == [], table
    assert receive(aws) == []
    assert outbox() == {"emails": [], "sms": []}
    # Nothing logged or counted: a sample request is not a request
    assert logs.getvalue() == ""
    assert capsys.readouterr().out == ""
    for module in HANDLERS.values():
        assert module.metrics.metric_set == {}


def test_priming_leaves_nothing_for_the_first_event_to_import(aws: LocalStack) -> None:
    import sys

    snapstart.prime()

    # What a first request used to import and compile on its way
    assert {"email_validator", "phonenumbers"} <= set(sys.modules)
    for module in HANDLERS.values():
        assert module.dependencies.cache_info().currsize == 1  # the clients are built


def test_requests_after_priming_are_handled_as_before(
    invoke: Invoke, deliver: Deliver, aws: LocalStack, logs: io.StringIO
) -> None:
    snapstart.prime()

    response = invoke(valid_fields(confirmation_email=True))
    deliver()

    assert response["statusCode"] == 201
    (item,) = all_items(aws)
    assert item["alert_state"] == "sent"
    assert len(outbox()["emails"]) == 3  # two staff addresses and the visitor's confirmation
    assert "request stored" in logs.getvalue()  # the log level came back
    assert submit.app.dependency_overrides == {}  # the priming deps are gone


@pytest.mark.parametrize("name", sorted(HANDLERS))
def test_the_weekly_keep_active_call_is_answered_with_no_log_or_metric(
    name: str, aws: LocalStack, logs: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    module: Any = HANDLERS[name]

    answer = module.lambda_handler(dict(snapstart.KEEP_ACTIVE), LambdaContext(name))

    assert answer == {"kept_active": True}
    assert logs.getvalue() == ""
    assert capsys.readouterr().out == ""


def test_an_event_that_only_mentions_keep_active_is_not_one() -> None:
    assert not snapstart.keeps_active({"keep_active": "someone-else"})
    assert not snapstart.keeps_active({"body": '{"keep_active": "clinic-intake"}'})
    assert not snapstart.keeps_active(None)


def test_each_restored_environment_draws_its_own_random_numbers() -> None:
    # Two environments restored from one snapshot start with the same random state
    random.seed(1234)
    snapshot = random.getstate()
    first = random.random()  # noqa: S311 - the state under test, not a secret
    random.setstate(snapshot)

    snapstart.renew_random_state()

    assert random.random() != first  # noqa: S311
