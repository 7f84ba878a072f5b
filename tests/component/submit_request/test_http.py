"""The endpoint's HTTP behaviour: idempotency, sizes, types, methods, CORS, the form post."""

from __future__ import annotations

import base64
import gzip
import io
import json
import uuid
from urllib.parse import parse_qs, urlparse

import pytest

from intake_common.domain.contract import AlertMessage
from intake_local.template import LocalStack
from tests.support.aws import all_items, header, json_body, receive
from tests.support.data import valid_fields
from tests.support.handlers import Invoke, via_cloudfront


def test_same_submission_twice_answers_the_same_and_stores_one(
    invoke: Invoke, aws: LocalStack
) -> None:
    fields = valid_fields()

    first, second = invoke(fields), invoke(fields)

    assert first["statusCode"] == second["statusCode"] == 201
    assert json_body(first) == json_body(second)
    assert len(all_items(aws)) == 1


def test_retry_while_alert_pending_publishes_again_and_nothing_after(
    invoke: Invoke, aws: LocalStack
) -> None:
    fields = valid_fields()
    invoke(fields)
    invoke(fields)  # alert still pending: published again (notify_staff de-duplicates)
    assert len(receive(aws)) == 2


def test_same_id_with_other_content_is_a_conflict(invoke: Invoke, aws: LocalStack) -> None:
    fields = valid_fields()
    invoke(fields)

    response = invoke({**fields, "full_name": "Someone Else"})

    assert response["statusCode"] == 409
    assert json_body(response)["errors"][0]["code"] == "conflict"
    assert "Someone Else" not in response["body"]
    assert all_items(aws)[0]["full_name"] == fields["full_name"]


def test_body_over_16_kib_is_413(invoke: Invoke, aws: LocalStack) -> None:
    body = json.dumps(valid_fields(reason="x" * 900)) + " " * 16 * 1024
    assert invoke(raw=body)["statusCode"] == 413
    assert invoke(raw="x" * 1024 * 1024)["statusCode"] == 413
    assert all_items(aws) == []


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/xml", "multipart/form-data; boundary=x", None]
)
def test_other_content_types_are_415(invoke: Invoke, content_type: str | None) -> None:
    response = invoke(valid_fields(), content_type=content_type)
    assert response["statusCode"] == 415
    assert json_body(response)["errors"][0]["field"] == "body"


def test_compressed_body_is_415(invoke: Invoke, aws: LocalStack) -> None:
    raw = gzip.compress(json.dumps(valid_fields()).encode())
    response = invoke(raw=raw, headers={"Content-Encoding": "gzip"})
    assert response["statusCode"] == 415
    assert all_items(aws) == []


def test_json_with_charset_is_accepted(invoke: Invoke) -> None:
    response = invoke(valid_fields(), content_type="application/json; charset=UTF-8")
    assert response["statusCode"] == 201


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("{not json", 400),
        ("", 400),
        ('{"full_name": "a", "full_name": "b"}', 400),
        ("[1, 2]", 422),
        ('"text"', 422),
        ('{"x": NaN}', 400),
        (b"\xff\xfe{}", 400),
    ],
)
def test_malformed_bodies_get_a_clear_4xx(
    invoke: Invoke, aws: LocalStack, raw: str | bytes, status: int
) -> None:
    response = invoke(raw=raw)
    assert response["statusCode"] == status
    assert json_body(response)["errors"][0]["message"]
    assert all_items(aws) == []


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_other_methods_are_405(invoke: Invoke, method: str) -> None:
    response = invoke(method=method)
    assert response["statusCode"] == 405
    assert header(response, "Allow") == "POST, OPTIONS"


def test_cors_preflight_from_the_allowed_origin(invoke: Invoke) -> None:
    origin = "http://localhost:5173"
    response = invoke(
        method="OPTIONS",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        content_type=None,
    )
    assert response["statusCode"] == 204
    assert header(response, "Access-Control-Allow-Origin") == origin


def test_allowed_origin_gets_cors_headers_and_foreign_origin_none(invoke: Invoke) -> None:
    allowed = invoke(valid_fields(), headers={"Origin": "http://localhost:5173"})
    foreign = invoke(valid_fields(), headers={"Origin": "https://evil.example"})

    assert header(allowed, "Access-Control-Allow-Origin") == "http://localhost:5173"
    everything = json.dumps(foreign.get("multiValueHeaders", {})) + json.dumps(foreign["headers"])
    assert "Access-Control-Allow-Origin" not in everything
    assert "evil.example" not in everything


def test_form_post_redirects_to_thank_you_with_the_reference(
    invoke: Invoke, aws: LocalStack
) -> None:
    fields = valid_fields(sms_consent="on", consent="on")
    del fields["submission_id"]

    response = invoke(fields, form=True)

    assert response["statusCode"] == 303
    location = urlparse(header(response, "Location"))
    assert location.path == "/thank-you.html"
    reference = parse_qs(location.query)["ref"][0]
    items = all_items(aws)
    assert [item["reference"] for item in items] == [reference]
    assert uuid.UUID(items[0]["submission_id"]).version == 5


def test_form_double_submit_of_same_content_stores_one(invoke: Invoke, aws: LocalStack) -> None:
    fields = valid_fields(consent="on", submission_id="")

    first, second = invoke(fields, form=True), invoke(fields, form=True)

    assert header(first, "Location") == header(second, "Location")
    assert len(all_items(aws)) == 1


def test_form_errors_get_an_accessible_html_page(invoke: Invoke, aws: LocalStack) -> None:
    fields = valid_fields(consent="on", email="not-an-email", full_name="Secretname")
    del fields["submission_id"]

    response = invoke(fields, form=True)

    assert response["statusCode"] == 422
    assert str(header(response, "Content-Type")).startswith("text/html")
    page = response["body"]
    assert '<html lang="en">' in page
    assert "Email:" in page
    assert 'href="/#request"' in page
    assert "not-an-email" not in page
    assert all_items(aws) == []


def test_base64_encoded_body_from_api_gateway_is_read(invoke: Invoke, aws: LocalStack) -> None:
    from intake_common.runtime.events import LambdaContext, api_event
    from submit_request import handler

    event = api_event(
        "POST",
        "/appointments",
        resource="/appointments",
        headers=via_cloudfront({"Content-Type": "application/json"}),
        body=base64.b64encode(json.dumps(valid_fields()).encode()).decode(),
    )
    event["isBase64Encoded"] = True
    assert handler.lambda_handler(event, LambdaContext("x"))["statusCode"] == 201
    assert len(all_items(aws)) == 1


def test_honeypot_is_answered_like_success_stored_as_spam(invoke: Invoke, aws: LocalStack) -> None:
    fields = valid_fields(website="https://autofill.example")

    response = invoke(fields)

    assert response["statusCode"] == 201
    assert json_body(response)["status"] == "received"
    item = all_items(aws)[0]
    assert item["status"] == "spam"
    assert item["alert_state"] == "skipped"
    assert receive(aws) == []


def test_alert_message_matches_the_contract_and_holds_no_submitted_value(
    invoke: Invoke, aws: LocalStack
) -> None:
    fields = valid_fields()
    invoke(fields)

    messages = receive(aws)

    assert len(messages) == 1
    message = AlertMessage.model_validate_json(messages[0]["Body"])
    assert str(message.request_id) == fields["submission_id"]
    assert messages[0].get("MessageAttributes", {}) == {}
    for key in ("full_name", "email", "phone", "reason"):
        assert str(fields[key]) not in messages[0]["Body"]
    assert "+14155552671" not in messages[0]["Body"]


def test_logs_hold_no_submitted_value(invoke: Invoke, logs: io.StringIO, aws: LocalStack) -> None:
    fields = valid_fields()
    invoke(fields)
    invoke({**fields, "email": "bad@@example.org"})  # a conflict and an invalid request
    invoke(valid_fields(full_name="Bad1Name", reason="secret reason"))

    text = logs.getvalue()
    assert "request stored" in text
    for value in (fields["full_name"], fields["email"], "4155552671", "Anxiety", "Bad1Name"):
        assert value not in text
    assert "secret reason" not in text
