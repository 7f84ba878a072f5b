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
    "LIMITS_TABLE": "alert-limits",
    "TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:alerts",
    "STAFF_EMAILS": "frontdesk@clinic.example,nurse@clinic.example",
    "STAFF_PHONES": "+14155550101",
    "SENDER_EMAIL": "alerts@clinic.example",
    "POWERTOOLS_SERVICE_NAME": "bench",
    # The secret whose value CloudFront sends the API (the handlers refuse a request without
    # it); the fake Secrets Manager answers with fakes.ORIGIN_VALUE, once a minute.
    "ORIGIN_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-origin",
    "POWERTOOLS_METRICS_NAMESPACE": "Bench",
    "POWERTOOLS_TRACE_DISABLED": "true",
    # As template.yaml's Globals set it for the functions.
    "PYDANTIC_DISABLE_PLUGINS": "__all__",
}
TARGETS = ("submit", "submit-baseline", "submit-peer", "notify", "notify-baseline")


def prepare() -> None:
    os.environ.update(ENVIRONMENT)
    for path in (ROOT / "functions", ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))


def load(
    target: str, prime: bool = False
) -> tuple[Callable[..., Any], Callable[[], dict[str, Any]]]:
    """Import the target's handler (the cold-start work) with AWS answered by ``fake_aws``.

    With ``prime``, also run the SnapStart priming hooks, as Lambda does before a snapshot (our
    functions only). Returns the handler and a maker of fresh events.
    """
    from benchmarks import fakes

    fakes.fake_aws()
    submission_id = str(uuid.uuid4())
    fakes.STORED["item"] = fakes.stored_item(submission_id)
    modules = {
        "submit": "submit_request.handler",
        "submit-baseline": "benchmarks.baseline_submit",
        "submit-peer": "benchmarks.peer_submit",
        "notify": "notify_staff.handler",
        "notify-baseline": "benchmarks.baseline_notify",
    }
    module: Any = importlib.import_module(modules[target])
    if prime and target in {"submit", "notify"}:
        from intake_common.runtime import snapstart

        snapstart.prime()
        if snapstart.INCOMPLETE:
            # The first event would pay for what priming left: not what SnapStart gives.
            raise RuntimeError(f"priming incomplete (status {snapstart.INCOMPLETE})")
    if target.startswith("submit"):
        return module.lambda_handler, lambda: fakes.api_event(fakes.request_body())
    return module.lambda_handler, lambda: fakes.sqs_event(submission_id)


def quiet_logs() -> None:
    """Send the functions' log lines to a sink: they are written, as in Lambda, but not shown."""
    sys.stdout = io.StringIO() if os.environ.get("BENCH_KEEP_STDOUT") else open(os.devnull, "w")  # noqa: SIM115


def Context() -> Any:
    """The Lambda context the runtime would pass (the kit's, standard library only)."""
    from intake_common.runtime.events import LambdaContext

    return LambdaContext("bench")
