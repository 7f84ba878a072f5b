"""Escalation and the morning digest through the real handlers: the sweep's steps with the
redrive function's own adapters (dynalite tables, moto's SNS topic and SQS queue), notify_staff's
handler on what reached the queue, SES's outbox, and the staff API's view of the history. The
clock is passed in; the requests are the ones submit_request stored just now."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import boto3

from intake_common.aws.table import DynamoRequestStore
from intake_local.template import LocalStack
from tests.support.aws import all_items, json_body, outbox, receive
from tests.support.builders import stored
from tests.support.data import valid_fields
from tests.support.handlers import Deliver, Invoke, claims_for, staff
from tests.support.leaks import LeakGuard
from tests.support.stack import REGION


def _sweep(now: datetime) -> dict[str, int]:
    from redrive_alerts import handler as redrive
    from redrive_alerts import logic

    deps, targets = redrive.dependencies(), redrive.settings.targets
    return {
        "escalations": logic.escalations_owed(deps, targets, now),
        "digest": int(logic.digest_owed(deps, targets, now)),
    }


def _drain(deliver: Deliver, stack: LocalStack) -> int:
    """notify_staff on whatever is on the alert queue (nothing, when it is empty)."""
    batch = receive(stack)
    if batch:
        deliver(batch)
    return len(batch)


def _subjects(prefix: str) -> list[str]:
    return [e["subject"] for e in outbox()["emails"] if e["subject"].startswith(prefix)]


def test_an_urgent_request_nobody_called_is_escalated_once_and_shows_in_its_history(
    invoke: Invoke, deliver: Deliver, aws: LocalStack, leak_guard: LeakGuard
) -> None:
    urgent = json_body(invoke(valid_fields(reason="I want to die, please call")))["reference"]
    calm = json_body(invoke(valid_fields(full_name="Bo Lee")))["reference"]
    deliver()  # the staff alerts
    now = datetime.now(UTC)
    if datetime.now(ZoneInfo("America/New_York")).hour < 11:
        _sweep(now - timedelta(hours=3))  # the day's digest, if this is its morning: not here

    assert _sweep(now + timedelta(minutes=30))["escalations"] == 0  # within the hour
    assert _sweep(now + timedelta(minutes=61))["escalations"] == 1
    _drain(deliver, aws)
    assert _sweep(now + timedelta(minutes=66))["escalations"] == 0  # marked
    _drain(deliver, aws)

    escalations = _subjects("Escalation")
    # The component stack's two StaffEmails (no EscalationEmails: the staff are told); the
    # waiting time is notify_staff's own clock's (the real one, here).
    assert len(escalations) == 2
    assert all(
        re.fullmatch(rf"Escalation: urgent request {urgent} waiting \d+ min", s)
        for s in escalations
    )
    assert calm not in " ".join(escalations)
    item = next(i for i in all_items(aws) if i["reference"] == urgent)
    assert {k for k in item["alerts"] if k.startswith("escalation-")} == {
        f"escalation-email:{e}" for e in ("frontdesk@clinic.example", "nurse@clinic.example")
    } | {"escalation-sms:+14155550101"}
    shown = json_body(
        staff(leak_guard, "GET", f"/staff/requests/{urgent}", claims=claims_for("staff", "n@x"))
    )["request"]
    assert [(e["channel"], e["state"]) for e in shown["escalations"]] == [
        ("email", "sent"),
        ("email", "sent"),
        ("sms", "sent"),
    ]
    assert not any(a["channel"].startswith("escalation") for a in shown["alerts"])


def test_the_morning_digest_lists_requests_past_target_once(
    deliver: Deliver, aws: LocalStack
) -> None:
    # A request stored four days ago (notify_staff reads the real clock: it is past target).
    store = DynamoRequestStore(
        aws.physical["RequestsTable"], boto3.client("dynamodb", region_name=REGION)
    )
    old = stored(now=datetime.now(UTC) - timedelta(days=4), full_name="Cy Waits")
    store.insert(old)
    waiting = old.reference
    zone = ZoneInfo("America/New_York")
    # Three days on, at 09:05 on a working day: one working day has long passed.
    day = datetime.now(zone).date() + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    opening = datetime(day.year, day.month, day.day, 9, 5, tzinfo=zone)

    assert _sweep(opening)["digest"] == 1
    assert _sweep(opening + timedelta(minutes=5))["digest"] == 0
    assert _drain(deliver, aws) == 1
    assert _drain(deliver, aws) == 0

    digests = [e for e in outbox()["emails"] if e["subject"].startswith("Call backs past target")]
    assert len(digests) == 2  # one per staff address
    assert f"  {waiting}  waiting " in digests[0]["text"]
    assert "Cy Waits" not in digests[0]["text"]
