"""The functions' botocore clients: offline answers for priming, and no boto3 at run time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from botocore.config import Config

from intake_common.aws import clients

ROOT = Path(__file__).resolve().parents[2]


def test_offline_answers_locally_and_stops_at_the_end_of_the_block() -> None:
    client = clients.client("sns", Config(region_name="us-east-1"))
    sent: list[str] = []
    client.meta.events.register("before-send", lambda request, **_: sent.append(request.url))

    with clients.offline([client], {"Publish": {"MessageId": "local"}}):
        answer = client.publish(TopicArn="arn:aws:sns:us-east-1:123456789012:t", Message="m")

    assert answer["MessageId"] == "local"
    assert sent == []  # nothing left the process
    assert "intake-offline" not in str(client.meta.events._emitter._unique_id_handlers)


def test_the_functions_do_not_import_boto3() -> None:
    # boto3 imports s3transfer: a third of a bare cold start for nothing the functions use
    script = (
        "import sys; sys.path[:0] = [{f!r}, {r!r}];"
        "from benchmarks.targets import prepare; prepare();"
        "import submit_request.handler, notify_staff.handler, staff_api.handler;"
        "print('boto3' in sys.modules, 's3transfer' in sys.modules)"
    ).format(f=str(ROOT / "functions"), r=str(ROOT))
    # The staff API's settings beyond the benchmarks' (any valid names: nothing is called).
    env = {
        **os.environ,
        "AUDIT_TABLE": "audit",
        "ALERT_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/alerts",
        "DEAD_LETTER_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/dlq",
    }
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)

    assert result.stdout.split() == ["False", "False"], result.stderr
