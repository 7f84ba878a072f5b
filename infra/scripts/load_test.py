"""``make load``: a bounded load test against the local stack, then a reconciliation.

Sends ``--requests`` POSTs from ``--concurrency`` clients (a share of them exact duplicates of
earlier requests and a share invalid), waits for the staff alerts, and checks the end state:
every 201 has exactly one item and exactly one alert per staff recipient, no 5xx, and no
invalid request stored. Prints throughput and latency percentiles. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from intake_cli.target import local_session
from intake_common.aws.table import from_attributes
from intake_common.domain.item import TABLE_KEY

# urlopen (bandit B310) only ever gets the http:// loopback URL that main() checks.


@dataclass
class Result:
    kind: str  # valid, duplicate, invalid
    status: int
    seconds: float
    body: dict[str, Any] = field(default_factory=dict)
    submission_id: str = ""
    sent_at: float = 0.0  # time.time() when the POST started (the functions stamp wall time)


def _letters(index: int) -> str:
    # Names hold letters only: spell the index in them.
    text = ""
    while True:
        index, rest = divmod(index, 26)
        text = chr(ord("a") + rest) + text
        if not index:
            return text.capitalize()


def _request(index: int) -> dict[str, Any]:
    return {
        "submission_id": str(uuid.uuid4()),
        "full_name": f"Load {_letters(index)}",
        "email": f"load{index}@example.org",
        "phone": "(415) 555-2671",
        "preferred_contact": "phone",
        "visit_type": "new",
        "consent": True,
        "consent_version": "2026-11",
    }


def _post(url: str, body: dict[str, Any]) -> tuple[int, float, dict[str, Any], float]:
    data = json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310  # nosec B310
        f"{url}/api/appointments",
        data=data,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    sent_wall = time.time()
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310  # nosec B310
            status, payload = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    elapsed = time.perf_counter() - started
    try:
        parsed = json.loads(payload or b"{}")
    except ValueError:
        parsed = {}
    return status, elapsed, parsed, sent_wall


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(
    url: str,
    total: int,
    concurrency: int,
    duplicate_share: float = 0.1,
    invalid_share: float = 0.1,
    seed: int = 7,
) -> list[Result]:
    """Send the requests; duplicates repeat a request already answered."""
    rng = random.Random(seed)  # noqa: S311 - picks test cases, nothing secret
    sent: list[dict[str, Any]] = []
    lock = threading.Lock()

    def send(kind: str, body: dict[str, Any]) -> Result:
        status, seconds, answer, sent_at = _post(url, body)
        return Result(kind, status, seconds, answer, body["submission_id"], sent_at)

    def one(index: int) -> Result:
        roll = rng.random()
        if roll < invalid_share:
            return send("invalid", {**_request(index), "email": "not-an-email"})
        with lock:
            earlier = rng.choice(sent) if sent and roll < invalid_share + duplicate_share else None
        if earlier is not None:
            return send("duplicate", earlier)
        body = _request(index)
        result = send("valid", body)
        with lock:
            sent.append(body)
        return result

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(one, range(total)))


def local_health(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{url}/_local/health", timeout=5) as answer:  # noqa: S310  # nosec B310
        health: dict[str, Any] = json.load(answer)
    return health


def local_outbox(url: str) -> dict[str, list[dict[str, Any]]]:
    with urllib.request.urlopen(f"{url}/_local/outbox", timeout=30) as answer:  # noqa: S310  # nosec B310
        box: dict[str, list[dict[str, Any]]] = json.load(answer)
    return box


_ALERT_SMS = re.compile(r"\bappointment request (\S+) at ")


def reconcile(
    url: str, results: list[Result], emails_each: int, sms_each: int, timeout: float = 120
) -> dict[str, Any]:
    """The end state, after waiting for the alerts. ``problems`` lists what is wrong."""
    health = local_health(url)
    ddb = local_session().client("dynamodb", endpoint_url=health["dynamodb_endpoint"])
    accepted = {r.submission_id: r.body.get("reference") for r in results if r.status == 201}
    expected = {ref for ref in accepted.values() if ref}

    def counts() -> tuple[dict[str, int], dict[str, int]]:
        box = local_outbox(url)
        emails: dict[str, int] = {}
        for message in box["emails"]:
            reference = message["subject"].rsplit(" ", 1)[-1]
            emails[reference] = emails.get(reference, 0) + 1
        sms: dict[str, int] = {}
        for message in box["sms"]:
            # Alerts only: the stack also texts summaries and, at the clinic's opening, the
            # day's digest ("2 requests are past the call-back target"), which name no request.
            alert = _ALERT_SMS.search(message["message"])
            if alert:
                sms[alert[1]] = sms.get(alert[1], 0) + 1
        return emails, sms

    deadline = time.monotonic() + timeout
    emails, sms = counts()
    started = time.monotonic()
    while time.monotonic() < deadline:
        if all(emails.get(r) == emails_each and sms.get(r) == sms_each for r in expected):
            break
        time.sleep(0.5)
        emails, sms = counts()
    alert_wait = time.monotonic() - started

    items: dict[str, dict[str, Any]] = {}
    for page in ddb.get_paginator("scan").paginate(TableName=health["stack"]["table"]):
        for item in page["Items"]:
            items[str(from_attributes(item)[TABLE_KEY])] = item
    problems = []
    if any(r.status >= 500 for r in results):
        problems.append(f"{sum(r.status >= 500 for r in results)} answers were 5xx")
    for submission_id in accepted:
        if submission_id not in items:
            problems.append(f"accepted {submission_id} has no item")
    invalid_ids = {r.submission_id for r in results if r.kind == "invalid"}
    if stored_invalid := invalid_ids & set(items):
        problems.append(f"{len(stored_invalid)} invalid requests were stored")
    for reference in expected:
        if emails.get(reference, 0) != emails_each or sms.get(reference, 0) != sms_each:
            problems.append(
                f"{reference}: {emails.get(reference, 0)} emails, {sms.get(reference, 0)} SMS"
            )
    bad_status = [r for r in results if r.kind != "invalid" and r.status != 201]
    bad_status += [r for r in results if r.kind == "invalid" and r.status != 422]
    if bad_status:
        problems.append(f"{len(bad_status)} answers had an unexpected status")
    return {
        "accepted": len(accepted),
        "items": len(items),
        "alerts_settled_after_s": round(alert_wait, 2),
        "problems": problems[:20],
        "problem_count": len(problems),
    }


def report(results: list[Result], elapsed: float) -> dict[str, Any]:
    latencies = [r.seconds * 1000 for r in results]
    by_kind: dict[str, int] = {}
    for result in results:
        by_kind[f"{result.kind} {result.status}"] = (
            by_kind.get(f"{result.kind} {result.status}", 0) + 1
        )
    return {
        "requests": len(results),
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(results) / elapsed, 1) if elapsed else 0,
        "latency_ms": {
            "p50": round(percentile(latencies, 0.50), 1),
            "p95": round(percentile(latencies, 0.95), 1),
            "p99": round(percentile(latencies, 0.99), 1),
            "mean": round(statistics.fmean(latencies), 1) if latencies else 0,
        },
        "answers": dict(sorted(by_kind.items())),
    }


def start_local() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [
            sys.executable,
            "-m",
            "intake_local",
            "--port",
            str(port),
            "--retry-delay",
            "1",
            # A load test counts one alert per recipient for every request: no alert budget.
            "--parameter",
            "SmsAlertsPerHour=1000000",
            "--parameter",
            "EmailAlertsPerHour=1000000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            local_health(url)
            return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the local stack did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="intake-load", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--duplicates", type=float, default=0.1)
    parser.add_argument("--invalid", type=float, default=0.1)
    parser.add_argument("--url", help="a running local stack (default: start one)")
    args = parser.parse_args(argv)
    if args.requests > 20_000 or args.concurrency > 200:
        parser.error("bounded: at most 20000 requests and 200 clients")
    process, url = (None, args.url) if args.url else start_local()
    if url is None or not url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        parser.error("the load test only targets the local stack on loopback")
    try:
        health = local_health(url)
        started = time.perf_counter()
        results = run(url, args.requests, args.concurrency, args.duplicates, args.invalid)
        summary = report(results, time.perf_counter() - started)
        staff = health["staff"]
        summary["reconciliation"] = reconcile(
            url, results, emails_each=staff["emails"], sms_each=staff["phones"]
        )
        summary["stack"] = health["stack"]["table"]
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    print(json.dumps(summary, indent=2))
    return 0 if summary["reconciliation"]["problem_count"] == 0 else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
