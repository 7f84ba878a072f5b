"""`make bench`'s pieces still run against the code as it is (they import the handlers, build
real clients and call them through the benchmarks' offline answers): a benchmark that rots
silently measures nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> dict[str, float]:
    # The environment `make bench` runs in: not this session's (which holds the test stack's
    # function settings, an origin secret among them).
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    result = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=ROOT, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr[-2000:]
    loaded: dict[str, float] = json.loads(result.stdout)
    return loaded


@pytest.mark.parametrize(
    "target",
    ["submit", "submit prime", "submit-baseline", "submit-peer", "notify", "notify prime"],
)
def test_a_cold_start_of_each_target_serves_its_first_events(target: str) -> None:
    figures = _run("benchmarks/coldstart.py", *target.split())

    assert figures["init_ms"] > 0
    assert figures["first_event_ms"] > 0
    assert figures["second_event_ms"] > 0


def test_priming_takes_the_first_events_work_into_init() -> None:
    # Not a timing target (the machine is noisy): the primed first event does no imports, so
    # it is a fraction of the unprimed one, whatever the machine's speed.
    plain = _run("benchmarks/coldstart.py", "submit")
    primed = _run("benchmarks/coldstart.py", "submit", "prime")

    assert primed["first_event_ms"] < plain["first_event_ms"] / 5


def test_warm_runs_report_percentiles() -> None:
    figures = _run("benchmarks/warm.py", "notify", "20")

    assert figures["count"] == 20
    assert 0 < figures["p50_us"] <= figures["p99_us"]


def test_import_times_name_the_libraries() -> None:
    figures = _run("benchmarks/importtime.py", "submit_request.handler", "1")

    assert {"pydantic", "email_validator", "phonenumbers"} <= set(figures)
    assert "boto3" not in figures
