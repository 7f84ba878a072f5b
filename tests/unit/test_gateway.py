"""The edge both API functions share (runtime/gateway.py): what did not come through CloudFront is
refused in the page's language before any route runs, an unreadable secret is a 503 to retry,
and every answer carries the no-store headers."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from intake_common.domain.errors import problem
from intake_common.domain.models import Language
from intake_common.runtime.events import LambdaContext, api_event
from intake_common.runtime.gateway import (
    SECURITY_HEADERS,
    asked_language,
    cloudfront_only,
    json_response,
    secured,
)
from intake_common.runtime.origin import OriginSecret, OriginSecretUnavailable


class Fixed(OriginSecret):
    """An origin secret that admits one value (or cannot be read at all)."""

    def __init__(self, value: str | None) -> None:
        self.value = value

    def admits(self, sent: str) -> bool:
        if self.value is None:
            raise OriginSecretUnavailable("AccessDeniedException")
        return bool(sent) and sent == self.value


def _app(secret: OriginSecret | None, *, required: bool = True) -> tuple[Any, list[str]]:
    refusals: list[str] = []
    app = APIGatewayRestResolver()
    app.use([cloudfront_only(secret, lambda: refusals.append("refused"), required=required)])

    @app.get("/hello")
    def hello() -> dict[str, str]:
        return {"hello": "world"}

    return app, refusals


def _call(app: Any, headers: dict[str, str] | None = None, query: str = "") -> dict[str, Any]:
    event = api_event("GET", "/hello", resource="/hello", headers=headers or {}, query=query)
    return app.resolve(event, LambdaContext("unit-test"))  # type: ignore[no-any-return]


def _errors(answer: dict[str, Any]) -> list[dict[str, str]]:
    return json.loads(answer["body"])["errors"]  # type: ignore[no-any-return]


def test_the_origin_header_cloudfront_sends_passes_in_any_case() -> None:
    app, refusals = _app(Fixed("s3cret"))

    answer = _call(app, {"X-Origin-Verify": "s3cret"})

    assert answer["statusCode"] == 200
    assert json.loads(answer["body"]) == {"hello": "world"}
    assert refusals == []


@pytest.mark.parametrize(("query", "language"), [("", "en"), ("lang=es", "es"), ("lang=fr", "en")])
def test_anything_else_is_refused_in_the_pages_language_and_counted(
    query: str, language: Language
) -> None:
    app, refusals = _app(Fixed("s3cret"))

    answer = _call(app, {"x-origin-verify": "guess"}, query)

    assert answer["statusCode"] == 403
    assert _errors(answer) == [
        {"field": "body", "code": "forbidden", "message": problem("forbidden", language)}
    ]
    assert refusals == ["refused"]


def test_an_unreadable_secret_is_a_503_to_retry_not_a_refusal(logs: io.StringIO) -> None:
    app, refusals = _app(Fixed(None))

    answer = _call(app, {"x-origin-verify": "s3cret"}, "lang=es")

    assert answer["statusCode"] == 503
    assert answer["multiValueHeaders"]["Retry-After"] == ["5"]
    assert _errors(answer) == [
        {
            "field": "body",
            "code": "unavailable",
            "message": problem("briefly_unavailable", "es"),
        }
    ]
    assert refusals == []
    (line,) = [json.loads(text) for text in logs.getvalue().splitlines()]
    assert (line["level"], line["message"]) == (
        "ERROR",
        "origin secret unreadable: request refused, to be retried",
    )


def test_no_secret_refuses_everything_and_says_why_unless_a_local_stack_turns_it_off(
    logs: io.StringIO,
) -> None:
    deployed, _ = _app(None)
    assert _call(deployed, {"x-origin-verify": "anything"})["statusCode"] == 403
    (line,) = [json.loads(text) for text in logs.getvalue().splitlines()]
    assert (line["level"], line["message"]) == (
        "ERROR",
        "no origin secret configured: every request is refused",
    )
    logs.seek(0)
    logs.truncate()

    default = APIGatewayRestResolver()  # a deployed function's: required unless said otherwise
    default.use([cloudfront_only(None)])
    default.get("/hello")(lambda: {"hello": "world"})
    assert _call(default)["statusCode"] == 403
    logs.seek(0)
    logs.truncate()

    local, _ = _app(None, required=False)
    assert _call(local)["statusCode"] == 200
    assert logs.getvalue() == ""


def test_a_json_answer_keeps_its_letters_and_every_answer_is_never_stored() -> None:
    answer = json_response(422, {"message": "Revise su solicitud"}, {"X-A": "1"})
    assert answer.body == '{"message": "Revise su solicitud"}'
    assert answer.status_code == 422
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["X-A"] == "1"
    assert json_response(200, {"n": "ñ"}).body == '{"n": "ñ"}'

    assert secured({"statusCode": 200}) == {"statusCode": 200, "headers": SECURITY_HEADERS}
    assert secured({"statusCode": 200, "headers": None})["headers"] == SECURITY_HEADERS
    kept = secured({"statusCode": 200, "headers": {"X-A": "1", "Cache-Control": "max-age=60"}})
    assert kept["headers"] == {"X-A": "1", **SECURITY_HEADERS}


def test_the_asked_language_is_the_addresss_lang() -> None:
    class Event:
        query_string_parameters: dict[str, str] | None = None

    assert asked_language(Event()) is None
    Event.query_string_parameters = {"lang": "es"}
    assert asked_language(Event()) == "es"
