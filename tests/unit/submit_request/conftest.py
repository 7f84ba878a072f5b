from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest

from intake_cli.apigw import LambdaContext, rest_event

Invoke = Callable[..., dict[str, Any]]


@pytest.fixture
def invoke(aws: Any) -> Invoke:
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
        return handler.lambda_handler(event, LambdaContext("submit_request"))

    return _invoke


def json_body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])
