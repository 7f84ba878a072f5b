"""The config_digest custom resource answers CloudFormation over HTTP, as CloudFormation waits
for it: one PUT of a JSON body to the pre-signed URL, success or failure."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from config_digest import handler


@pytest.fixture
def cloudformation() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A stand-in for the pre-signed S3 URL CloudFormation reads the answer from."""
    received: list[dict[str, Any]] = []

    class _Url(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            length = int(self.headers["Content-Length"])
            received.append(
                {
                    "content_type": self.headers["Content-Type"],
                    **json.loads(self.rfile.read(length)),
                }
            )
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), _Url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/response", received
    finally:
        server.shutdown()
        server.server_close()


def _event(url: str, kind: str = "Create") -> dict[str, Any]:
    return {
        "RequestType": kind,
        "ResponseURL": url,
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/s/id",
        "RequestId": "r1",
        "LogicalResourceId": "ConfigDigest",
        "ResourceProperties": {"Values": {"StaffEmails": "a@clinic.example"}},
    }


def test_a_create_puts_the_digest_to_cloudformations_url(
    cloudformation: tuple[str, list[dict[str, Any]]],
) -> None:
    url, received = cloudformation

    handler.lambda_handler(_event(url), None)

    (answer,) = received
    assert answer["Status"] == "SUCCESS"
    assert answer["Data"] == {"Digest": handler.digest({"StaffEmails": "a@clinic.example"})}
    assert answer["content_type"] == ""  # as cfn-response sends it (the URL is signed without)


def test_a_request_that_cannot_be_answered_is_failed_never_left_waiting(
    cloudformation: tuple[str, list[dict[str, Any]]],
) -> None:
    url, received = cloudformation
    broken = {k: v for k, v in _event(url).items() if k != "StackId"}

    handler.lambda_handler(broken, None)

    (answer,) = received
    assert answer["Status"] == "FAILED"
    assert answer["Reason"] == "config digest failed: KeyError"
