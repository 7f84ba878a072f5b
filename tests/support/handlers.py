"""Call the functions' handlers the way AWS does: API Gateway events, SQS batches."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from intake_common.runtime.events import LambdaContext, api_event, received_sqs_event
from intake_local.template import LocalStack
from tests.support.aws import receive
from tests.support.leaks import LeakGuard
from tests.support.stack import REGION

Invoke = Callable[..., dict[str, Any]]
Deliver = Callable[..., dict[str, Any]]


def origin_value(handler: Any) -> str:
    """What CloudFront sends as X-Origin-Verify now: the origin secret's current value, as
    the function reads it (runtime/origin.py)."""
    return str(handler.origin.current())


def via_cloudfront(headers: dict[str, str]) -> dict[str, str]:
    """``headers`` with the origin header CloudFront adds for the API (template.yaml)."""
    from submit_request import handler

    return {"X-Origin-Verify": origin_value(handler), **headers}


def submit(
    guard: LeakGuard,
    body: Any = None,
    *,
    method: str = "POST",
    content_type: str | None = "application/json",
    form: bool = False,
    headers: dict[str, str] | None = None,
    raw: bytes | str | None = None,
    through_cloudfront: bool = True,
    query: str = "",
) -> dict[str, Any]:
    """Call submit_request's Lambda handler with an API Gateway REST event, as CloudFront
    forwards it (its origin header) unless ``through_cloudfront`` is false; ``query`` is the
    query string (the Spanish form posts with ``lang=es``)."""
    from submit_request import handler

    all_headers = dict(headers or {})
    if through_cloudfront:
        all_headers.setdefault("X-Origin-Verify", origin_value(handler))
    if form:
        content_type = "application/x-www-form-urlencoded"
    if content_type:
        all_headers["Content-Type"] = content_type
    payload: bytes | str | None = raw
    if raw is None and body is not None:
        payload = urlencode(body) if form else json.dumps(body)
    event = api_event(
        method,
        "/appointments",
        resource="/appointments",
        headers=all_headers,
        body=payload,
        query=query,
    )
    guard.register(body)
    guard.register_secret(origin_value(handler))
    response: dict[str, Any] = handler.lambda_handler(event, LambdaContext("submit_request"))
    guard.record_response(response)
    return response


def deliver(stack: LocalStack, messages: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Run notify_staff on messages (by default: everything on the alert queue)."""
    from notify_staff import handler
    from tests.support.leaks import GUARD

    GUARD.register_secret(handler.settings.confirmation_key.get_secret_value())
    batch = receive(stack) if messages is None else messages
    event = received_sqs_event(batch, stack.attributes[("AlertQueue", "Arn")], REGION)
    result: dict[str, Any] = handler.lambda_handler(event, LambdaContext("notify_staff"))
    return result


# The staff API's routes (template.yaml), most specific first: path -> API Gateway resource.
_STAFF_RESOURCES = (
    (re.compile(r"^/staff/requests/[^/]+/status$"), "/staff/requests/{reference}/status"),
    (re.compile(r"^/staff/requests/[^/]+/erase$"), "/staff/requests/{reference}/erase"),
    (re.compile(r"^/staff/requests/[^/]+/attempts$"), "/staff/requests/{reference}/attempts"),
    (re.compile(r"^/staff/requests/[^/]+$"), "/staff/requests/{reference}"),
)


def _id_token_for(claims: dict[str, str]) -> str:
    """A JWT-shaped ID token for these claims (unsigned: API Gateway checked it already)."""
    import base64

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    signature = uuid.uuid4().hex + uuid.uuid4().hex
    return ".".join((part({"alg": "RS256", "kid": "local"}), part(claims), signature))


def claims_for(group: str | None, email: str = "nurse@clinic.example") -> dict[str, str]:
    """What API Gateway's Cognito authorizer passes for a verified ID token (strings only)."""
    claims = {
        "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, email)),
        "email": email,
        "token_use": "id",
        "cognito:username": email,
        "aud": "local-client",
    }
    if group is not None:
        claims["cognito:groups"] = group
    return claims


def staff(
    guard: LeakGuard,
    method: str,
    path: str,
    *,
    claims: dict[str, str] | None,
    body: Any = None,
    query: str = "",
    through_cloudfront: bool = True,
) -> dict[str, Any]:
    """Call staff_api's Lambda handler as API Gateway does after its authorizer."""
    from staff_api import handler

    headers = {"Content-Type": "application/json"}
    if claims is not None:
        # The ID token API Gateway checked, still in the headers the function receives: a
        # bearer credential, which no log line, metric or answer may carry.
        token = _id_token_for(claims)
        headers["Authorization"] = token
        guard.register_secret(token)
        guard.register_secret(token.rsplit(".", 1)[1])  # its signature alone is a leak too
    if through_cloudfront:
        headers["X-Origin-Verify"] = origin_value(handler)
    resource = next((res for pattern, res in _STAFF_RESOURCES if pattern.match(path)), path)
    reference = path.split("/")[3] if resource.startswith("/staff/requests/{") else None
    event = api_event(
        method,
        path,
        resource=resource,
        headers=headers,
        body=None if body is None else json.dumps(body),
        query=query,
        path_parameters={"reference": reference} if reference else None,
        claims=claims,
    )
    guard.register(body)  # a staff note is as private as what the visitor wrote
    guard.register_secret(origin_value(handler))
    response: dict[str, Any] = handler.lambda_handler(event, LambdaContext("staff_api"))
    guard.record_response(response)
    return response
