"""``make bench``: every benchmark in one process tree, one table, ``bench-results.json``.

Each figure is compared, in the same run, with a baseline: these machines are noisy, so the
medians and ratios are what to read. ``BENCH_QUICK=1`` runs a few iterations (CI).
"""

from __future__ import annotations

import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
QUICK = os.environ.get("BENCH_QUICK") == "1"
COLD_RUNS = 2 if QUICK else 9
# Events per warm run; the peer builds a boto3 resource per event (8 ms), so it gets fewer.
WARM_EVENTS = {"submit": 10_000, "submit-baseline": 10_000, "submit-peer": 2_000}
WARM_EVENTS |= {"notify": 5_000, "notify-baseline": 5_000}
if QUICK:
    WARM_EVENTS = dict.fromkeys(WARM_EVENTS, 300)
E2E_LEVELS = (1, 10) if QUICK else (1, 10, 50)
E2E_REQUESTS = {1: 10, 10: 30} if QUICK else {1: 60, 10: 150, 50: 200}

# us-east-1 list prices (USD) used for the cost estimate; check the AWS pricing pages.
PRICES = {
    "lambda_gb_second_arm64": 0.0000133334,
    "lambda_request": 0.20 / 1_000_000,
    "api_gateway_rest_request": 3.50 / 1_000_000,
    "dynamodb_write_request_unit": 0.625 / 1_000_000,
    "dynamodb_read_request_unit": 0.125 / 1_000_000,
    "sns_publish": 0.50 / 1_000_000,
    "sqs_request": 0.40 / 1_000_000,
    "ses_email": 0.10 / 1000,
    "sms_us_transactional": 0.00581 + 0.00302,  # SNS price + typical US carrier fee
}
# AWS API latency the functions wait for in AWS (not present with the in-memory fakes):
# typical in-region figures, stated so the estimate can be checked.
AWS_CALL_MS = {"dynamodb": 6.0, "sns": 12.0, "ses": 25.0}


def _json_run(args: list[str]) -> dict[str, Any]:
    output = subprocess.run(
        [PY, *args], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    result: dict[str, Any] = json.loads(output)
    return result


# What is timed cold: (row name, target, with SnapStart priming). The baselines and the peer
# have no priming: they are what a function without it costs.
COLD = (
    ("submit_request", "submit", False),
    ("submit_request primed", "submit", True),
    ("bare submit baseline", "submit-baseline", False),
    ("peer (aws-samples)", "submit-peer", False),
    ("notify_staff", "notify", False),
    ("notify_staff primed", "notify", True),
    ("bare notify baseline", "notify-baseline", False),
)
BASELINE = {"submit": "bare submit baseline", "notify": "bare notify baseline"}
BASELINE |= {"submit-peer": "bare submit baseline"}


def cold_starts() -> dict[str, Any]:
    """Init (imports, and priming where it applies), the first event and the second, per
    fresh process, interleaved so that machine noise hits every row alike."""
    samples: dict[str, list[dict[str, Any]]] = {}
    for _ in range(COLD_RUNS):
        for name, target, prime in COLD:
            args = ["benchmarks/coldstart.py", target, *(["prime"] if prime else [])]
            samples.setdefault(name, []).append(_json_run(args))

    def median(name: str, key: str) -> float:
        return float(statistics.median(s[key] for s in samples[name]))

    result: dict[str, Any] = {}
    for name, target, _ in COLD:
        result[name] = {
            "target": target,
            "runs": COLD_RUNS,
            "init_ms": round(median(name, "init_ms"), 1),
            "first_event_ms": round(median(name, "first_event_ms"), 2),
            "second_event_ms": round(median(name, "second_event_ms"), 2),
            "init_and_first_event_ms": round(median(name, "total_ms"), 1),
            "peak_rss_mib": round(median(name, "max_rss_kib") / 1024, 1),
        }
    for name, row in result.items():
        function = row["target"] if row["target"] in BASELINE else None
        base = result[BASELINE[function]] if function else None
        if base is not None and not name.startswith("bare"):
            row["time_ratio"] = round(
                row["init_and_first_event_ms"] / base["init_and_first_event_ms"], 2
            )
            row["rss_ratio"] = round(row["peak_rss_mib"] / base["peak_rss_mib"], 2)
    return result


def warm() -> dict[str, Any]:
    """Per-event time over many events in one process (after 200 to warm up)."""
    result = {}
    for target, events in WARM_EVENTS.items():
        run = _json_run(["benchmarks/warm.py", target, str(events)])
        result[target] = {
            "events": events,
            "p50_ms": round(run["p50_us"] / 1000, 3),
            "p99_ms": round(run["p99_us"] / 1000, 3),
        }
    for target, row in result.items():
        base = "submit-baseline" if target.startswith("submit") else "notify-baseline"
        if target != base:
            row["p50_ratio_to_bare"] = round(row["p50_ms"] / result[base]["p50_ms"], 1)
    return result


def first_event_ratios(cold: dict[str, Any], warm_result: dict[str, Any]) -> dict[str, Any]:
    """The SnapStart target: the first event after init within 1.5x the warm p50."""
    ratios = {}
    for name, target, _ in COLD:
        if target in {"submit", "notify"}:
            ratios[name] = round(cold[name]["first_event_ms"] / warm_result[target]["p50_ms"], 2)
    return ratios


def package_sizes() -> dict[str, Any]:
    build = ROOT / ".aws-sam" / "build"
    if not build.is_dir():
        return {"note": "no .aws-sam/build: run `make build` first (CI builds before benching)"}
    sizes = {}
    for function in sorted(build.glob("*Function")):
        files = [p for p in function.rglob("*") if p.is_file()]
        sizes[function.name] = {
            "unzipped_mib": round(sum(p.stat().st_size for p in files) / 1024 / 1024, 2),
            "files": len(files),
            "boto3_bundled": (function / "boto3").exists() or (function / "botocore").exists(),
        }
    return sizes


def _start_local() -> tuple[subprocess.Popen[bytes], str]:
    from scripts.load_test import start_local

    return start_local()


def end_to_end() -> dict[str, Any]:
    """POST to 201, and POST to the staff alert, through the local stack.

    The alert time is the item's ``alerted_at`` (stamped by notify_staff when every alert was
    sent, in milliseconds) minus the moment the client started the POST, both wall clock on
    this machine. It is read from the table after each level: no polling while the requests
    run, so the measurement does not slow what it measures.
    """
    from intake_cli.target import local_session
    from scripts.load_test import local_health, percentile, run

    process, url = _start_local()
    health = local_health(url)
    ddb = local_session().client("dynamodb", endpoint_url=health["dynamodb_endpoint"])
    results: dict[str, Any] = {}
    try:
        for clients in E2E_LEVELS:
            started = time.perf_counter()
            answers = run(url, E2E_REQUESTS[clients], clients, duplicate_share=0, invalid_share=0)
            elapsed = time.perf_counter() - started
            sent = {a.submission_id: a.sent_at for a in answers if a.status == 201}
            alert_ms = _alert_times(ddb, health["stack"]["table"], sent)
            latency = [a.seconds * 1000 for a in answers]
            results[str(clients)] = {
                "requests": len(answers),
                "requests_per_second": round(len(answers) / elapsed, 1),
                "post_p50_ms": round(percentile(latency, 0.5), 1),
                "post_p99_ms": round(percentile(latency, 0.99), 1),
                "alerted": len(alert_ms),
                "post_to_alert_p50_ms": round(percentile(alert_ms, 0.5), 1),
                "post_to_alert_p99_ms": round(percentile(alert_ms, 0.99), 1),
            }
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    return results


STAFF_REQUESTS = 1_000 if QUICK else 10_000


def staff_lists() -> dict[str, Any]:
    """The inbox's first page and a whole export over ``STAFF_REQUESTS`` stored requests,
    through the staff operations and their DynamoDB adapters on the local stack's tables (the
    same code the staff API runs; the HTTP hop is measured by the e2e rows). The local stack
    runs on dynalite here: moto's Query reads every item of the table for each page, which
    times moto, not the code (an export of 10,000 did not finish in 8 minutes)."""
    from datetime import UTC, datetime, timedelta

    from intake_cli.requests_commands import dependencies
    from intake_cli.target import from_local
    from intake_common.aws.table import to_attributes
    from intake_common.domain.audit import Actor
    from intake_common.domain.item import RequestItem
    from intake_common.domain.models import AppointmentRequest
    from intake_common.services import staff

    os.environ["INTAKE_DYNAMODB"] = "dynalite"
    try:
        process, url = _start_local()
    finally:
        del os.environ["INTAKE_DYNAMODB"]
    try:
        where = from_local(url, "clinic-intake/bench")
        deps = dependencies(where)
        client = where.client("dynamodb")
        now = datetime.now(UTC)
        started = time.perf_counter()
        base = {
            "full_name": "Bench Person",
            "email": "bench@example.org",
            "phone": "+14155552671",
            "preferred_contact": "phone",
            "visit_type": "new",
            "reason": "Anxiety most days.",
            "consent": True,
            "consent_version": "2026-11",
        }
        request = AppointmentRequest.model_validate(base)
        import uuid

        for batch in range(0, STAFF_REQUESTS, 25):
            writes = []
            for n in range(batch, min(batch + 25, STAFF_REQUESTS)):
                item = RequestItem.new(request, uuid.uuid4(), now - timedelta(minutes=n), 365)
                writes.append({"PutRequest": {"Item": to_attributes(item.attributes())}})
            client.batch_write_item(RequestItems={where.table: writes})
        seeded = time.perf_counter() - started
        actor = Actor("bench", "bench")
        timings: list[float] = []
        for _ in range(3 if QUICK else 7):
            begun = time.perf_counter()
            page = staff.list_page(deps, actor, now, view="callback", since=now)
            timings.append((time.perf_counter() - begun) * 1000)
        begun = time.perf_counter()
        exported = staff.export(deps, actor, now, now - timedelta(days=30))
        export_s = time.perf_counter() - begun
        size = len(staff.csv_text(exported).encode())
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    timings.sort()
    return {
        "requests": STAFF_REQUESTS,
        "seed_s": round(seeded, 1),
        "first_page_rows": len(page.rows),
        "first_page_p50_ms": round(timings[len(timings) // 2], 1),
        "export_rows": len(exported),
        "export_s": round(export_s, 2),
        "export_mib": round(size / 2**20, 2),
    }


def _alert_times(ddb: Any, table: str, sent: dict[str, float], timeout: float = 120) -> list[float]:
    from datetime import datetime

    deadline = time.monotonic() + timeout
    times: dict[str, float] = {}
    ids = list(sent)
    while time.monotonic() < deadline and len(times) < len(ids):
        for start in range(0, len(ids), 100):
            keys = [{"submission_id": {"S": i}} for i in ids[start : start + 100] if i not in times]
            if not keys:
                continue
            response = ddb.batch_get_item(RequestItems={table: {"Keys": keys}})
            for item in response["Responses"][table]:
                if "alerted_at" in item:
                    alerted = datetime.fromisoformat(item["alerted_at"]["S"]).timestamp()
                    submission_id = item["submission_id"]["S"]
                    times[submission_id] = (alerted - sent[submission_id]) * 1000
        time.sleep(0.5)
    return list(times.values())


def cost(warm_result: dict[str, Any]) -> dict[str, Any]:
    """AWS cost per 10,000 requests, from the measured durations and the template's memory."""
    n = 10_000
    from intake_local.template import load_template

    resources = load_template()["Resources"]
    memory_gb = [
        resources[name]["Properties"]["MemorySize"] / 1024
        for name in ("SubmitRequestFunction", "NotifyStaffFunction")
    ]
    submit_ms = warm_result["submit"]["p50_ms"] + AWS_CALL_MS["dynamodb"] + AWS_CALL_MS["sns"]
    notify_ms = (
        warm_result["notify"]["p50_ms"]
        + AWS_CALL_MS["dynamodb"] * 8  # read, 3 claims, 3 records, complete
        + AWS_CALL_MS["ses"] * 2
        + AWS_CALL_MS["sns"] * 2  # opt-out check and SMS
    )
    billed = [max(1, round(submit_ms)), max(1, round(notify_ms))]
    lines = {
        "lambda": n
        * (
            2 * PRICES["lambda_request"]
            + sum(
                ms / 1000 * gb * PRICES["lambda_gb_second_arm64"]
                for ms, gb in zip(billed, memory_gb, strict=True)
            )
        ),
        "api_gateway": n * PRICES["api_gateway_rest_request"],
        "dynamodb": n
        * (
            (1 + 7) * PRICES["dynamodb_write_request_unit"]  # put, claims, records, complete
            + 1 * PRICES["dynamodb_read_request_unit"]  # the consistent read
        )
        * 2,  # items over 1 KB with indexes: about two units per write
        "sns": n * 2 * PRICES["sns_publish"],  # the announcement and the opt-out check
        "sqs": n * 3 * PRICES["sqs_request"],  # receive, delete, and empty polls shared
        "ses": n * 2 * PRICES["ses_email"],  # two staff addresses
        "sms": n * 1 * PRICES["sms_us_transactional"],  # one staff phone
    }
    return {
        "region": "us-east-1",
        "requests": n,
        "assumptions": {
            "memory_mb": {
                "submit_request": memory_gb[0] * 1024,
                "notify_staff": memory_gb[1] * 1024,
            },
            "billed_ms": {"submit_request": billed[0], "notify_staff": billed[1]},
            "aws_call_ms": AWS_CALL_MS,
            "recipients": "2 staff emails, 1 staff phone",
            "cold_starts": "not included (a few per day at a clinic's volume)",
        },
        "prices_usd": PRICES,
        "usd": {key: round(value, 4) for key, value in lines.items()},
        "total_usd": round(sum(lines.values()), 2),
    }


# Lambda SnapStart for Python, us-east-1 list prices (check the Lambda pricing page).
SNAPSTART_PRICES = {"cache_gb_second": 0.0000015046, "restore_gb": 0.0001397998}
SNAPSTART_FUNCTIONS = {
    "submit_request": "SubmitRequestFunction",
    "notify_staff": "NotifyStaffFunction",
    "staff_api": "StaffApiFunction",
}


def snapstart_cost(restores_per_day: int = 20) -> dict[str, Any]:
    """What SnapStart costs a month at the template's memory: the snapshot cached all month
    (one active version per function) and a restore per cold start."""
    from intake_local.template import load_template

    resources = load_template()["Resources"]
    month = 30 * 86400
    rows = {}
    for name, logical in SNAPSTART_FUNCTIONS.items():
        gb = resources[logical]["Properties"]["MemorySize"] / 1024
        rows[name] = {
            "memory_mb": int(gb * 1024),
            "cache_usd_month": round(gb * month * SNAPSTART_PRICES["cache_gb_second"], 2),
            "restores_usd_month": round(
                gb * restores_per_day * 30 * SNAPSTART_PRICES["restore_gb"], 3
            ),
        }
    total = sum(r["cache_usd_month"] + r["restores_usd_month"] for r in rows.values())
    return {
        "prices_usd": SNAPSTART_PRICES,
        "restores_per_day_per_function": restores_per_day,
        "functions": rows,
        "total_usd_month": round(total, 2),
    }


def table(results: dict[str, Any]) -> str:
    rows = [
        "cold start (CPU ms)        |   init | 1st event | 2nd event | init+1st | vs bare "
        "| RSS MiB | vs bare"
    ]
    for name, c in results["cold_start"].items():
        rows.append(
            f"{name:26} | {c['init_ms']:6.1f} | {c['first_event_ms']:9.2f} | "
            f"{c['second_event_ms']:9.2f} | {c['init_and_first_event_ms']:8.1f} | "
            f"{c.get('time_ratio', ''):>7} | {c['peak_rss_mib']:7.1f} | {c.get('rss_ratio', ''):>7}"
        )
    for target, w in results["warm"].items():
        rows.append(
            f"warm {target:21} | p50 {w['p50_ms']:.3f} ms | p99 {w['p99_ms']:.3f} ms"
            + (f" | x{w['p50_ratio_to_bare']} bare" if "p50_ratio_to_bare" in w else "")
        )
    for module, imports in results["import_ms"].items():
        rows.append(
            f"imports of {module:22} | "
            + ", ".join(f"{name} {ms}" for name, ms in list(imports.items())[:8])
        )
    for name, ratio in results["first_event_to_warm_p50"].items():
        rows.append(f"first event / warm p50, {name:22} | x{ratio}")
    snap = results["snapstart_cost"]
    rows.append(
        "SnapStart a month (us-east-1) | "
        + ", ".join(
            f"{name} {r['memory_mb']} MB ${r['cache_usd_month'] + r['restores_usd_month']:.2f}"
            for name, r in snap["functions"].items()
        )
        + f" | total ${snap['total_usd_month']}"
    )
    for name, size in results["package"].items():
        if isinstance(size, dict):
            rows.append(
                f"package {name:30} | {size['unzipped_mib']:.2f} MiB unzipped, "
                f"boto3 bundled: {size['boto3_bundled']}"
            )
    for clients, e in results["end_to_end"].items():
        rows.append(
            f"e2e {clients:>2} clients | {e['requests_per_second']:6.1f} req/s | POST p50 "
            f"{e['post_p50_ms']} p99 {e['post_p99_ms']} ms | POST->alert p50 "
            f"{e['post_to_alert_p50_ms']} p99 {e['post_to_alert_p99_ms']} ms"
        )
    lists = results["staff_lists"]
    rows.append(
        f"inbox over {lists['requests']} requests | first page ({lists['first_page_rows']} rows) "
        f"p50 {lists['first_page_p50_ms']} ms | export {lists['export_rows']} rows in "
        f"{lists['export_s']} s, {lists['export_mib']} MiB"
    )
    c = results["cost"]
    rows.append(
        "cost per 10,000 requests (us-east-1) | "
        + ", ".join(f"{k} ${v}" for k, v in c["usd"].items())
        + f" | total ${c['total_usd']}"
    )
    return "\n".join(rows)


def main() -> int:
    sys.path[:0] = [str(ROOT), str(ROOT / "infra")]
    started = time.time()
    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "quick": QUICK,
        }
    }
    results["cold_start"] = cold_starts()
    results["warm"] = warm()
    results["first_event_to_warm_p50"] = first_event_ratios(results["cold_start"], results["warm"])
    results["snapstart_cost"] = snapstart_cost()
    results["import_ms"] = {
        module: _json_run(["benchmarks/importtime.py", module, "2" if QUICK else "5"])
        for module in ("submit_request.handler", "notify_staff.handler")
    }
    results["package"] = package_sizes()
    results["end_to_end"] = end_to_end()
    results["staff_lists"] = staff_lists()
    results["cost"] = cost(results["warm"])
    results["seconds"] = round(time.time() - started, 1)
    (ROOT / "bench-results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"(bench-results.json written; {results['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
