"""What each benchmark target imports, and how its AWS clients are replaced by fakes."""

from __future__ import annotations

import importlib
import io
import os
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "TABLE_NAME": "requests",
    "TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:alerts",
    "STAFF_EMAILS": "frontdesk@clinic.example,nurse@clinic.example",
    "STAFF_PHONES": "+14155550101",
    "SENDER_EMAIL": "alerts@clinic.example",
    "POWERTOOLS_SERVICE_NAME": "bench",
    "POWERTOOLS_METRICS_NAMESPACE": "Bench",
    "POWERTOOLS_TRACE_DISABLED": "true",
}
TARGETS = ("submit", "submit-baseline", "notify", "notify-baseline")


def prepare() -> None:
    os.environ.update(ENVIRONMENT)
    for path in (ROOT / "functions", ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))


def load(target: str) -> tuple[Callable[..., Any], Callable[[], dict[str, Any]]]:
    """Import the target's handler (the cold-start work) and give it fakes.

    Returns the handler and a maker of fresh events.
    """
    from benchmarks import fakes

    if target == "submit":
        module: Any = importlib.import_module("submit_request.handler")
        from intake_common.table import DynamoRequestStore
        from submit_request.adapters import SnsAlertPublisher
        from submit_request.ports import Dependencies

        # The real adapters, on clients that answer at once (no AWS latency is measured).
        deps = Dependencies(
            store=DynamoRequestStore("requests", fakes.FakeDynamoDB()),  # type: ignore[arg-type]
            publisher=SnsAlertPublisher(ENVIRONMENT["TOPIC_ARN"], fakes.FakeSNS()),  # type: ignore[arg-type]
        )
        module.app.dependency_overrides[module.dependencies] = lambda: deps
        return module.lambda_handler, lambda: fakes.api_event(fakes.request_body())
    if target == "submit-baseline":
        module = importlib.import_module("benchmarks.baseline_submit")
        module.dynamodb = fakes.FakeDynamoDB()
        module.sns = fakes.FakeSNS()
        return module.lambda_handler, lambda: fakes.api_event(fakes.request_body())
    submission_id = str(uuid.uuid4())
    item = fakes.stored_item(submission_id)
    if target == "notify":
        module = importlib.import_module("notify_staff.handler")
        from intake_common.table import DynamoAlertBudget, DynamoRequestStore
        from notify_staff.adapters import SesMailer, SnsTexter
        from notify_staff.ports import Dependencies as NotifyDependencies

        notify_deps = NotifyDependencies(
            store=DynamoRequestStore("requests", fakes.FakeDynamoDB(item)),  # type: ignore[arg-type]
            budget=DynamoAlertBudget("alert-limits", fakes.FakeDynamoDB()),  # type: ignore[arg-type]
            mailer=SesMailer(ENVIRONMENT["SENDER_EMAIL"], fakes.FakeSES()),  # type: ignore[arg-type]
            texter=SnsTexter(fakes.FakeSNS()),  # type: ignore[arg-type]
        )
        module.dependencies = lambda: notify_deps
        return module.lambda_handler, lambda: fakes.sqs_event(submission_id)
    if target == "notify-baseline":
        module = importlib.import_module("benchmarks.baseline_notify")
        module.dynamodb = fakes.FakeDynamoDB(item)
        module.ses = fakes.FakeSES()
        module.sns = fakes.FakeSNS()
        return module.lambda_handler, lambda: fakes.sqs_event(submission_id)
    raise ValueError(target)


def quiet_logs() -> None:
    """Send the functions' log lines to a sink: they are written, as in Lambda, but not shown."""
    sys.stdout = io.StringIO() if os.environ.get("BENCH_KEEP_STDOUT") else open(os.devnull, "w")  # noqa: SIM115


class Context:
    function_name = "bench"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "bench"
    function_version = "$LATEST"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000
