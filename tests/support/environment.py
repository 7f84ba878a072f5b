"""The environment the functions run in, for the tiers that run their handlers.

The functions read their settings at import (their cold start), so the environment the template
gives them on the test stack is set before a handler is imported: ``prepare()``, called when the
component and IAM tiers' conftest loads. The stack's names are planned on moto alone (its
DynamoDB included): planning starts no emulator. dynalite starts only for a test that asks for
DynamoDB (the ``dynalite`` fixture).
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from moto import mock_aws

from intake_local.resources import create_data_resources
from intake_local.template import LocalStack
from tests.support import stack

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": stack.REGION,
}


def credentials() -> None:
    """Fake credentials, and no profile or endpoint of the developer's own: nothing reaches AWS."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    os.environ.update(FAKE_CREDENTIALS)


def prepare() -> LocalStack:
    """Once per session: the functions' environment for the test stack (idempotent)."""
    if stack.PLANNED is not None:
        return stack.PLANNED
    credentials()
    endpoint = os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
    try:
        with mock_aws():
            session = boto3.Session(region_name=stack.REGION)

            def client(service: Any) -> Any:
                return session.client(service)

            planned = create_data_resources(
                LocalStack(stack.TEMPLATE, stack.STACK, stack.REGION, dict(stack.PARAMETERS)),
                client,
            )
    finally:
        if endpoint is not None:
            os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
    for function in stack.functions():
        os.environ.update(planned.function_environment(function))
    # Each function sets its own service name; tests see one.
    os.environ["POWERTOOLS_SERVICE_NAME"] = "tests"
    stack.PLANNED = planned
    return planned
