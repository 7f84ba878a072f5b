"""The config_digest custom resource: a stable digest, and CloudFormation's protocol."""

from __future__ import annotations

from typing import Any

from config_digest.handler import answer, digest


def _event(kind: str, values: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "RequestType": kind,
        "ResponseURL": "https://cloudformation-custom-resource-response.example/x",
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/s/id",
        "RequestId": "r1",
        "LogicalResourceId": "ConfigDigest",
        "ResourceProperties": {"ServiceToken": "arn", "Values": values or {}},
    }


def test_the_same_values_in_any_order_give_the_same_digest_and_any_change_another() -> None:
    assert digest({"a": "1", "b": "2"}) == digest({"b": "2", "a": "1"})
    assert digest({"a": "1", "b": "2"}) != digest({"a": "1", "b": "3"})
    assert len(digest({})) == 64


def test_create_and_update_answer_the_digest_and_no_value() -> None:
    for kind in ("Create", "Update"):
        body = answer(_event(kind, {"TurnstileSecretKey": "s3cret", "StaffEmails": "a@b.c"}))
        assert body["Status"] == "SUCCESS"
        assert body["Data"] == {
            "Digest": digest({"StaffEmails": "a@b.c", "TurnstileSecretKey": "s3cret"})
        }
        assert body["PhysicalResourceId"] == "config-digest"  # an update never replaces it
        assert "s3cret" not in str(body)
        assert body["NoEcho"] is True


def test_delete_answers_success_without_data() -> None:
    body = answer({**_event("Delete"), "PhysicalResourceId": "config-digest"})
    assert body["Status"] == "SUCCESS"
    assert "Data" not in body
