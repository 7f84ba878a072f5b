"""What both API functions do at the edge of their code: answer only what CloudFront
forwarded, and answer nothing a browser or proxy may keep.

The execute-api URL is public; called directly, it would skip CloudFront's headers, its
function and the WAF's per-address limit. CloudFront adds a secret origin header
(``X-Origin-Verify``, template.yaml), which a Powertools middleware checks before any route,
against the values Secrets Manager holds now (origin.py: the secret rotates).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

from intake_common.domain.errors import body_error, language_of, problem
from intake_common.domain.models import Language
from intake_common.runtime.observability import logger
from intake_common.runtime.origin import OriginSecret, OriginSecretUnavailable

SECURITY_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def through_cloudfront(
    headers: dict[str, str], secret: OriginSecret | None, *, required: bool = True
) -> bool:
    """The request carries an origin header value only CloudFront sends (the secret's current
    value and, during a rotation, the previous one). With no secret configured, nothing passes:
    a deployed function whose secret is missing refuses every request. Only a local stack may
    run without one, by saying so (``required`` false: ORIGIN_CHECK=off). Raises
    OriginSecretUnavailable when the secret cannot be read and nothing read earlier is kept."""
    if secret is None:
        return not required
    sent = headers.get("x-origin-verify")
    return sent is not None and secret.admits(sent)


def asked_language(event: Any) -> str | None:
    """The ``lang`` the page put in the address it posts to (the Spanish form: ``?lang=es``)."""
    query: dict[str, str] = event.query_string_parameters or {}
    return query.get("lang")


def page_language(event: Any) -> Language:
    """The language of the page that sent the request, as its address says: Spanish for
    ``?lang=es``, else English (what is answered before the body is read)."""
    return language_of(asked_language(event))


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body, ensure_ascii=False),
        headers=headers,
    )


def cloudfront_only(
    secret: OriginSecret | None,
    refused: Callable[[], None] = lambda: None,
    *,
    required: bool = True,
) -> Callable[[ApiGatewayResolver, NextMiddleware], Response[Any]]:
    """A middleware refusing (403) what did not come through CloudFront."""

    def middleware(resolver: ApiGatewayResolver, next_: NextMiddleware) -> Response[Any]:
        headers = {k.lower(): v for k, v in (resolver.current_event.headers or {}).items()}
        if secret is None and required:
            # A configuration error, not a visitor's: every request is refused until it is fixed.
            logger.error("no origin secret configured: every request is refused")
        try:
            passed = through_cloudfront(headers, secret, required=required)
        except OriginSecretUnavailable:
            logger.error("origin secret unreadable: request refused, to be retried")
            return json_response(
                HTTPStatus.SERVICE_UNAVAILABLE,
                body_error(
                    "unavailable",
                    problem("briefly_unavailable", page_language(resolver.current_event)),
                ),
                {"Retry-After": "5"},
            )
        if not passed:
            refused()
            message = problem("forbidden", page_language(resolver.current_event))
            return json_response(HTTPStatus.FORBIDDEN, body_error("forbidden", message))
        return next_(resolver)

    return middleware


def secured(response: dict[str, Any]) -> dict[str, Any]:
    """The proxy result with the headers every answer carries."""
    headers = response.get("headers") or {}
    headers.update(SECURITY_HEADERS)
    response["headers"] = headers
    return response
