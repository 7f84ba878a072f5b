"""The canary (functions/canary/handler.py) against the local stack over real HTTP: it sends its
test request through the site's URL, sees it stored and alerted, erases it, and counts a pass;
against a stack that refuses it, it counts a failure (CanaryFailedAlarm)."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest

from intake_common.runtime.events import LambdaContext
from tests.support.local_stack import Local

NAME = "intake-CanaryFunction"
ARN = LambdaContext(NAME).invoked_function_arn


def _canary(local: Local, monkeypatch: pytest.MonkeyPatch, site_url: str) -> Any:
    """The canary's handler, imported with the environment the template gives it on this stack
    (a cold start), its AWS calls going to the local stack's endpoints."""
    stack = local.stack
    for name, value in {
        "SITE_URL": site_url,
        "TABLE_NAME": stack["table"],
        "AUDIT_TABLE": stack["audit_table"],
        "CANARY_TIMEOUT_SECONDS": "60",
        "POWERTOOLS_SERVICE_NAME": "canary",
        "AWS_ENDPOINT_URL": local.health["aws_endpoint"],
        "AWS_ENDPOINT_URL_DYNAMODB": local.health["dynamodb_endpoint"],
    }.items():
        monkeypatch.setenv(name, value)
    import canary.handler
    from intake_common.runtime.observability import metrics

    # The template's Globals name the namespace; this process imported Powertools without it.
    monkeypatch.setattr(metrics.provider, "namespace", "ClinicIntake")
    return importlib.reload(canary.handler)


def _metrics(output: str) -> set[str]:
    names: set[str] = set()
    for line in output.splitlines():
        if '"_aws"' in line:
            blob = json.loads(line)
            names |= {m["Name"] for d in blob["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}
    return names


def test_the_canary_passes_on_a_working_stack_and_leaves_nothing(
    local: Local, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = _canary(local, monkeypatch, local.base_url)

    result = handler.lambda_handler({"source": "aws.scheduler"}, LambdaContext(NAME))

    assert result["ok"] is True, result
    assert "CanaryPassed" in _metrics(capsys.readouterr().out)
    # Its request is erased; the erase is audited under the canary's own identity.
    items = local.client("dynamodb").scan(TableName=local.stack["table"])["Items"]
    assert not [i for i in items if i["reference"]["S"] == result["reference"]]
    audit = local.client("dynamodb").scan(TableName=local.stack["audit_table"])["Items"]
    erased = [a for a in audit if a.get("reference", {}).get("S") == result["reference"]]
    assert [(a["by"]["S"], a["reason"]["S"]) for a in erased] == [(ARN, "canary")]


def test_the_canary_counts_a_failure_when_the_site_refuses_its_request(
    local: Local, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A site URL whose API answers 404 (as a broken CloudFront behaviour would)
    handler = _canary(local, monkeypatch, f"{local.base_url}/nowhere")

    result = handler.lambda_handler({"source": "aws.events"}, LambdaContext(NAME))

    assert result["ok"] is False
    emitted = _metrics(capsys.readouterr().out)
    assert "CanaryFailed" in emitted
    assert "CanaryPassed" not in emitted
