"""Property-based tests (hypothesis) over the model and the handler."""

from __future__ import annotations

import json
import string
import uuid
from typing import Any
from urllib.parse import urlencode

import boto3
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from intake_common.domain import errors as error_catalogue
from intake_common.domain.item import RequestItem
from intake_common.domain.models import AppointmentRequest
from intake_common.runtime.events import LambdaContext, api_event
from intake_local.template import LocalStack
from submit_request import web
from tests.support.data import valid_fields
from tests.support.handlers import via_cloudfront
from tests.support.stack import REGION

FORM = "application/x-www-form-urlencoded"
FORM_PATH = "/#request"  # the settings' default: where the pages link back to

# Words our own answers may contain: a generated value that happens to be one of them is not
# an echo. That includes the no-JavaScript pages' own markup: hypothesis also draws strings
# from the constants in our code, and found "styl" (of "stylesheet") that way.
OWN_WORDS = " ".join(
    [
        web.errors_page([], FORM_PATH),
        web.problem_page("", FORM_PATH),
        *error_catalogue.FIELD_LABELS,
        *error_catalogue.FIELD_LABELS.values(),
        *(code for _, code in error_catalogue._MESSAGES),
        *error_catalogue._MESSAGES.values(),
        *error_catalogue._GENERIC,
        *error_catalogue._GENERIC.values(),
        "errors field code message body received reference id status",
    ]
)

any_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=5,
)
names = st.text(alphabet=string.ascii_letters + " '-.,ÁéñÖ李", min_size=1, max_size=110)
phones = st.sampled_from(["(415) 555-2671", "+44 20 7946 0958", "555-0000", "12", ""]) | st.text(
    alphabet="0123456789 +-().", max_size=20
)


def _field(valid: Any, wild: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.just(valid), wild)


@st.composite
def requests_(draw: st.DrawFn) -> dict[str, Any]:
    base = valid_fields()
    body = {
        "submission_id": draw(_field(base["submission_id"], st.uuids().map(str) | any_json)),
        "full_name": draw(_field(base["full_name"], names | any_json)),
        "email": draw(_field(base["email"], st.emails().map(str) | any_json)),
        "phone": draw(_field(base["phone"], phones | any_json)),
        "preferred_contact": draw(
            _field("phone", st.sampled_from(["email", "text", "fax"]) | any_json)
        ),
        "sms_consent": draw(_field(False, st.booleans() | any_json)),
        "visit_type": draw(_field("new", st.sampled_from(["returning", "x"]) | any_json)),
        "preferred_time": draw(_field("any", st.sampled_from(["morning", "noon"]) | any_json)),
        "reason": draw(_field(base["reason"], st.text(max_size=1100) | any_json)),
        "consent": draw(_field(True, any_json)),
        "consent_version": draw(_field("2026-11", st.text(max_size=40) | any_json)),
        "website": draw(_field("", st.text(max_size=20))),
    }
    drop = draw(st.sets(st.sampled_from(sorted(body)), max_size=3))
    extra = draw(st.dictionaries(st.sampled_from(["id", "status", "x"]), any_json, max_size=1))
    return {**{k: v for k, v in body.items() if k not in drop}, **extra}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _echoed(body: str, request: dict[str, Any]) -> list[str]:
    return [
        s
        for s in _strings(request)
        if len(s.strip()) >= 4 and (s in body or json.dumps(s)[1:-1] in body) and s not in OWN_WORDS
    ]


@settings(max_examples=400, deadline=None)
@given(request=requests_())
def test_model_either_validates_or_names_fields_without_values(request: dict[str, Any]) -> None:
    try:
        AppointmentRequest.model_validate(request)
    except ValidationError as exc:
        found = error_catalogue.field_errors(exc.errors(include_input=False))
        assert found
        text = json.dumps(found, ensure_ascii=False)
        assert not _echoed(text, request)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(request=requests_(), form=st.booleans())
# A refused form post whose reason is a word of the error page's own markup: not an echo.
@example(request={**valid_fields(), "consent": False, "reason": "stylesheet"}, form=True)
def test_handler_never_5xx_stores_valid_items_and_echoes_nothing(
    aws: LocalStack, request: dict[str, Any], form: bool
) -> None:
    # Called directly, not through `invoke`: random short values would trip the leak guard
    # by coincidence (a "2026" in a timestamp). Echoes are checked here instead.
    from submit_request import handler

    if form:
        # A form carries strings only; what cannot be one is dropped, as a browser would.
        request = {k: v for k, v in request.items() if isinstance(v, str)}
    event = api_event(
        "POST",
        "/appointments",
        resource="/appointments",
        headers=via_cloudfront({"Content-Type": FORM if form else "application/json"}),
        body=urlencode(request) if form else json.dumps(request),
    )
    response = handler.lambda_handler(event, LambdaContext("submit_request"))

    assert response["statusCode"] < 500, response["body"][:300]
    # Only answers about the request itself: a 403 would mean it never reached validation.
    assert response["statusCode"] in {201, 303, 400, 409, 413, 415, 422}, response["body"][:300]
    if response["statusCode"] in {201, 303}:
        table = boto3.resource("dynamodb", region_name=REGION).Table(aws.physical["RequestsTable"])
        if response["statusCode"] == 201:
            key = json.loads(response["body"])["id"]
        else:
            key = str(
                next(
                    item["submission_id"]
                    for item in table.scan()["Items"]
                    if response["headers"].get("Location", "").endswith(item["reference"])
                    or any(
                        item["reference"] in v
                        for v in response.get("multiValueHeaders", {}).get("Location", [])
                    )
                )
            )
        uuid.UUID(key)
        item = table.get_item(Key={"submission_id": key})["Item"]
        RequestItem.model_validate(item)
    else:
        assert not _echoed(response["body"], request)
