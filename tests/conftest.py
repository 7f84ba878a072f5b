"""Fixtures for every test. Helpers live in ``tests/support``; nothing imports this file.

Nothing here starts an emulator: the unit tier runs without moto, dynalite or a socket. A test
that touches DynamoDB asks for ``aws`` (or ``dynalite``), which starts dynalite once per session
and points every DynamoDB client at it (``AWS_ENDPOINT_URL_DYNAMODB``); moto answers SNS, SQS,
SES and CloudFormation and lets dynalite's calls through. The tiers that run the functions'
handlers set their environment first (``tests/support/environment.py``, from their conftest).
"""

from __future__ import annotations

import io
import logging
import os
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest

from intake_local import dynalite as dynalite_server
from intake_local.resources import register_tables
from intake_local.template import LocalStack
from tests.support import environment, iam
from tests.support import stack as test_stack
from tests.support.leaks import GUARD, LeakGuard
from tests.support.local_stack import Local, running_local

TIERS = ("unit", "static", "contract", "component", "integration", "e2e", "iam")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "after_suite: runs after every other test")
    for tier in TIERS:
        config.addinivalue_line("markers", f"{tier}: a test of tests/{tier}")
    # Every client created from here on is watched for the IAM check (tests/iam). A hook on
    # botocore's client creation: it starts nothing.
    iam.RECORDER.install()
    environment.credentials()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Each test carries its tier's marker (-m "not e2e" leaves the browser out).
    tests = Path(__file__).parent
    for item in items:
        tier = Path(str(item.fspath)).relative_to(tests).parts[0]
        if tier in TIERS:
            item.add_marker(getattr(pytest.mark, tier))
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


@pytest.fixture(scope="session")
def dynalite() -> Iterator[str]:
    """dynalite, the strict DynamoDB emulator, for the session; every DynamoDB client created
    from then on talks to it. The test stack's tables are created on it once."""
    server = dynalite_server.start()
    os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = server.endpoint
    try:
        test_stack.create(LocalStack(test_stack.TEMPLATE, test_stack.STACK, test_stack.REGION))
        yield server.endpoint
    finally:
        os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
        server.stop()


@pytest.fixture
def aws(leak_guard: LeakGuard, dynalite: str) -> Iterator[LocalStack]:
    """A fresh stack: moto (topics, queues, subscriptions, SES), and dynalite's tables, emptied
    after the test."""
    from moto import mock_aws

    with mock_aws():
        stack = test_stack.build()
        # A new stack, a new origin secret: what the API functions read of the last one goes.
        for name in ("submit_request.handler", "staff_api.handler"):
            module = sys.modules.get(name)
            if module is not None and module.origin is not None:
                module.origin.forget()
        ses = boto3.client("sesv2", region_name=test_stack.REGION)
        ses.create_email_identity(EmailIdentity=test_stack.PARAMETERS["SenderEmail"])
        try:
            yield stack
            leak_guard.check_moto(test_stack.ACCOUNT_ID, test_stack.REGION)
        finally:
            test_stack.empty(stack)


@pytest.fixture
def tables(dynalite: str) -> Iterator[LocalStack]:
    """dynalite's tables alone, no moto: what the contract tier needs, in a tenth of the time
    (the mutation run starts it once per mutant). Emptied after the test."""
    stack = LocalStack(test_stack.TEMPLATE, test_stack.STACK, test_stack.REGION)
    register_tables(stack)
    try:
        yield stack
    finally:
        test_stack.empty(stack)


@pytest.fixture
def table(aws: LocalStack) -> Any:
    return boto3.resource("dynamodb", region_name=test_stack.REGION).Table(
        aws.physical["RequestsTable"]
    )


@pytest.fixture
def today() -> date:
    """Today in the clinic's time zone (the template's default), as the model sees it."""
    zone = test_stack.TEMPLATE["Parameters"]["ClinicTimezone"]["Default"]
    return datetime.now(ZoneInfo(os.environ.get("CLINIC_TIMEZONE", zone))).date()


@pytest.fixture
def elsewhere() -> Iterator[None]:
    """The process's local time zone far from UTC (Lambda's is UTC; a laptop's may not be):
    what is stored or named in UTC must not move with it."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Pacific/Auckland"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.fixture(autouse=True)
def logs() -> Iterator[io.StringIO]:
    """Everything the functions' Powertools logger writes during the test."""
    from intake_common.runtime.observability import logger

    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    # Swapped, not setStream(): that flushes the old stream, which a previous pytest session in
    # the same process (the mutation runner's) may have closed.
    original, handler.stream = handler.stream, stream
    try:
        yield stream
    finally:
        handler.stream = original


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
