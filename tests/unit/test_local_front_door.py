"""The local stack's front door: only its own host names, safe log lines, CloudFront's
headers (never the viewer's), and the site as publish-site would render it."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import Client

from intake_local.front_door import FrontDoor, json_answer
from intake_local.template import LocalStack, load_template


class _Functions:
    """Records the events the front door hands to a function."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def invoke(self, name: str, event: dict[str, Any]) -> dict[str, Any]:
        self.events.append(event)
        return {"statusCode": 201, "headers": {"Content-Type": "application/json"}, "body": "{}"}


@pytest.fixture
def door() -> tuple[Client, _Functions]:
    stack = LocalStack(
        load_template(), "front-door", "us-east-1", parameters={"RetentionDays": "90"}
    )
    functions = _Functions()
    front = FrontDoor(
        stack,
        functions,
        lambda path, method: json_answer(200, {"path": path}),
        origin_header=lambda: "the-secret",
    )
    front.listen_on("127.0.0.1", 8000)
    return Client(front), functions


def test_another_host_name_is_refused_so_dns_rebinding_cannot_read_the_outbox(
    door: tuple[Client, _Functions],
) -> None:
    client, _ = door
    assert client.get("/_local/outbox", headers={"Host": "evil.example:8000"}).status_code == 421
    assert client.get("/_local/outbox", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/_local/outbox", headers={"Host": "localhost:8000"}).status_code == 200


def test_the_request_path_is_escaped_in_the_log(
    door: tuple[Client, _Functions], capsys: pytest.CaptureFixture[str]
) -> None:
    client, _ = door
    client.get("/x%0AGET%20/forged%20200%201ms", headers={"Host": "127.0.0.1:8000"})

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("GET /x%0AGET%20/forged")


def test_the_api_gets_cloudfronts_headers_never_the_viewers(
    door: tuple[Client, _Functions],
) -> None:
    client, functions = door
    client.post(
        "/api/appointments",
        data="{}",
        headers={
            "Host": "127.0.0.1:8000",
            "Content-Type": "application/json",
            "X-Origin-Verify": "guessed",
            "X-Viewer-Ip": "6.6.6.6",
            "X-Forwarded-Host": "evil.example",
        },
        environ_base={"REMOTE_ADDR": "127.0.0.9"},
    )

    (event,) = functions.events
    assert event["path"] == "/appointments"
    assert event["headers"]["X-Origin-Verify"] == "the-secret"
    assert event["headers"]["X-Viewer-Ip"] == "127.0.0.9"
    assert event["headers"]["X-Forwarded-Host"] == "127.0.0.1:8000"


def test_the_privacy_notice_is_served_with_the_stacks_retention(
    door: tuple[Client, _Functions],
) -> None:
    client, _ = door
    page = client.get("/privacy.html", headers={"Host": "127.0.0.1:8000"}).get_data(as_text=True)
    assert '<span data-stack="RetentionDays">90</span>' in page
    config = client.get("/assets/config.json", headers={"Host": "127.0.0.1:8000"}).get_json()
    assert config == {"turnstile_site_key": ""}


def test_the_language_alternates_get_the_sites_full_address_when_it_is_known() -> None:
    from pathlib import Path

    from intake_local.site import render

    page = (Path(__file__).resolve().parents[2] / "site" / "es" / "privacy.html").read_bytes()
    published = render("es/privacy.html", page, {"SiteUrl": "https://d1.cloudfront.net/"}).decode()
    assert (
        '<link rel="alternate" hreflang="es" href="https://d1.cloudfront.net/es/privacy.html">'
        in (published)
    )
    assert 'hreflang="x-default" href="https://d1.cloudfront.net/privacy.html">' in published
    assert 'class="lang-switch" href="/privacy.html"' in published  # links stay relative
    assert 'hreflang="es" href="/es/privacy.html"' in render("es/privacy.html", page, {}).decode()
