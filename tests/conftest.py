"""Fixtures for every test. Helpers live in ``tests/support``; nothing imports this file.

The session starts dynalite (the strict DynamoDB emulator) before anything creates a DynamoDB
client, and points every DynamoDB client at it (``AWS_ENDPOINT_URL_DYNAMODB``); moto answers
SNS, SQS, SES and CloudFormation and lets dynalite's calls through. The functions read their
settings at import (cold start), so the template's environment is set here first.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from moto import mock_aws

from intake_local import dynalite
from intake_local.template import LocalStack
from tests.support import iam
from tests.support import stack as test_stack
from tests.support.leaks import GUARD, LeakGuard
from tests.support.local_stack import Local, running_local

_DYNALITE: list[dynalite.Dynalite] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "after_suite: runs after every other test")
    # Every client created from here on is watched for the IAM check (tests/iam).
    iam.RECORDER.install()
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": test_stack.REGION,
        }
    )
    server = dynalite.start()
    _DYNALITE.append(server)
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = server.endpoint
    # The names every test's stack will have, resolved into the functions' environment.
    with mock_aws():
        planned = test_stack.build()
        for function in test_stack.functions():
            os.environ.update(planned.function_environment(function))
        test_stack.teardown(planned)
    test_stack.PLANNED = planned
    # Each function sets its own service name; tests see one.
    os.environ["POWERTOOLS_SERVICE_NAME"] = "tests"


def pytest_unconfigure(config: pytest.Config) -> None:
    while _DYNALITE:
        _DYNALITE.pop().stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The IAM check reads what every other test made the functions call.
    items.sort(key=lambda item: item.get_closest_marker("after_suite") is not None)


def pytest_collection_finish(session: pytest.Session) -> None:
    if not session.items:
        raise pytest.UsageError("no tests were collected: that is an error, not a pass")


@pytest.fixture(autouse=True)
def leak_guard(logs: io.StringIO, capsys: pytest.CaptureFixture[str]) -> Iterator[LeakGuard]:
    """Fails any test after which a submitted value is found where it must not be."""
    GUARD.values.clear()
    GUARD.error_bodies.clear()
    yield GUARD
    captured = capsys.readouterr()
    GUARD.check_outputs(logs.getvalue() + captured.out + captured.err)


@pytest.fixture
def aws(leak_guard: LeakGuard) -> Iterator[LocalStack]:
    """A fresh stack: moto (topics, queues, subscriptions, SES) and dynalite (the tables)."""
    with mock_aws():
        stack = test_stack.build()
        ses = boto3.client("sesv2", region_name=test_stack.REGION)
        ses.create_email_identity(EmailIdentity=test_stack.PARAMETERS["SenderEmail"])
        try:
            yield stack
            leak_guard.check_moto(test_stack.ACCOUNT_ID, test_stack.REGION)
        finally:
            test_stack.teardown(stack)


@pytest.fixture
def table(aws: LocalStack) -> Any:
    return boto3.resource("dynamodb", region_name=test_stack.REGION).Table(
        aws.physical["RequestsTable"]
    )


@pytest.fixture
def today() -> date:
    """Today in the clinic's time zone (the template's default), as the model sees it."""
    return datetime.now(ZoneInfo(os.environ["CLINIC_TIMEZONE"])).date()


@pytest.fixture(autouse=True)
def logs() -> Iterator[io.StringIO]:
    """Everything the functions' Powertools logger writes during the test."""
    from intake_common.runtime.observability import logger

    handler = logger.registered_handler
    stream = io.StringIO()
    original = handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        yield stream
    finally:
        handler.setStream(original)  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def local() -> Iterator[Local]:
    """The local stack, on dynalite, shared by the integration and browser tests."""
    # Alert caps out of reach: these tests count one alert per recipient for every request
    # (the budget has its own stack, in tests/integration/test_alert_budget.py).
    with running_local(
        "--redrive-interval",
        "1",
        "--retry-delay",
        "0",
        "--parameter",
        "SmsAlertsPerHour=100000",
        "--parameter",
        "EmailAlertsPerHour=100000",
    ) as stack:
        yield stack
