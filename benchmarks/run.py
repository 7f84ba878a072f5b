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
COLD_RUNS = 3 if QUICK else 15
WARM_EVENTS = 1000 if QUICK else 10_000
E2E_LEVELS = (1, 10, 50)
E2E_REQUESTS = {1: 10, 10: 40, 50: 100} if QUICK else {1: 100, 10: 400, 50: 1000}

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


def cold_starts() -> dict[str, Any]:
    samples: dict[str, list[dict[str, Any]]] = {}
    for _ in range(COLD_RUNS):
        # Interleaved, so machine noise hits ours and the baseline alike.
        for target in ("submit", "submit-baseline", "notify", "notify-baseline"):
            started = time.perf_counter()
            child = _json_run(["benchmarks/coldstart.py", target])
            child["wall_ms"] = (time.perf_counter() - started) * 1000
            samples.setdefault(target, []).append(child)
    result = {}
    for function in ("submit", "notify"):
        ours, base = samples[function], samples[f"{function}-baseline"]
        wall = statistics.median(s["wall_ms"] for s in ours)
        wall_base = statistics.median(s["wall_ms"] for s in base)
        init = statistics.median(s["total_ms"] for s in ours)
        init_base = statistics.median(s["total_ms"] for s in base)
        rss = statistics.median(s["max_rss_kib"] for s in ours) / 1024
        rss_base = statistics.median(s["max_rss_kib"] for s in base) / 1024
        result[function] = {
            "runs": COLD_RUNS,
            "process_wall_ms": round(wall, 1),
            "baseline_process_wall_ms": round(wall_base, 1),
            "import_and_first_event_ms": round(init, 1),
            "baseline_import_and_first_event_ms": round(init_base, 1),
            "first_event_ms": round(statistics.median(s["first_event_ms"] for s in ours), 1),
            "time_ratio": round(init / init_base, 2),
            "peak_rss_mib": round(rss, 1),
            "baseline_peak_rss_mib": round(rss_base, 1),
            "rss_ratio": round(rss / rss_base, 2),
        }
    return result


def warm() -> dict[str, Any]:
    result = {}
    for function in ("submit", "notify"):
        ours = _json_run(["benchmarks/warm.py", function, str(WARM_EVENTS)])
        base = _json_run(["benchmarks/warm.py", f"{function}-baseline", str(WARM_EVENTS)])
        result[function] = {
            "events": WARM_EVENTS,
            "p50_ms": round(ours["p50_us"] / 1000, 3),
            "p99_ms": round(ours["p99_us"] / 1000, 3),
            "baseline_p50_ms": round(base["p50_us"] / 1000, 4),
            "baseline_p99_ms": round(base["p99_us"] / 1000, 4),
            "p50_ratio": round(ours["p50_us"] / base["p50_us"], 1),
        }
    return result


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


def table(results: dict[str, Any]) -> str:
    rows = []
    for function, c in results["cold_start"].items():
        rows.append(
            f"cold start {function:7} | {c['import_and_first_event_ms']:8.1f} ms vs "
            f"{c['baseline_import_and_first_event_ms']:6.1f} ms  x{c['time_ratio']:<5} | "
            f"RSS {c['peak_rss_mib']:5.1f} vs {c['baseline_peak_rss_mib']:5.1f} MiB "
            f"x{c['rss_ratio']}"
        )
    for function, w in results["warm"].items():
        rows.append(
            f"warm {function:13} | p50 {w['p50_ms']:.3f} ms (baseline {w['baseline_p50_ms']:.4f}, "
            f"x{w['p50_ratio']}) | p99 {w['p99_ms']:.3f} ms"
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
    results["package"] = package_sizes()
    results["end_to_end"] = end_to_end()
    results["cost"] = cost(results["warm"])
    results["seconds"] = round(time.time() - started, 1)
    (ROOT / "bench-results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"(bench-results.json written; {results['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
