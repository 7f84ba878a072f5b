"""The in-memory limits table behaves as the limits table does on dynalite: every transition,
and the alert budget's rules over each."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from intake_common.aws.table import DynamoLimitsStore
from intake_common.domain.limits import (
    HELD_URGENT_NAMED,
    LIMITS_KEY,
    TRANSITIONS,
    AlertBudget,
    ClaimOnce,
    ClaimSend,
    ClaimSummary,
    Grant,
    GrantConfirmation,
    Hold,
    LimitTransition,
    NoteHeldUrgent,
    RecordFirstContact,
    RecordSend,
    RecordSummary,
    ReleaseSend,
    ReleaseSummary,
    limit_key,
)
from intake_common.domain.ports import LimitsStore
from intake_local.template import LocalStack
from tests.support.fakes import InMemoryLimitsStore
from tests.support.stack import REGION

WINDOW = "2026-11-30T14:00Z"
KEY = limit_key("sms", WINDOW)
LATER = 4102444800
DIGEST = "digest#2026-11-30#email"


@pytest.fixture
def stores(tables: LocalStack) -> list[LimitsStore]:
    client = boto3.client("dynamodb", region_name=REGION)
    return [InMemoryLimitsStore(), DynamoLimitsStore(tables.physical["AlertLimitsTable"], client)]


@pytest.fixture
def budgets(stores: list[LimitsStore]) -> list[AlertBudget]:
    return [AlertBudget(store) for store in stores]


CASES: dict[str, tuple[list[LimitTransition], LimitTransition]] = {
    "grant in an empty window": ([], Grant("sms", WINDOW, "a", 1, LATER)),
    "grant past the cap": (
        [Grant("sms", WINDOW, "a", 1, LATER)],
        Grant("sms", WINDOW, "b", 1, LATER),
    ),
    "grant the same id again": (
        [Grant("sms", WINDOW, "a", 1, LATER)],
        Grant("sms", WINDOW, "a", 1, LATER),
    ),
    "hold in an empty window": ([], Hold("sms", WINDOW, False, LATER)),
    "hold an urgent one": ([Hold("sms", WINDOW, False, LATER)], Hold("sms", WINDOW, True, LATER)),
    "claim a key": ([], ClaimOnce(KEY, "r1", LATER)),
    "claim it for another owner": ([ClaimOnce(KEY, "r1", LATER)], ClaimOnce(KEY, "r2", LATER)),
    "claim it again, same owner": ([ClaimOnce(KEY, "r1", LATER)], ClaimOnce(KEY, "r1", LATER)),
    "claim a summary of no window": ([], ClaimSummary("sms", WINDOW, 100, 200)),
    "claim a summary": ([Hold("sms", WINDOW, False, LATER)], ClaimSummary("sms", WINDOW, 100, 200)),
    "claim a leased summary": (
        [Hold("sms", WINDOW, False, LATER), ClaimSummary("sms", WINDOW, 100, 200)],
        ClaimSummary("sms", WINDOW, 150, 250),
    ),
    "release a summary claim": (
        [Hold("sms", WINDOW, False, LATER), ClaimSummary("sms", WINDOW, 100, 200)],
        ReleaseSummary("sms", WINDOW),
    ),
    "release a sent summary": (
        [Hold("sms", WINDOW, False, LATER), RecordSummary("sms", WINDOW, "t")],
        ReleaseSummary("sms", WINDOW),
    ),
    "record a summary": (
        [Hold("sms", WINDOW, False, LATER), ClaimSummary("sms", WINDOW, 100, 200)],
        RecordSummary("sms", WINDOW, "t"),
    ),
    "record a summary of no window": ([], RecordSummary("sms", WINDOW, "t")),
    "claim a send": ([], ClaimSend(DIGEST, 100, 200, LATER)),
    "claim a send another holds": (
        [ClaimSend(DIGEST, 100, 200, LATER)],
        ClaimSend(DIGEST, 150, 250, LATER),
    ),
    "claim a send whose lease lapsed": (
        [ClaimSend(DIGEST, 100, 200, LATER)],
        ClaimSend(DIGEST, 201, 300, LATER),
    ),
    "claim a send that went": (
        [ClaimSend(DIGEST, 100, 200, LATER), RecordSend(DIGEST, "t")],
        ClaimSend(DIGEST, 900, 1000, LATER),
    ),
    "release a send": ([ClaimSend(DIGEST, 100, 200, LATER)], ReleaseSend(DIGEST)),
    "release a send that went": (
        [ClaimSend(DIGEST, 100, 200, LATER), RecordSend(DIGEST, "t")],
        ReleaseSend(DIGEST),
    ),
    "release no send": ([], ReleaseSend(DIGEST)),
    "record a send": ([ClaimSend(DIGEST, 100, 200, LATER)], RecordSend(DIGEST, "t")),
    "record no send": ([], RecordSend(DIGEST, "t")),
    "grant a confirmation": (
        [],
        GrantConfirmation("email", "hour#2026-11-30T14:00Z", "a", 1, LATER),
    ),
    "grant a confirmation past its cap": (
        [GrantConfirmation("email", "day#2026-11-30", "a", 1, LATER)],
        GrantConfirmation("email", "day#2026-11-30", "b", 1, LATER),
    ),
    "record a first contact": ([], RecordFirstContact("2026-W49", 95, True, LATER)),
    "record another": (
        [RecordFirstContact("2026-W49", 95, True, LATER)],
        RecordFirstContact("2026-W49", 12, False, LATER),
    ),
    "record another urgent one": (
        [RecordFirstContact("2026-W49", 95, True, LATER)],
        RecordFirstContact("2026-W49", 30, True, LATER),
    ),
    "name a held urgent request": ([], NoteHeldUrgent("sms", WINDOW, "K7Q2-93XD", LATER)),
    "name one past the cap": (
        [NoteHeldUrgent("sms", WINDOW, "A", LATER, cap=1)],
        NoteHeldUrgent("sms", WINDOW, "B", LATER, cap=1),
    ),
    "name the same one again": (
        [NoteHeldUrgent("sms", WINDOW, "A", LATER, cap=1)],
        NoteHeldUrgent("sms", WINDOW, "A", LATER, cap=1),
    ),
}


def test_every_transition_of_the_limits_table_has_a_contract_case() -> None:
    covered = {type(transition) for _, transition in CASES.values()}
    assert covered == set(TRANSITIONS)


@pytest.mark.parametrize("case", list(CASES))
def test_a_transition_has_the_same_outcome_in_memory_and_on_dynalite(
    stores: list[LimitsStore], case: str
) -> None:
    before, transition = CASES[case]
    results: list[tuple[bool, Any]] = []
    for store in stores:
        for step in before:
            assert store.change(step.key, step)
        results.append((store.change(transition.key, transition), store.get(transition.key)))

    (memory_ok, memory_item), (table_ok, table_item) = results
    assert memory_ok == table_ok
    assert memory_item == table_item


def test_grants_to_the_cap_then_holds_and_a_granted_id_stays_granted(
    budgets: list[AlertBudget],
) -> None:
    outcomes = []
    for budget in budgets:
        decisions = [budget.reserve("sms", WINDOW, f"id-{i}", 2, LATER) for i in range(4)]
        decisions.append(budget.reserve("sms", WINDOW, "id-0", 2, LATER))  # a retry
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
        budget.reserve("email", WINDOW, "a", 1, LATER)
        budget.reserve("email", WINDOW, "b", 1, LATER)
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
        budget.reserve("email", WINDOW, "a", 1, LATER)
        held = [
            budget.reserve("email", WINDOW, "b", 1, LATER, urgent=True),
            budget.reserve("email", WINDOW, "c", 1, LATER),
            budget.reserve("email", WINDOW, "c#confirmation", 1, LATER, counted=False),
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
            budget.claim_once("confirmation#abc#2026-11-30", "request-1", LATER),
            budget.claim_once("confirmation#abc#2026-11-30", "request-2", LATER),
            budget.claim_once("confirmation#abc#2026-11-30", "request-1", LATER),
            budget.claim_once("confirmation#abc#2026-12-01", "request-2", LATER),
        )
        for budget in budgets
    ]

    assert outcomes[0] == outcomes[1] == (True, False, True, True)


def test_held_urgent_requests_are_named_up_to_the_cap_and_all_counted(
    budgets: list[AlertBudget],
) -> None:
    outcomes = []
    for budget in budgets:
        budget.reserve("sms", WINDOW, "calm", 1, LATER)  # takes the window's one place
        for n in range(HELD_URGENT_NAMED + 2):
            budget.reserve("sms", WINDOW, f"u{n}", 1, LATER, urgent=True, reference=f"R{n:03}")
        budget.reserve("sms", WINDOW, "u0", 1, LATER, urgent=True, reference="R000")  # a retry
        counter = budget.window("sms", WINDOW)
        assert counter is not None
        outcomes.append((counter.held_urgent, sorted(counter.held_urgent_refs)))

    assert outcomes[0] == outcomes[1]
    count, named = outcomes[0]
    assert count == HELD_URGENT_NAMED + 3  # the retry is counted again (a count, not a set)
    assert named == [f"R{n:03}" for n in range(HELD_URGENT_NAMED)]


def test_the_budget_writes_each_claim_as_its_method_says(
    stores: list[LimitsStore], budgets: list[AlertBudget]
) -> None:
    for store, budget in zip(stores, budgets, strict=True):
        assert budget.claim_send(DIGEST, 100, 200, LATER)
        assert store.get(DIGEST) == {LIMITS_KEY: DIGEST, "lease_until": 200, "expires_at": LATER}
        assert not budget.claim_send(DIGEST, 200, 300, LATER)  # leased up to and at 200
        assert budget.claim_send(DIGEST, 201, 300, LATER)
        budget.release_send(DIGEST)
        assert store.get(DIGEST) == {LIMITS_KEY: DIGEST, "expires_at": LATER}
        assert budget.claim_send(DIGEST, 202, 400, LATER)
        budget.record_send(DIGEST, "2026-11-30T15:01:00.000+00:00")
        sent = {LIMITS_KEY: DIGEST, "expires_at": LATER, "sent_at": "2026-11-30T15:01:00.000+00:00"}
        assert store.get(DIGEST) == sent
        budget.release_send(DIGEST)  # too late: it went
        assert store.get(DIGEST) == sent
        assert not budget.claim_send(DIGEST, 10**9, 10**9 + 60, LATER)

        assert not budget.was_erased("a-request")
        budget.mark_erased("a-request", LATER)
        mark = store.get("erased#a-request")
        assert mark == {LIMITS_KEY: "erased#a-request", "owner": "erase", "expires_at": LATER}
        assert budget.was_erased("a-request")


def test_a_summary_leased_until_a_second_is_not_taken_over_at_that_second(
    budgets: list[AlertBudget],
) -> None:
    for budget in budgets:
        budget.reserve("sms", WINDOW, "a", 0, LATER)
        assert budget.claim_summary("sms", WINDOW, 100, 200)
        assert not budget.claim_summary("sms", WINDOW, 200, 300)
        assert budget.claim_summary("sms", WINDOW, 201, 300)


def test_the_budgets_counters_keep_until_the_time_they_are_given(
    stores: list[LimitsStore], budgets: list[AlertBudget]
) -> None:
    # Each write sets the counter's TTL (expires_at), so it goes KEEP_DAYS after its window.
    def expires() -> Any:
        counter = store.get(KEY)
        assert counter is not None
        return counter["expires_at"]

    for store, budget in zip(stores, budgets, strict=True):
        assert budget.reserve("sms", WINDOW, "a", 1, LATER) == "granted"
        assert expires() == LATER
        assert budget.reserve("sms", WINDOW, "b", 1, LATER + 1) == "held"
        assert expires() == LATER + 1
        assert budget.reserve("sms", WINDOW, "c", 1, LATER + 2, urgent=True, reference="R") == (
            "held"
        )
        assert expires() == LATER + 2
        assert budget.reserve_confirmation("c", (("hour#x", 1), ("day#y", 1)), LATER) is True
        hour = store.get("confirmations#hour#x")
        assert hour is not None
        assert (hour["channel"], hour["window"], hour["expires_at"]) == ("email", "hour#x", LATER)
        assert budget.reserve_confirmation("d", (("hour#x", 1), ("day#y", 1)), LATER) is False
