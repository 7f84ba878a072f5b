"""The staff operations' edges, each found by a mutant of services/staff.py that the other tests
let through: pages that end on a status boundary, the figures' audit, a call attempt on a request
erased meanwhile, what an unreachable offer counts as a day, and what ops read when a figure
cannot be written."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from intake_common.domain import paging
from intake_common.domain.audit import Actor, AuditEntry
from intake_common.domain.item import OUTCOMES, CallAttempt, RequestItem, Transition, timestamp
from intake_common.domain.ports import StorageUnavailable
from intake_common.runtime.observability import metrics
from intake_common.services import staff as logic
from intake_common.services.callbacks import Figures
from tests.support.builders import NOW, stored
from tests.support.fakes import InMemoryLimitsStore, StaffFakes
from tests.unit.test_figures import TARGETS

ACTOR = Actor("cognito:nurse", "Nurse")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def fakes() -> StaffFakes:
    return StaffFakes()


def _insert(fakes: StaffFakes, status: str, count: int, hours_ago: int = 1) -> list[RequestItem]:
    items = [
        stored(now=NOW - timedelta(hours=hours_ago, minutes=m)).model_copy(
            update={"status": status}
        )
        for m in range(count)
    ]
    for item in items:
        fakes.store.insert(item)
    return items


def test_an_export_page_full_at_the_end_of_a_status_goes_on_with_the_next_status(
    fakes: StaffFakes,
) -> None:
    new = _insert(fakes, "new", 2)
    contacted = _insert(fakes, "contacted", 2)
    since = NOW - timedelta(days=1)

    first = logic.export_page(fakes.deps, ACTOR, NOW, since, limit=2)
    assert [i.submission_id for i in first.items] == [i.submission_id for i in new]
    assert first.cursor == paging.Cursor("export", 1, None)  # the next status, from its start
    second = logic.export_page(fakes.deps, ACTOR, NOW, since, first.cursor, limit=2)
    assert [i.submission_id for i in second.items] == [i.submission_id for i in contacted]
    assert second.cursor == paging.Cursor("export", 2, None)
    third = logic.export_page(fakes.deps, ACTOR, NOW, since, second.cursor, limit=2)
    assert (third.items, third.cursor) == ([], None)


def test_a_page_shares_its_size_across_statuses(fakes: StaffFakes) -> None:
    _insert(fakes, "new", 2)
    _insert(fakes, "contacted", 2)
    scheduled = _insert(fakes, "scheduled", 2)
    since = NOW - timedelta(days=1)

    page = logic.export_page(fakes.deps, ACTOR, NOW, since, limit=5)

    # 2 new + 2 contacted leave room for 1 scheduled: the page is full, and goes on there.
    assert len(page.items) == 5
    assert page.items[-1].submission_id == scheduled[0].submission_id
    assert page.cursor is not None
    assert page.cursor.phase == 2


def test_a_period_view_leaves_out_what_came_before_the_period(fakes: StaffFakes) -> None:
    (old,) = _insert(fakes, "contacted", 1, hours_ago=72)
    (recent,) = _insert(fakes, "contacted", 1, hours_ago=2)

    page = logic.list_page(fakes.deps, ACTOR, NOW, view="contacted", since=NOW - timedelta(days=1))

    assert [row.submission_id for row in page.rows] == [recent.submission_id]
    assert old.submission_id in fakes.store.items


def test_the_weeks_figures_are_audited_and_read_for_now(fakes: StaffFakes) -> None:
    figures = Figures(InMemoryLimitsStore(), TARGETS)
    deps = logic.Dependencies(fakes.store, fakes.audit, fakes.deps.erased, figures)

    weeks = logic.figures(deps, ACTOR, NOW)

    assert weeks == figures.weeks(NOW)
    (entry,) = fakes.audit.entries
    assert entry == AuditEntry(
        at=timestamp(NOW), by=ACTOR.identity, by_name=ACTOR.name, action="figures"
    )
    assert logic.figures(fakes.deps, ACTOR, NOW) == []  # no figures store: none to show
    assert [e.action for e in fakes.audit.entries] == ["figures", "figures"]


def test_an_attempt_without_a_note_stores_none(fakes: StaffFakes) -> None:
    (item,) = _insert(fakes, "new", 1)

    logged = logic.log_attempt(fakes.deps, ACTOR, NOW, item.reference, "no_answer")

    assert logged.attempts[-1].note is None
    (entry,) = fakes.audit.entries  # the trail names the request and what the call found
    assert entry == AuditEntry(
        at=timestamp(NOW),
        by=ACTOR.identity,
        by_name=ACTOR.name,
        action="attempt",
        reference=item.reference,
        submission_id=item.submission_id,
        status="no_answer",
    )
    stored_item = fakes.store.get(item.submission_id)
    assert stored_item is not None
    assert stored_item.attempts[-1].note is None


def test_an_attempt_on_a_request_erased_meanwhile_is_refused_as_changed(
    fakes: StaffFakes,
) -> None:
    (item,) = _insert(fakes, "new", 1)
    real_change = fakes.store.change

    def erased_first(submission_id: str, transition: Transition) -> bool:
        fakes.store.items.pop(submission_id)
        return real_change(submission_id, transition)

    fakes.store.change = erased_first  # type: ignore[method-assign]

    with pytest.raises(logic.ChangedMeanwhile) as changed:
        logic.log_attempt(fakes.deps, ACTOR, NOW, item.reference, "no_answer")
    assert str(changed.value) == (
        f"{item.reference} was changed by someone else just now: look again"
    )


def test_closing_without_an_outcome_lists_the_outcomes(fakes: StaffFakes) -> None:
    (item,) = _insert(fakes, "contacted", 1)

    with pytest.raises(logic.NotAllowed) as refused:
        logic.mark(fakes.deps, ACTOR, NOW, item.reference, "closed", None)
    assert str(refused.value) == (
        f"closing {item.reference} needs an outcome ({', '.join(OUTCOMES)})"
    )


def test_each_closing_outcome_is_counted_with_its_unit(fakes: StaffFakes) -> None:
    (item,) = _insert(fakes, "contacted", 1)
    metrics.clear_metrics()

    logic.mark(fakes.deps, ACTOR, NOW, item.reference, "closed", None, "referred")

    closed = metrics.metric_set["ClosedReferred"]
    assert (closed["Unit"], list(closed["Value"])) == ("Count", [1.0])
    metrics.clear_metrics()


def test_unreachable_counts_days_in_the_clinics_zone_not_the_machines(elsewhere: None) -> None:
    # 05:30 and 09:00 on 30 November in New York: one clinic day, though in Auckland (the
    # machine's zone here) they fall on 30 November and 1 December.
    tries = tuple(
        CallAttempt(at=at, by="cognito:nurse", result="no_answer")
        for at in ("2026-11-30T10:30:00.000+00:00", "2026-11-30T14:00:00.000+00:00")
    )

    assert not logic.offers_unreachable(tries, "new", 2, NEW_YORK)


def test_attempts_are_read_only_for_rows_nobody_has_reached(fakes: StaffFakes) -> None:
    contacted = _insert(fakes, "contacted", 1)
    rows = logic.list_page(
        fakes.deps, ACTOR, NOW, view="contacted", since=NOW - timedelta(days=1)
    ).rows
    fakes.journal.events.clear()

    assert logic.attempts_of(fakes.deps, rows) == {}
    assert contacted
    assert fakes.journal.events == []  # no read for a page with no new request


def test_a_first_contact_the_figures_cannot_count_is_said_and_the_change_stands(
    fakes: StaffFakes, logs: io.StringIO
) -> None:
    class Down(Figures):
        def record(self, created_at: str, first_contact: datetime, *, urgent: bool) -> int:
            raise StorageUnavailable("ProvisionedThroughputExceededException")

    deps = logic.Dependencies(
        fakes.store, fakes.audit, fakes.deps.erased, Down(InMemoryLimitsStore(), TARGETS)
    )
    (item,) = _insert(fakes, "new", 1)

    logic.mark(deps, ACTOR, NOW, item.reference, "contacted", None)

    lines = [json.loads(text) for text in logs.getvalue().splitlines()]
    (line,) = [x for x in lines if x["level"] == "WARNING"]
    assert (line["message"], line["error"]) == (
        "first contact not counted in the week's figure",
        "ProvisionedThroughputExceededException",
    )
    after = fakes.store.get(item.submission_id)
    assert after is not None
    assert after.status == "contacted"
    metrics.clear_metrics()
