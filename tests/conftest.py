"""Fixtures for every test: a moto AWS built from template.yaml, events, a clock.

moto is imported before any boto3 client is created, so every client (including the ones the
handlers create at import) is answered by moto while a mock is active.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from moto import mock_aws

from intake_cli.template import ACCOUNT_ID, LocalStack, create_data_resources, load_template
from tests.leaks import LeakGuard
from tests.localstack import local  # noqa: F401 - the local stack, for integration and e2e

REGION = "us-east-1"
STACK = "intake-test"
PARAMETERS = {
    "StaffEmails": "frontdesk@clinic.example,nurse@clinic.example",
    "StaffPhones": "+14155550101",
    "SenderEmail": "alerts@clinic.example",
    "AllowedDevOrigins": "http://localhost:5173",
}
FUNCTIONS = ("SubmitRequestFunction", "NotifyStaffFunction", "RedriveAlertsFunction")

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "tests",
    }
)


def _build_stack() -> LocalStack:
    return create_data_resources(
        LocalStack(load_template(), STACK, REGION, parameters=dict(PARAMETERS)), boto3
    )


# The functions read their settings at import (cold start): give them the template's
# environment, resolved against the same names every test's fresh moto will use.
with mock_aws():
    _STACK = _build_stack()
    for _function in FUNCTIONS:
        os.environ.update(_STACK.function_environment(_function))
# Each function sets its own service name; tests see one.
os.environ["POWERTOOLS_SERVICE_NAME"] = "tests"


GUARD = LeakGuard()


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
    """A fresh moto AWS with the template's table, topics, queues and subscriptions."""
    with mock_aws():
        stack = _build_stack()
        ses = boto3.client("sesv2", region_name=REGION)
        ses.create_email_identity(EmailIdentity=PARAMETERS["SenderEmail"])
        yield stack
        leak_guard.check_moto(ACCOUNT_ID, REGION)


@pytest.fixture
def table(aws: LocalStack) -> Any:
    return boto3.resource("dynamodb", region_name=REGION).Table(aws.physical["RequestsTable"])


def all_items(aws: LocalStack) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb", region_name=REGION).Table(aws.physical["RequestsTable"])
    return list(table.scan(ConsistentRead=True)["Items"])


def valid_fields(**overrides: Any) -> dict[str, Any]:
    """A valid request body with a fresh submission_id; overrides replace or add fields."""
    fields: dict[str, Any] = {
        "submission_id": str(uuid.uuid4()),
        "full_name": "Ana Núñez-O'Brien",
        "email": "ana.nunez@example.org",
        "phone": "(415) 555-2671",
        "preferred_contact": "phone",
        "sms_consent": False,
        "visit_type": "new",
        "preferred_date": None,
        "preferred_time": "morning",
        "reason": "Anxiety most days.\nI would like to ask about treatment options.",
        "consent": True,
        "consent_version": "2026-11",
        "website": "",
    }
    fields.update(overrides)
    result = {key: value for key, value in fields.items() if value is not None}
    GUARD.register(result)
    return result


@pytest.fixture
def today() -> date:
    """Today in the clinic's time zone (the template's default), as the model sees it."""
    return datetime.now(ZoneInfo(os.environ["CLINIC_TIMEZONE"])).date()


@pytest.fixture(autouse=True)
def logs() -> Iterator[io.StringIO]:
    """Everything the functions' Powertools logger writes during the test."""
    from intake_common.observability import logger

    handler = logger.registered_handler
    stream = io.StringIO()
    original = handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        yield stream
    finally:
        handler.setStream(original)  # type: ignore[attr-defined]
