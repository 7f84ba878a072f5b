"""A small load test with reconciliation, and schemathesis, against the local stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scripts.load_test import reconcile, report, run
from tests.support.local_stack import Local

ROOT = Path(__file__).resolve().parents[2]


def test_small_load_loses_nothing_duplicates_nothing_stores_no_invalid(local: Local) -> None:
    import time

    started = time.perf_counter()
    results = run(
        local.base_url, total=200, concurrency=10, duplicate_share=0.15, invalid_share=0.1
    )
    summary = report(results, time.perf_counter() - started)

    kinds = {r.kind for r in results}
    assert kinds == {"valid", "duplicate", "invalid"}
    assert summary["requests"] == 200
    outcome = reconcile(local.base_url, results, emails_each=2, sms_each=1, timeout=60)
    assert outcome["problem_count"] == 0, outcome["problems"]
    assert outcome["accepted"] == sum(r.kind == "valid" for r in results)


def test_schemathesis_finds_no_server_error_and_no_accepted_negative_data(local: Local) -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "run",
            str(ROOT / "docs" / "openapi.json"),
            "--url",
            f"{local.base_url}/api",
            "--checks",
            "not_a_server_error,negative_data_rejection",
            "--max-examples",
            "60",
            "--seed",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    assert "passed" in completed.stdout
