"""What an attacker tried (issue 13), each reproduced: refused now, nothing stored or alerted."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs

import pytest

from intake_local.template import LocalStack
from submit_request.adapters import TurnstileVerifier
from tests.support import swap
from tests.support.aws import all_items, header, json_body, receive
from tests.support.data import valid_fields
from tests.support.handlers import Invoke

EVIL = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
OUR_HOST = "d111111abcdef8.cloudfront.net"


def _form(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if k != "submission_id"}


def test_a_form_post_from_another_site_is_refused_and_stores_nothing(
    invoke: Invoke, aws: LocalStack
) -> None:
    # A page elsewhere makes its visitor's browser post our form (it was accepted before)
    response = invoke(_form(valid_fields()), form=True, headers=dict(EVIL))

    assert response["statusCode"] == 403
    assert "the clinic" in response["body"]
    assert (header(response, "Content-Type") or "").startswith("text/html")
    assert all_items(aws) == []
    assert receive(aws) == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},  # an older browser: Origin only
        {"Origin": "null"},  # a sandboxed frame or a file
        {"Sec-Fetch-Site": "same-site"},  # another host of the same site
    ],
)
def test_other_cross_site_signals_are_refused_too(
    invoke: Invoke, aws: LocalStack, headers: dict[str, str]
) -> None:
    assert (
        invoke(valid_fields(), headers={"X-Forwarded-Host": OUR_HOST, **headers})["statusCode"]
        == 403
    )
    assert all_items(aws) == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": f"https://{OUR_HOST}"},
        {"Origin": f"https://{OUR_HOST}"},  # an older browser on our page
        {"Sec-Fetch-Site": "none"},  # typed or bookmarked: not a cross-site post
        {},  # no browser at all (a script, intake smoke)
        {"Origin": "http://localhost:5173", "Sec-Fetch-Site": "cross-site"},  # a dev origin
    ],
)
def test_posts_from_the_clinics_own_page_still_work(
    invoke: Invoke, aws: LocalStack, headers: dict[str, str]
) -> None:
    form = invoke(
        _form(valid_fields()), form=True, headers={"X-Forwarded-Host": OUR_HOST, **headers}
    )
    assert form["statusCode"] == 303  # the no-JavaScript path keeps working
    assert len(all_items(aws)) == 1


def test_the_execute_api_url_called_directly_is_refused(invoke: Invoke, aws: LocalStack) -> None:
    # Without CloudFront's origin header (its WAF rule and headers skipped)
    for origin_header in ({}, {"X-Origin-Verify": "guessed"}):
        response = invoke(valid_fields(), headers=origin_header, through_cloudfront=False)
        assert response["statusCode"] == 403
    assert all_items(aws) == []


def test_an_integer_too_long_for_python_is_a_400_not_a_500(invoke: Invoke, aws: LocalStack) -> None:
    raw = json.dumps(valid_fields()).replace('"consent": true', '"consent": ' + "9" * 5000)

    response = invoke(raw=raw)

    assert response["statusCode"] == 400
    assert json_body(response)["errors"][0]["code"] == "invalid_json"
    assert all_items(aws) == []


@pytest.mark.parametrize(
    "name",
    [
        "\u3164",  # a Hangul filler: renders blank in the staff tools
        "Ana \u3164",
        "\u0410n\u0430",  # Cyrillic А and а around a Latin n: looks like "Ana"
        "Ana" + "\u0301" * 6,  # a stack of combining marks
    ],
)
def test_names_that_render_blank_or_as_look_alikes_are_refused(
    invoke: Invoke, aws: LocalStack, name: str
) -> None:
    response = invoke(valid_fields(full_name=name))

    assert response["statusCode"] == 422
    assert json_body(response)["errors"][0] == {
        "field": "full_name",
        "code": "name_characters",
        "message": "Please use only letters, spaces and the characters ' - . , in your name.",
    }


def test_a_premium_rate_number_is_refused(invoke: Invoke, aws: LocalStack) -> None:
    # A call back to +1 900 costs the clinic by the minute
    response = invoke(valid_fields(phone="+1 900 555 0123"))

    assert response["statusCode"] == 422
    assert json_body(response)["errors"][0]["code"] == "phone_invalid"


# --- The optional human check (Cloudflare Turnstile), against a local fake of siteverify ---
SITE = "d111111abcdef8.cloudfront.net"  # what CloudFront's function writes in x-forwarded-host
THROUGH_THE_SITE = {"X-Forwarded-Host": SITE}


class _Siteverify(BaseHTTPRequestHandler):
    """Cloudflare's siteverify, as documented: form fields in, {"success": ...} out."""

    seen: ClassVar[list[dict[str, list[str]]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        fields = parse_qs(self.rfile.read(length).decode())
        type(self).seen.append(fields)
        token = fields.get("response", [""])[0]
        ok = fields.get("secret") == ["turnstile-secret"] and token.startswith("pass")
        # What Cloudflare says of a passed challenge: where, for which action, when. The fake
        # takes each from the token's name, so a test can send one a page elsewhere solved.
        age = 600 if token.endswith("-stale") else 5
        verdict = {
            "success": ok,
            "error-codes": [] if ok else ["invalid-input-response"],
            "hostname": "evil.example" if token.endswith("-elsewhere") else SITE,
            "action": "login" if token.endswith("-other-action") else "appointment",
            "challenge_ts": (datetime.now(UTC) - timedelta(seconds=age)).isoformat(),
        }
        body = json.dumps(verdict)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *_: Any) -> None:
        return


@pytest.fixture
def siteverify() -> Iterator[str]:
    _Siteverify.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Siteverify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/turnstile/v0/siteverify"
    server.shutdown()
    server.server_close()


@pytest.fixture
def human_check(siteverify: str) -> Iterator[None]:
    from submit_request import handler

    with swap.dependencies(handler, human_check=TurnstileVerifier(siteverify, "turnstile-secret")):
        yield


@pytest.mark.usefixtures("human_check")
def test_with_the_check_on_a_passing_token_is_stored_once_and_verified_by_id(
    invoke: Invoke, aws: LocalStack
) -> None:
    fields = valid_fields()

    first = invoke({**fields, "cf-turnstile-response": "pass-token"}, headers=THROUGH_THE_SITE)
    again = invoke({**fields, "cf-turnstile-response": "pass-token"}, headers=THROUGH_THE_SITE)

    assert first["statusCode"] == again["statusCode"] == 201
    assert len(all_items(aws)) == 1
    # The same idempotency key lets Cloudflare verify the same token twice; no IP is sent
    assert {s["idempotency_key"][0] for s in _Siteverify.seen} == {fields["submission_id"]}
    assert all("remoteip" not in s for s in _Siteverify.seen)


@pytest.mark.usefixtures("human_check")
@pytest.mark.parametrize(
    "token",
    [
        None,
        "fail-token",
        "pass-token-elsewhere",  # solved on another site's page (a token farm)
        "pass-token-other-action",  # solved for another form
        "pass-token-stale",  # solved ten minutes ago
    ],
)
def test_with_the_check_on_a_missing_or_failing_token_is_a_clear_422(
    invoke: Invoke, aws: LocalStack, token: str | None
) -> None:
    fields = valid_fields()
    if token:
        fields["cf-turnstile-response"] = token

    response = invoke(fields, headers=THROUGH_THE_SITE)
    page = invoke(_form(fields), form=True, headers=THROUGH_THE_SITE)

    assert response["statusCode"] == 422
    (error,) = json_body(response)["errors"]
    assert (error["field"], error["code"]) == ("human_check", "human_check_failed")
    assert "a person" in error["message"]
    assert page["statusCode"] == 422
    assert "Human check" in page["body"]
    assert all_items(aws) == []


def test_when_the_check_cannot_be_verified_nothing_is_stored_and_retry_is_safe(
    invoke: Invoke, aws: LocalStack
) -> None:
    from submit_request import handler

    down = TurnstileVerifier("http://127.0.0.1:9/turnstile/v0/siteverify", "turnstile-secret", 1)
    with swap.dependencies(handler, human_check=down):
        response = invoke({**valid_fields(), "cf-turnstile-response": "pass-token"})

    assert response["statusCode"] == 503
    assert response["multiValueHeaders"]["Retry-After"] == ["5"]
    assert all_items(aws) == []


def test_with_the_check_off_a_token_is_ignored(invoke: Invoke, aws: LocalStack) -> None:
    assert invoke({**valid_fields(), "cf-turnstile-response": "anything"})["statusCode"] == 201
