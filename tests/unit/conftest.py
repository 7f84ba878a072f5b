"""Fixtures that call the functions' handlers the way AWS does."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest

from intake_cli.apigw import LambdaContext, rest_event, sqs_event
from intake_cli.template import LocalStack
from tests.conftest import REGION
from tests.helpers import receive
from tests.leaks import LeakGuard

Invoke = Callable[..., dict[str, Any]]
Deliver = Callable[..., dict[str, Any]]


@pytest.fixture
def invoke(aws: Any, leak_guard: LeakGuard) -> Invoke:
    """Call submit_request's Lambda handler the way API Gateway does."""
    from submit_request import handler

    def _invoke(
        body: Any = None,
        *,
        method: str = "POST",
        content_type: str | None = "application/json",
        form: bool = False,
        headers: dict[str, str] | None = None,
        raw: bytes | str | None = None,
    ) -> dict[str, Any]:
        all_headers = dict(headers or {})
        if form:
            content_type = "application/x-www-form-urlencoded"
        if content_type:
            all_headers["Content-Type"] = content_type
        payload: bytes | str | None = raw
        if raw is None and body is not None:
            payload = urlencode(body) if form else json.dumps(body)
        event = rest_event(
            method, "/appointments", resource="/appointments", headers=all_headers, body=payload
        )
        leak_guard.register(body)
        response: dict[str, Any] = handler.lambda_handler(event, LambdaContext("submit_request"))
        leak_guard.record_response(response)
        return response

    return _invoke


@pytest.fixture
def deliver(aws: LocalStack) -> Deliver:
    """Run notify_staff on messages (by default: everything on the alert queue)."""
    from notify_staff import handler

    def _deliver(messages: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        batch = receive(aws) if messages is None else messages
        event = sqs_event(batch, aws.attributes[("AlertQueue", "Arn")], REGION)
        result: dict[str, Any] = handler.lambda_handler(event, LambdaContext("notify_staff"))
        return result

    return _deliver
