"""The alert budget end to end on the local stack: a flood of 200 requests is all stored, and
staff get the capped number of texts and emails plus one summary per channel."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from scripts.load_test import run
from tests.support.local_stack import Local, running_local

SMS_CAP = 5
EMAIL_CAP = 10


@pytest.fixture(scope="module")
def budgeted() -> Iterator[Local]:
    with running_local(
        "--redrive-interval",
        "1",
        "--retry-delay",
        "0",
        "--parameter",
        f"SmsAlertsPerHour={SMS_CAP}",
        "--parameter",
        f"EmailAlertsPerHour={EMAIL_CAP}",
        # One-minute windows, so that the summary is owed within the test.
        "--parameter",
        "AlertBudgetWindowMinutes=1",
    ) as stack:
        yield stack


def _start_of_a_fresh_minute() -> None:
    # The flood must fall in one window: start it just after a minute begins.
    second = datetime.now(UTC).second
    if second > 5:
        time.sleep(61 - second)


def test_a_flood_is_all_stored_alerts_at_the_caps_and_is_summarized_once(
    budgeted: Local,
) -> None:
    _start_of_a_fresh_minute()
    results = run(budgeted.base_url, 200, 20, duplicate_share=0, invalid_share=0)
    assert all(r.status == 201 for r in results)
    references = {r.body["reference"] for r in results}

    # Every request is stored
    items = budgeted.client("dynamodb").scan(TableName=budgeted.stack["table"])["Items"]
    assert {i["reference"]["S"] for i in items} >= references

    def settled() -> bool:
        box = budgeted.outbox()
        return any(s["message"].startswith("Alert limit") for s in box["sms"]) and (
            len([e for e in box["emails"] if e["subject"].startswith("Alert limit")]) == 2
        )

    # After the window ends, the sweep owes one summary per channel
    assert budgeted.wait_for(settled, timeout=150)
    box = budgeted.outbox()
    texts = [s["message"] for s in box["sms"]]
    individual_texts = [t for t in texts if t.startswith("New appointment request")]
    summaries = [t for t in texts if t.startswith("Alert limit")]
    assert len(individual_texts) == SMS_CAP
    assert summaries == [
        f"Alert limit: {200 - SMS_CAP} more requests were received "
        + summaries[0].split("received ", 1)[1]
    ]
    individual_emails = [e for e in box["emails"] if e["subject"].startswith("New appointment")]
    assert len(individual_emails) == EMAIL_CAP * 2  # two staff addresses
    summary_emails = [e for e in box["emails"] if e["subject"].startswith("Alert limit")]
    assert all(f"{200 - EMAIL_CAP} more requests" in e["subject"] for e in summary_emails)

    # Nothing more arrives: the summary is sent once
    time.sleep(3)
    assert len(budgeted.outbox()["sms"]) == len(box["sms"])
