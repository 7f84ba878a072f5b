"""Where a cold start's imports go: ``python -X importtime`` over the handler and what its first
event imports (email-validator, phonenumbers), the least of several runs per module.

Usage: ``importtime.py MODULE [RUNS]``. Prints JSON: {module: cumulative ms} for the modules
that matter, largest first.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")
# What a reader can act on: our modules, the libraries we chose, and botocore's share.
WATCHED = (
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.event_handler.appsync",
    "aws_lambda_powertools.logging",
    "aws_lambda_powertools.metrics",
    "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools.utilities.parser",
    "pydantic",
    "botocore.session",
    "botocore.client",
    "boto3",
    "s3transfer",
    "email_validator",
    "phonenumbers",
    "intake_common.domain.models",
    "intake_common.domain.item",
    "intake_common.runtime.settings",
    "intake_common.aws.table",
    "submit_request.web",
    "notify_staff.render",
)


def main(module: str, runs: int) -> dict[str, float]:
    script = (
        "import os, sys; sys.path[:0] = [{functions!r}, {root!r}];"
        "from benchmarks.targets import prepare; prepare();"
        "import {module}, email_validator, phonenumbers"
    ).format(functions=str(ROOT / "functions"), root=str(ROOT), module=module)
    best: dict[str, float] = {}
    for _ in range(runs):
        stderr = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", script],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stderr
        for line in stderr.splitlines():
            found = LINE.match(line)
            if found and found.group(4) in WATCHED:
                ms = int(found.group(2)) / 1000
                name = found.group(4)
                best[name] = min(best.get(name, ms), ms)
    return dict(sorted(best.items(), key=lambda item: -item[1]))


if __name__ == "__main__":
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    print(json.dumps({k: round(v, 1) for k, v in main(sys.argv[1], runs).items()}))
