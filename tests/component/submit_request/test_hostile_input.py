"""A catalogue of hostile and broken requests: each a clear 4xx, nothing stored, nothing echoed."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import date, timedelta
from typing import Any

import pytest

from intake_common.runtime.events import LambdaContext, api_event
from intake_local.template import LocalStack
from tests.support.aws import all_items, header, json_body
from tests.support.data import valid_fields
from tests.support.handlers import Invoke, via_cloudfront

MARK = "Zq9Xw"  # a marker no answer may repeat
STRING_FIELDS = ("full_name", "email", "phone", "reason", "consent_version")


def _with(**overrides: Any) -> dict[str, Any]:
    return {"body": valid_fields(**overrides)}


def _catalogue() -> list[tuple[str, dict[str, Any], int]]:
    today = date.today()
    cases: list[tuple[str, dict[str, Any], int]] = []
    for name in STRING_FIELDS:
        cases += [
            (f"crlf-in-{name}", _with(**{name: f"{MARK}\r\nBcc: x@y.org"}), 422),
            (f"nul-in-{name}", _with(**{name: f"{MARK}\x00"}), 422),
            (f"bidi-override-in-{name}", _with(**{name: f"{MARK}\u202egnp.exe"}), 422),
            (f"zero-width-in-{name}", _with(**{name: f"{MARK}\u200b"}), 422),
            (f"10000-chars-in-{name}", _with(**{name: MARK * 2000}), 422),
        ]
    cases = [c for c in cases if c[0] != "crlf-in-reason"]  # newlines are allowed there
    cases += [
        ("crlf-header-injection-in-reason-is-fine-but-nul-is-not", _with(reason="a\r\n\x00"), 422),
        ("array-for-name", _with(full_name=[MARK]), 422),
        ("object-for-email", _with(email={"x": MARK}), 422),
        ("number-for-phone", _with(phone=4155552671), 422),
        ("number-for-name", _with(full_name=12345), 422),
        ("string-for-consent", _with(consent=MARK), 422),
        ("null-for-visit-type", {"body": {**valid_fields(), "visit_type": None}}, 422),
        ("extra-status", _with(status="spam"), 422),
        ("extra-id", _with(id=MARK), 422),
        ("extra-alert-state", _with(alert_state="sent"), 422),
        ("prototype-key", _with(__proto__={"admin": True}), 422),
        ("submission-id-not-uuid", _with(submission_id=MARK), 422),
        ("submission-id-v1", _with(submission_id="6ba7b810-9dad-11d1-80b4-00c04fd430c8"), 422),
        ("submission-id-number", _with(submission_id=42), 422),
        ("date-in-past", _with(preferred_date=(today - timedelta(days=30)).isoformat()), 422),
        ("date-far-future", _with(preferred_date="2999-01-01"), 422),
        ("date-not-a-date", _with(preferred_date=MARK), 422),
        ("script-in-name", _with(full_name=f"<script>{MARK}</script>"), 422),
        ("script-in-email", _with(email=f"<script>{MARK}</script>@x.org"), 422),
        ("sql-in-phone", _with(phone=f"1'; DROP TABLE {MARK}; --"), 422),
        ("consent-false", _with(consent=False), 422),
        ("duplicate-json-keys", {"raw": f'{{"full_name": "a", "full_name": "{MARK}"}}'}, 400),
        ("invalid-utf8", {"raw": b'{"full_name": "\xff\xfe' + MARK.encode() + b'"}'}, 400),
        ("empty-body", {"raw": ""}, 400),
        ("whitespace-body", {"raw": "   \n"}, 400),
        ("one-mib-body", {"raw": '{"reason": "' + MARK * 210_000 + '"}'}, 413),
        (
            "gzip-body",
            {
                "raw": gzip.compress(json.dumps(valid_fields()).encode()),
                "headers": {"Content-Encoding": "gzip"},
            },
            415,
        ),
        ("text-plain", {"body": valid_fields(), "content_type": "text/plain"}, 415),
        ("no-content-type", {"body": valid_fields(), "content_type": None}, 415),
        ("xml", {"raw": f"<a>{MARK}</a>", "content_type": "application/xml"}, 415),
        (
            "latin1-charset",
            {"body": valid_fields(), "content_type": "application/json; charset=latin-1"},
            415,
        ),
        ("get", {"method": "GET"}, 405),
        ("put", {"method": "PUT", "body": valid_fields()}, 405),
        ("delete", {"method": "DELETE"}, 405),
        ("json-array", {"raw": f'["{MARK}"]'}, 422),
        ("json-string", {"raw": f'"{MARK}"'}, 422),
        ("json-nan", {"raw": '{"consent": NaN}'}, 400),
        ("truncated-json", {"raw": f'{{"full_name": "{MARK}"'}, 400),
        ("deeply-nested", {"raw": "[" * 5000 + "]" * 5000}, 400),
        ("form-duplicate-keys", {"raw": f"full_name=a&full_name={MARK}", "form": True}, 400),
        ("form-invalid-percent-utf8", {"raw": "full_name=%ff%fe", "form": True}, 400),
        (
            "form-too-many-fields",
            {"raw": "&".join(f"f{i}=1" for i in range(50)), "form": True},
            400,
        ),
    ]
    return cases


CATALOGUE = _catalogue()


def test_the_catalogue_has_at_least_40_cases() -> None:
    assert len(CATALOGUE) >= 40


@pytest.mark.parametrize(("case", "request_", "status"), CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_hostile_request_gets_a_clear_4xx_stores_nothing_echoes_nothing(
    invoke: Invoke, aws: LocalStack, case: str, request_: dict[str, Any], status: int
) -> None:
    response = invoke(**request_)

    assert response["statusCode"] == status, response["body"][:300]
    assert MARK not in response["body"]
    assert "Traceback" not in response["body"]
    if str(header(response, "Content-Type")).startswith("application/json"):
        errors = json_body(response)["errors"]
        assert errors
        assert all(error["message"] for error in errors)
    assert all_items(aws) == []


def test_api_gateway_base64_flag_with_a_non_base64_body_is_400(aws: LocalStack) -> None:
    from submit_request import handler

    event = api_event(
        "POST",
        "/appointments",
        resource="/appointments",
        headers=via_cloudfront({"Content-Type": "application/json"}),
        body=f"not base64 {MARK}!",
    )
    event["isBase64Encoded"] = True
    response = handler.lambda_handler(event, LambdaContext("x"))
    assert response["statusCode"] == 400
    assert MARK not in response["body"]
    assert all_items(aws) == []


def test_base64_flag_with_binary_garbage_is_400(aws: LocalStack) -> None:
    from submit_request import handler

    event = api_event(
        "POST",
        "/appointments",
        resource="/appointments",
        headers=via_cloudfront({"Content-Type": "application/json"}),
        body=base64.b64encode(b"\x00\xff" + MARK.encode()).decode(),
    )
    event["isBase64Encoded"] = True
    assert handler.lambda_handler(event, LambdaContext("x"))["statusCode"] == 400
