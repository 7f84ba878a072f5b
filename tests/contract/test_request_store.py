"""The in-memory fake of the requests table behaves as the table does on dynalite.

Each case starts both from the same items, applies the same transitions, and requires the same
answers and the same items afterwards. That is what lets the unit tier use the fake.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import boto3
import pytest

from intake_common.aws.table import DynamoRequestStore, from_attributes
from intake_common.domain.item import (
    TRANSITIONS,
    CallAttempt,
    ChangeStatus,
    ClaimAlert,
    ClaimAlerts,
    CompleteAlerts,
    DecideBudget,
    FailAfterBounces,
    LogAttempt,
    RecordAlert,
    RecordBounce,
    ReleaseAlert,
    RequestItem,
    StatusChange,
    Transition,
    timestamp,
)
from intake_common.domain.paging import Phase
from intake_common.domain.ports import RequestStore
from intake_local.template import LocalStack
from tests.support.builders import NOW, stored
from tests.support.fakes import InMemoryRequestStore
from tests.support.stack import REGION

EPOCH = int(NOW.timestamp())
KEY = "email:frontdesk@clinic.example"


@dataclass
class Both:
    fake: InMemoryRequestStore
    table: DynamoRequestStore

    def each(self) -> Iterator[RequestStore]:
        yield self.fake
        yield self.table


@pytest.fixture
def both(tables: LocalStack) -> Both:
    client = boto3.client("dynamodb", region_name=REGION)
    table = DynamoRequestStore(tables.physical["RequestsTable"], client)
    return Both(InMemoryRequestStore(), table)


NEWEST_NEW = Phase("new", "all", oldest_first=False)
NEWEST_SPAM = Phase("spam", "all", oldest_first=False)


def _claim(lease_until: int = EPOCH + 60) -> ClaimAlert:
    return ClaimAlert(KEY, "2026-11-30T14:02:00.000+00:00", EPOCH, lease_until)


def _escalate() -> ClaimAlert:
    key = "escalation-email:lead@clinic.example"
    return ClaimAlert(key, "2026-11-30T15:02:00.000+00:00", EPOCH, EPOCH + 60, only_while="new")


def _claim_both(lease_until: int = EPOCH + 60) -> ClaimAlerts:
    keys = (KEY, "sms:+14155550101")
    return ClaimAlerts(keys, "2026-11-30T14:02:00.000+00:00", EPOCH, lease_until)


def _mark(from_: Any, to: Any, outcome: Any = None) -> ChangeStatus:
    change = StatusChange(
        at="2026-11-30T15:00:00+00:00", by="Dana", from_=from_, to=to, outcome=outcome
    )
    return ChangeStatus(change)


def _attempt(result: Any = "no_answer") -> LogAttempt:
    return LogAttempt(CallAttempt(at="2026-11-30T15:00:00.000+00:00", by="Dana", result=result))


def _note() -> LogAttempt:
    attempt = CallAttempt(
        at="2026-11-30T15:00:00.000+00:00", by="Dana", result="voicemail", note="left a message"
    )
    return LogAttempt(attempt)


CASES: dict[str, tuple[list[Transition], Transition]] = {
    "claim a fresh alert": ([], _claim()),
    "claim one another delivery holds": ([_claim()], _claim()),
    "claim one whose lease ran out": ([_claim(lease_until=EPOCH - 1)], _claim()),
    "claim one whose lease ends this second": ([_claim(lease_until=EPOCH)], _claim()),
    "claim one already sent": ([RecordAlert(KEY, "sent", "t")], _claim()),
    "release a claim": ([_claim()], ReleaseAlert(KEY, "TooManyRequestsException", "t")),
    "release what was not claimed": ([], ReleaseAlert(KEY, "Throttling", "t")),
    "record a failure": ([_claim()], RecordAlert(KEY, "failed", "t", "OptedOut")),
    "complete a pending alert": ([], CompleteAlerts("sent", "t")),
    "complete it twice": ([CompleteAlerts("failed", "t")], CompleteAlerts("sent", "t2")),
    "mark a new request contacted": ([], _mark("new", "contacted")),
    "mark from a status it no longer has": ([_mark("new", "contacted")], _mark("new", "closed")),
    "mark twice, with history": ([_mark("new", "contacted")], _mark("contacted", "scheduled")),
    "claim two at once": ([], _claim_both()),
    "claim two when one is sent": ([RecordAlert(KEY, "sent", "t")], _claim_both()),
    "claim two when one is leased": ([_claim()], _claim_both()),
    "claim two whose leases ran out": ([_claim_both(lease_until=EPOCH - 1)], _claim_both()),
    "decide a channel's budget": ([], DecideBudget("sms", "held")),
    "decide it a second time": ([DecideBudget("sms", "granted")], DecideBudget("sms", "held")),
    "decide the other channel": ([DecideBudget("sms", "held")], DecideBudget("email", "granted")),
    "decide an escalation's channel": (
        [DecideBudget("email", "granted")],
        DecideBudget("escalation-email", "held"),
    ),
    "log an attempt": ([], _attempt()),
    "log another attempt": ([_attempt()], _attempt("voicemail")),
    "log an attempt with a note": ([], _note()),
    "log an attempt on a closed request": ([_mark("new", "closed", "spam")], _attempt()),
    "close with an outcome": (
        [_mark("new", "contacted")],
        _mark("contacted", "closed", "referred"),
    ),
    "claim an escalation while new": ([], _escalate()),
    "claim an escalation once contacted": ([_mark("new", "contacted")], _escalate()),
    "record a bounce of a sent alert": (
        [RecordAlert(KEY, "sent", "t")],
        RecordBounce(KEY, "t2", "Permanent/General"),
    ),
    "record the same bounce again": (
        [RecordAlert(KEY, "sent", "t"), RecordBounce(KEY, "t2", "Permanent/General")],
        RecordBounce(KEY, "t3", "Permanent/General"),
    ),
    "record a bounce of an alert never sent": ([_claim()], RecordBounce(KEY, "t2", "Reject")),
    "record a bounce of no alert at all": ([], RecordBounce(KEY, "t2", "Reject")),
    "fail a sent request whose alerts bounced": (
        [CompleteAlerts("sent", "t")],
        FailAfterBounces(),
    ),
    "fail a request still pending": ([], FailAfterBounces()),
}


def test_every_transition_of_the_item_has_a_contract_case() -> None:
    # A transition with no case here could behave differently on the fake and on DynamoDB.
    covered = {type(transition) for _, transition in CASES.values()}
    assert covered == set(TRANSITIONS)


@pytest.mark.parametrize("case", list(CASES))
def test_a_transition_has_the_same_outcome_on_the_fake_and_on_dynalite(
    both: Both, case: str
) -> None:
    before, transition = CASES[case]
    item = stored()
    results: list[tuple[bool, RequestItem | None]] = []
    for store in both.each():
        store.insert(item)
        for step in before:
            assert store.change(item.submission_id, step)
        results.append(
            (store.change(item.submission_id, transition), store.get(item.submission_id))
        )

    (fake_ok, fake_item), (table_ok, table_item) = results
    assert fake_ok == table_ok
    assert fake_item == table_item
    # And attribute by attribute, as stored: names (a history entry's "from"), no nulls.
    raw = both.table.client.get_item(
        TableName=both.table.table_name, Key={"submission_id": {"S": item.submission_id}}
    )["Item"]
    assert fake_item is not None
    assert from_attributes(raw) == fake_item.attributes()


@pytest.mark.parametrize(
    "transition",
    [
        _claim(),
        _claim_both(),
        ReleaseAlert(KEY, "x", "t"),
        RecordAlert(KEY, "sent", "t"),
        CompleteAlerts("sent", "t"),
        _mark("new", "contacted"),
        DecideBudget("email", "granted"),
    ],
)
def test_no_transition_creates_an_item_that_is_not_there(
    both: Both, transition: Transition
) -> None:
    # An erased request must not come back as a half-written item when a late alert lands.
    for store in both.each():
        assert store.change("00000000-0000-4000-8000-000000000000", transition) is False
        assert store.get("00000000-0000-4000-8000-000000000000") is None


def test_insert_stores_once_and_returns_what_is_already_there(both: Both) -> None:
    item = stored()
    for store in both.each():
        assert store.insert(item) is None
        assert store.insert(item.model_copy(update={"full_name": "Other"})) == item
        assert store.delete(item.submission_id) is True
        assert store.delete(item.submission_id) is False


def test_the_indexes_answer_alike(both: Both) -> None:
    items = [stored(now=NOW + timedelta(minutes=i)) for i in range(3)]
    spam = stored(now=NOW + timedelta(minutes=5), website="x")
    since = timestamp(NOW + timedelta(minutes=1))
    answers = []
    for store in both.each():
        for item in [*items, spam]:
            store.insert(item)
        store.change(items[0].submission_id, CompleteAlerts("sent", "t"))
        answers.append(
            (
                store.ids_by_reference(items[1].reference),
                [row.submission_id for row in store.page_by_status(NEWEST_NEW, since, None, 10)[0]],
                [
                    row.submission_id
                    for row in store.page_by_status(NEWEST_SPAM, timestamp(NOW), None, 10)[0]
                ],
                sorted(store.pending_alerts(timestamp(NOW + timedelta(minutes=2)), 10)),
            )
        )

    assert answers[0] == answers[1]
    by_reference, new_since, spam_rows, pending = answers[0]
    assert by_reference == [items[1].submission_id]
    assert new_since == [items[2].submission_id, items[1].submission_id]  # newest first
    assert spam_rows == [spam.submission_id]
    assert pending == [items[1].submission_id]


def _follow(store: RequestStore, phase: Phase, since: str, limit: int) -> list[str]:
    """Every row of a phase, page after page, as the staff list follows its cursor."""
    shown: list[str] = []
    start = None
    for _ in range(100):
        rows, start = store.page_by_status(phase, since, start, limit)
        shown += [row.submission_id for row in rows]
        if start is None:
            return shown
    raise AssertionError("the pages never ended")


@pytest.mark.parametrize("limit", [1, 2, 3, 50])
def test_pages_follow_on_alike_whatever_their_size(both: Both, limit: int) -> None:
    urgent = [stored(now=NOW + timedelta(minutes=m), reason="I want to die") for m in (0, 4, 6)]
    others = [stored(now=NOW + timedelta(minutes=m)) for m in (1, 2, 3, 5, 7)]
    held = others[1]
    answers = []
    for store in both.each():
        for item in [*urgent, *others]:
            store.insert(item)
        store.change(held.submission_id, CompleteAlerts("summarized", "t"))
        answers.append(
            [
                _follow(store, phase, timestamp(NOW + timedelta(minutes=1)), limit)
                for phase in (
                    Phase("new", "urgent", oldest_first=True),
                    Phase("new", "not_urgent", oldest_first=True),
                    Phase("new", "not_urgent", oldest_first=False),
                    Phase("new", "held", oldest_first=False),
                    Phase("new", "all", oldest_first=False),
                )
            ]
        )

    assert answers[0] == answers[1]
    up, others_up, others_down, held_rows, every = answers[0]
    assert up == [urgent[1].submission_id, urgent[2].submission_id]  # since minute 1
    assert others_up == [item.submission_id for item in others]
    assert others_down == others_up[::-1]
    assert held_rows == [held.submission_id]
    assert len(every) == 7


def test_the_attempts_of_a_page_answer_alike(both: Both) -> None:
    tried, untried = stored(), stored()
    answers = []
    for store in both.each():
        for item in (tried, untried):
            store.insert(item)
        store.change(tried.submission_id, _attempt())
        store.change(tried.submission_id, _attempt("wrong_number"))
        missing = "00000000-0000-4000-8000-00000000dead"
        answers.append(store.attempts_of([tried.submission_id, untried.submission_id, missing]))

    assert answers[0] == answers[1]
    assert {k: [a.result for a in v] for k, v in answers[0].items()} == {
        tried.submission_id: ["no_answer", "wrong_number"]
    }


def test_whole_items_are_read_in_batches_alike(both: Both) -> None:
    items = [stored() for _ in range(3)]
    answers = []
    for store in both.each():
        for item in items:
            store.insert(item)
        gone = "00000000-0000-4000-8000-00000000dead"
        found = store.items_by_ids([items[2].submission_id, gone, items[0].submission_id])
        answers.append(sorted(found, key=lambda item: item.submission_id))

    assert answers[0] == answers[1]
    assert answers[0] == sorted([items[0], items[2]], key=lambda item: item.submission_id)
