"""The end-to-end check: a request marked as a test, sent through the stack's public URL as a
visitor's page sends it, followed until it is stored and its staff alert is ``sent`` (or each
``failed`` channel is reported with the reason SES or SNS gave), then erased.

Run by ops after a deploy (``intake smoke``) and by the stack itself, once a day and after every
deploy (the canary function). It reads only delivery attributes of its own request and erases
only smoke-test requests (their ids start with ``SMOKE_TEST_PREFIX``). Staff receive the test
alert, labelled as a test.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from intake_common.domain.item import alert_channel
from intake_common.domain.models import SMOKE_TEST_PREFIX

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


@dataclass(frozen=True)
class Ports:
    """Where the check acts: the site's API, the request's delivery attributes, the erase."""

    post: Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]
    delivery: Callable[[str], dict[str, Any] | None]
    erase: Callable[[str, str], None]  # (submission id, reference)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


def test_request(submission_id: str, by: str) -> dict[str, Any]:
    return {
        "submission_id": submission_id,
        "full_name": "Smoke Test",
        "email": "smoke-test@example.com",
        "phone": "(415) 555-0100",
        "preferred_contact": "email",
        "visit_type": "new",
        "reason": f"Post-deploy check by {by}. No action is needed.",
        "consent": True,
        "consent_version": "smoke",
    }


def post_json(
    site_url: str, body: dict[str, Any], agent: str, timeout: float = 30
) -> tuple[int, dict[str, Any]]:
    """POST ``body`` to the site's API, as the form's page does; (status, JSON answer)."""
    request = urllib.request.Request(  # noqa: S310 - the stack's own https URL
        f"{site_url.rstrip('/')}/api/appointments",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "User-Agent": agent},
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


# What "sent" means on each channel: SES or SNS took the message. Whether it reached the phone or
# the mailbox is another matter (SNS's SMS delivery status logging, SES's delivery events).
_ACCEPTED_BY = {"email": "email accepted by SES", "sms": "SMS accepted by SNS"}


def channels(alerts: dict[str, Any]) -> str:
    counts: dict[str, int] = {}
    for key, record in alerts.items():
        if record.get("state") == "sent":
            channel = alert_channel(key)
            counts[channel] = counts.get(channel, 0) + 1
    words = {**_ACCEPTED_BY, "confirmation": "visitor confirmation accepted by SES"}
    return ", ".join(f"{n} {words.get(c, c)}" for c, n in sorted(counts.items())) or "nothing"


def failures(alerts: dict[str, Any]) -> list[str]:
    lines = []
    for key, record in sorted(alerts.items()):
        if record.get("state") in {"failed", "bounced"}:
            code = str(record.get("error", "unknown"))
            lines.append(f"{key}: {code}: {HINTS.get(code, 'see notify_staff logs')}")
    return lines


def run(ports: Ports, *, by: str, timeout: float = 180, poll: float = 1.0) -> Report:
    """Send, wait, report, erase. Never raises for a pipeline failure: the report says it."""
    report = Report()
    submission_id = SMOKE_TEST_PREFIX + secrets.token_hex(6)
    started = ports.clock()

    def lap(name: str, detail: str = "") -> None:
        report.steps.append(Step(name, ports.clock() - started, detail))

    status, answer = ports.post(test_request(submission_id, by))
    if status != 201:
        codes = ", ".join(e.get("code", "?") for e in answer.get("errors", [])) or "no body"
        lap("send", f"the API answered {status} ({codes})")
        return report
    report.reference = str(answer.get("reference", ""))
    lap("send", f"201, reference {report.reference}")

    deadline = started + timeout
    delivery = None
    while delivery is None and ports.clock() < deadline:
        delivery = ports.delivery(submission_id)
        if delivery is None:
            ports.sleep(poll)
    if delivery is None:
        lap("stored", "not in the table: submit_request answered 201 but nothing was stored")
        return report
    lap("stored", "in the requests table")

    while delivery.get("alert_state") == "pending" and ports.clock() < deadline:
        ports.sleep(poll)
        delivery = ports.delivery(submission_id) or delivery
    state = delivery.get("alert_state")
    alerts = delivery.get("alerts") or {}
    if state == "sent":
        lap("alerted", f"staff alert: {channels(alerts)}")
        refused = failures(alerts)
        for line in refused:  # sent on one channel, refused on another: still a failed check
            lap("alerted", f"but failed: {line}")
        report.ok = not refused
    elif state == "failed":
        lap("alerted", "no staff member was reached: " + "; ".join(failures(alerts)))
    else:
        retry = delivery.get("alert_retry") or {}
        why = (
            f"; last error {retry.get('error')}: {HINTS.get(retry.get('error', ''), 'see logs')}"
            if retry
            else ""
        )
        lap("alerted", f"still {state} after {timeout:.0f} s{why}")

    ports.erase(submission_id, report.reference)
    lap("erased", "the test request and its alert records")
    return report
