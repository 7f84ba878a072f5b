"""The in-memory alert budget behaves as the limits table does on dynalite."""

from __future__ import annotations

import boto3
import pytest

from intake_common.aws.table import DynamoAlertBudget
from intake_common.domain.ports import AlertBudget
from intake_local.template import LocalStack
from tests.support.fakes import InMemoryAlertBudget
from tests.support.stack import REGION

WINDOW = "2026-11-30T14:00Z"


@pytest.fixture
def budgets(aws: LocalStack) -> list[AlertBudget]:
    client = boto3.client("dynamodb", region_name=REGION)
    return [InMemoryAlertBudget(), DynamoAlertBudget(aws.physical["AlertLimitsTable"], client)]


def test_grants_to_the_cap_then_holds_and_a_granted_id_stays_granted(
    budgets: list[AlertBudget],
) -> None:
    outcomes = []
    for budget in budgets:
        decisions = [budget.reserve("sms", WINDOW, f"id-{i}", 2, 4102444800) for i in range(4)]
        decisions.append(budget.reserve("sms", WINDOW, "id-0", 2, 4102444800))  # a retry
        counter = budget.window("sms", WINDOW)
        assert counter is not None
        outcomes.append((decisions, sorted(counter.granted), counter.held, counter.summary_due))

    assert outcomes[0] == outcomes[1]
    assert outcomes[0] == (
        ["granted", "granted", "held", "held", "granted"],
        ["id-0", "id-1"],
        2,
        True,
    )


def test_the_summary_is_claimed_once_and_a_lapsed_claim_taken_over(
    budgets: list[AlertBudget],
) -> None:
    results = []
    for budget in budgets:
        assert budget.claim_summary("email", WINDOW, 100, 200) is False  # no such window
        budget.reserve("email", WINDOW, "a", 1, 4102444800)
        budget.reserve("email", WINDOW, "b", 1, 4102444800)
        first = budget.claim_summary("email", WINDOW, 100, 200)
        during = budget.claim_summary("email", WINDOW, 150, 250)
        lapsed = budget.claim_summary("email", WINDOW, 201, 300)
        budget.record_summary("email", WINDOW, "2026-11-30T15:01:00Z")
        after = budget.claim_summary("email", WINDOW, 400, 500)
        counter = budget.window("email", WINDOW)
        assert counter is not None
        results.append((first, during, lapsed, after, counter.summary_due))

    assert results[0] == results[1] == (True, False, True, False, False)


def test_urgent_held_requests_are_counted_and_uncounted_holds_are_not(
    budgets: list[AlertBudget],
) -> None:
    outcomes = []
    for budget in budgets:
        budget.reserve("email", WINDOW, "a", 1, 4102444800)
        held = [
            budget.reserve("email", WINDOW, "b", 1, 4102444800, urgent=True),
            budget.reserve("email", WINDOW, "c", 1, 4102444800),
            budget.reserve("email", WINDOW, "c#confirmation", 1, 4102444800, counted=False),
        ]
        counter = budget.window("email", WINDOW)
        assert counter is not None
        outcomes.append((held, counter.held, counter.held_urgent))

    assert outcomes[0] == outcomes[1] == (["held", "held", "held"], 2, 1)


def test_a_key_is_claimed_once_by_one_owner_and_again_by_the_same(
    budgets: list[AlertBudget],
) -> None:
    outcomes = [
        (
            budget.claim_once("confirmation#abc#2026-11-30", "request-1", 4102444800),
            budget.claim_once("confirmation#abc#2026-11-30", "request-2", 4102444800),
            budget.claim_once("confirmation#abc#2026-11-30", "request-1", 4102444800),
            budget.claim_once("confirmation#abc#2026-12-01", "request-2", 4102444800),
        )
        for budget in budgets
    ]

    assert outcomes[0] == outcomes[1] == (True, False, True, True)
