"""``intake smoke``: after every deploy, prove the pipeline works end to end.

It sends a request marked as a test (its id starts with ``SMOKE_TEST_PREFIX``) through the
stack's public URL, as a visitor's page would, waits until it is stored and its staff alert is
``sent`` (or reports each ``failed`` channel with the reason SES or SNS gave), prints every step
with its time, and erases the test request. Staff receive the test alert, labelled as a test.

It reads only delivery attributes of its own request (the ops policy allows no more) and
erases only smoke-test requests.
"""

from __future__ import annotations

import argparse
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from intake_common.aws.table import DynamoAuditLog, DynamoRequestStore
from intake_common.domain.audit import AuditEntry
from intake_common.domain.item import alert_channel, timestamp
from intake_common.domain.models import SMOKE_TEST_PREFIX

from .common import add_target_arguments, target
from .target import Target

# What a failed or retried send's error code means, and what ops do about it.
HINTS = {
    "MessageRejected": "SES rejected the message: verify SenderEmail in SES, and leave the SES "
    "sandbox (or verify each staff address)",
    "MailFromDomainNotVerifiedException": "the sender's MAIL FROM domain is not verified in SES",
    "AccountSuspendedException": "SES sending is suspended for this account",
    "SendingPausedException": "SES sending is paused for this account or configuration set",
    "NotFoundException": "the SES configuration set or identity does not exist",
    "OptedOut": "this phone number replied STOP: it must opt in again before SMS can reach it",
    "AuthorizationErrorException": "notify_staff may not send this SMS (IAM or SMS sandbox)",
    "AccessDeniedException": "notify_staff's role lacks a permission: redeploy the template",
    "AccessDenied": "notify_staff's role lacks a permission: redeploy the template",
    "TooManyRequestsException": "SES is throttling: the retry will send it",
    "Throttling": "SNS is throttling: the retry will send it",
}


@dataclass
class Step:
    name: str
    seconds: float
    detail: str = ""


@dataclass
class Report:
    reference: str = ""
    steps: list[Step] = field(default_factory=list)
    ok: bool = False


def _test_request(submission_id: str) -> dict[str, Any]:
    return {
        "submission_id": submission_id,
        "full_name": "Smoke Test",
        "email": "smoke-test@example.com",
        "phone": "(415) 555-0100",
        "preferred_contact": "email",
        "visit_type": "new",
        "reason": "Post-deploy check by intake smoke. No action is needed.",
        "consent": True,
        "consent_version": "smoke",
    }


def _post(url: str, body: dict[str, Any], timeout: float) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 - the stack's own https URL
        f"{url.rstrip('/')}/api/appointments",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "clinic-intake/intake-smoke"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310  # nosec B310
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        try:
            payload = json.load(error)
        except ValueError:
            payload = {}
        return error.code, payload


def _delivery(target: Target, submission_id: str) -> dict[str, Any] | None:
    """The request's delivery attributes only (never a submitted field)."""
    return DynamoRequestStore(target.table, target.client("dynamodb")).delivery(submission_id)


# What "sent" means on each channel: SES or SNS took the message. Whether it reached the phone or
# the mailbox is another matter (SNS's SMS delivery status logging, SES's delivery events).
_ACCEPTED_BY = {"email": "email accepted by SES", "sms": "SMS accepted by SNS"}


def _channels(alerts: dict[str, Any]) -> str:
    counts: dict[str, int] = {}
    for key, record in alerts.items():
        if record.get("state") == "sent":
            channel = alert_channel(key)
            counts[channel] = counts.get(channel, 0) + 1
    words = {**_ACCEPTED_BY, "confirmation": "visitor confirmation accepted by SES"}
    return ", ".join(f"{n} {words.get(c, c)}" for c, n in sorted(counts.items())) or "nothing"


def _failures(alerts: dict[str, Any]) -> list[str]:
    lines = []
    for key, record in sorted(alerts.items()):
        if record.get("state") == "failed":
            code = str(record.get("error", "unknown"))
            lines.append(f"{key}: {code}: {HINTS.get(code, 'see notify_staff logs')}")
    return lines


def run(target: Target, *, timeout: float = 180, poll: float = 1.0) -> Report:
    """Send, wait, report, erase. Never raises for a pipeline failure: the report says it."""
    report = Report()
    submission_id = SMOKE_TEST_PREFIX + secrets.token_hex(6)
    started = time.monotonic()

    def lap(name: str, detail: str = "") -> None:
        report.steps.append(Step(name, time.monotonic() - started, detail))

    status, answer = _post(target.outputs["SiteUrl"], _test_request(submission_id), 30)
    if status != 201:
        codes = ", ".join(e.get("code", "?") for e in answer.get("errors", [])) or "no body"
        lap("send", f"the API answered {status} ({codes})")
        return report
    report.reference = str(answer.get("reference", ""))
    lap("send", f"201, reference {report.reference}")

    deadline = started + timeout
    delivery = None
    while delivery is None and time.monotonic() < deadline:
        delivery = _delivery(target, submission_id)
        if delivery is None:
            time.sleep(poll)
    if delivery is None:
        lap("stored", "not in the table: submit_request answered 201 but nothing was stored")
        return report
    lap("stored", "in the requests table")

    while delivery.get("alert_state") == "pending" and time.monotonic() < deadline:
        time.sleep(poll)
        delivery = _delivery(target, submission_id) or delivery
    state = delivery.get("alert_state")
    alerts = delivery.get("alerts") or {}
    if state == "sent":
        lap("alerted", f"staff alert: {_channels(alerts)}")
        failures = _failures(alerts)
        for line in failures:  # sent on one channel, refused on another: still a failed check
            lap("alerted", f"but failed: {line}")
        report.ok = not failures
    elif state == "failed":
        lap("alerted", "no staff member was reached: " + "; ".join(_failures(alerts)))
    else:
        retry = delivery.get("alert_retry") or {}
        why = (
            f"; last error {retry.get('error')}: {HINTS.get(retry.get('error', ''), 'see logs')}"
            if retry
            else ""
        )
        lap("alerted", f"still {state} after {timeout:.0f} s{why}")

    _erase(target, submission_id, report.reference)
    lap("erased", "the test request and its alert records")
    return report


def _erase(target: Target, submission_id: str, reference: str) -> None:
    """Delete the smoke request and leave an audit entry (the ops policy allows only these)."""
    DynamoRequestStore(target.table, target.client("dynamodb")).delete(submission_id)
    DynamoAuditLog(target.audit_table, target.client("dynamodb")).record(
        AuditEntry(
            at=timestamp(datetime.now(UTC)),
            by=target.caller(),
            action="erase",
            reason="smoke test",
            reference=reference,
            submission_id=submission_id,
        )
    )


def _smoke(args: argparse.Namespace) -> int:
    where = target(args)
    if "SiteUrl" not in where.outputs:
        print("intake smoke: the stack has no SiteUrl output")
        return 2
    print(f"Smoke test against {where.outputs['SiteUrl']}")
    report = run(where, timeout=args.timeout)
    for step in report.steps:
        print(f"  {step.seconds:6.1f} s  {step.name:8}  {step.detail}")
    print("PASSED" if report.ok else "FAILED")
    return 0 if report.ok else 1


def register(commands: Any) -> None:
    smoke = commands.add_parser(
        "smoke", help="ops: send a test request through the stack and check its staff alert"
    )
    add_target_arguments(smoke)
    smoke.add_argument("--timeout", type=float, default=180, help="seconds to wait (default 180)")
    smoke.set_defaults(func=_smoke)
