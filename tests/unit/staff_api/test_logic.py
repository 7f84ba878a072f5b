"""The staff operations with in-memory fakes: the audit rules, expiry, ambiguity, changes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from intake_common.domain import paging
from intake_common.domain.audit import Actor
from intake_common.domain.item import (
    MAX_ATTEMPTS,
    CompleteAlerts,
    RequestItem,
    RequestSummary,
    timestamp,
)
from intake_common.domain.ports import StorageUnavailable
from intake_common.services import staff as logic
from tests.support.builders import NOW, stored
from tests.support.fakes import (
    InMemoryRequestStore,
    Journal,
    StaffFakes,
)

ACTOR = Actor("arn:aws:sts::123456789012:assumed-role/Records/dana", "Dana Lee")


@pytest.fixture
def fakes() -> StaffFakes:
    return StaffFakes()


def _journal(fakes: StaffFakes) -> Journal:
    return fakes.journal


def test_show_audits_with_the_callers_identity_before_reading_the_request(
    fakes: StaffFakes,
) -> None:
    item = stored(reason="A private reason")
    fakes.store.insert(item)

    shown = logic.show(fakes.deps, ACTOR, NOW, item.reference.lower())

    assert shown.reason == "A private reason"
    (entry,) = fakes.audit.entries
    assert (entry.action, entry.by, entry.by_name) == ("show", ACTOR.identity, "Dana Lee")
    assert entry.reference == item.reference
    assert "private" not in entry.model_dump_json()


def test_a_name_given_never_replaces_the_identity(fakes: StaffFakes) -> None:
    item = stored()
    fakes.store.insert(item)

    logic.show(
        fakes.deps,
        Actor("arn:aws:iam::123456789012:user/mallory", "someone-else"),
        NOW,
        item.reference,
    )

    (entry,) = fakes.audit.entries
    assert entry.by == "arn:aws:iam::123456789012:user/mallory"


def test_nothing_is_revealed_or_exported_when_the_audit_trail_cannot_be_written(
    fakes: StaffFakes,
) -> None:
    item = stored()
    fakes.store.insert(item)
    fakes.audit.fail = True

    for action in (
        lambda: logic.show(fakes.deps, ACTOR, NOW, item.reference),
        lambda: logic.export(fakes.deps, ACTOR, NOW, NOW - timedelta(days=1)),
        lambda: _rows(fakes),
        lambda: logic.erase(fakes.deps, ACTOR, NOW, item.reference),
    ):
        with pytest.raises(StorageUnavailable):
            action()
    assert fakes.store.get(item.submission_id) == item  # not erased either


def test_export_and_list_are_audited_before_any_request_is_read(fakes: StaffFakes) -> None:
    fakes.store.insert(stored())

    exported = logic.export(fakes.deps, ACTOR, NOW, NOW - timedelta(days=1))
    journal = _journal(fakes)
    assert len(exported) == 1
    assert journal.index("audit") < journal.index("store.page_by_status")

    _journal(fakes).events.clear()
    rows = _rows(fakes)
    assert len(rows) == 1
    assert _journal(fakes).index("audit") < _journal(fakes).index("store.page_by_status")
    assert [e.action for e in fakes.audit.entries] == ["export", "list"]


def test_an_expired_request_is_gone_even_before_dynamodb_deletes_it(fakes: StaffFakes) -> None:
    old = stored(now=datetime(2025, 1, 1, tzinfo=UTC), retention_days=30)
    fakes.store.insert(old)

    with pytest.raises(logic.NotFound):
        logic.show(fakes.deps, ACTOR, NOW, old.reference)
    assert logic.export(fakes.deps, ACTOR, NOW, datetime(2024, 1, 1, tzinfo=UTC)) == []
    assert _rows(fakes) == []
    assert _rows(fakes, "new", since=datetime(2024, 1, 1, tzinfo=UTC)) == []


def _two_sharing_a_reference(fakes: StaffFakes) -> tuple[RequestItem, RequestItem]:
    first = stored()
    second = stored().model_copy(update={"reference": first.reference})
    fakes.store.insert(first)
    fakes.store.insert(second)
    return first, second


def test_a_reference_two_requests_share_is_refused_with_both_ids(fakes: StaffFakes) -> None:
    first, second = _two_sharing_a_reference(fakes)

    with pytest.raises(logic.AmbiguousReference) as refused:
        logic.erase(fakes.deps, ACTOR, NOW, first.reference)

    assert set(refused.value.ids) == {first.submission_id, second.submission_id}
    assert fakes.store.get(first.submission_id)
    assert fakes.store.get(second.submission_id)
    # ...and either can still be reached by its id
    assert (
        logic.show(fakes.deps, ACTOR, NOW, second.submission_id).submission_id
        == second.submission_id
    )


def test_mark_records_who_when_and_a_note_and_refuses_a_closed_request(
    fakes: StaffFakes,
) -> None:
    item = stored()
    fakes.store.insert(item)

    marked = logic.mark(fakes.deps, ACTOR, NOW, item.reference, "contacted", "  left voicemail ")
    logic.mark(fakes.deps, ACTOR, NOW, item.reference, "closed", None, "scheduled")
    with pytest.raises(logic.NotAllowed, match="is closed"):
        logic.mark(fakes.deps, ACTOR, NOW, item.reference, "contacted", None)

    assert marked.change.note == "left voicemail"
    after = fakes.store.get(item.submission_id)
    assert after is not None
    # The identity the caller cannot choose, and the name they gave beside it
    assert [(c.from_, c.to, c.by, c.by_name) for c in after.history] == [
        ("new", "contacted", ACTOR.identity, "Dana Lee"),
        ("contacted", "closed", ACTOR.identity, "Dana Lee"),
    ]
    assert [e.action for e in fakes.audit.entries] == ["mark", "mark"]


def test_a_change_made_meanwhile_is_not_overwritten(fakes: StaffFakes) -> None:
    item = stored()

    class _SomeoneElseMarksIt(InMemoryRequestStore):
        def get(self, submission_id: str) -> RequestItem | None:
            # Someone else marks it contacted between our read and our write
            found = super().get(submission_id)
            self.items[submission_id] = item.model_copy(update={"status": "contacted"})
            return found

    fakes.store = _SomeoneElseMarksIt(journal=fakes.journal)
    fakes.store.insert(item)
    with pytest.raises(logic.ChangedMeanwhile, match=f"^{item.reference} was changed by someone"):
        logic.mark(fakes.deps, ACTOR, NOW, item.reference, "scheduled", None)


def test_erase_deletes_the_request_and_marks_its_id_for_the_queue(fakes: StaffFakes) -> None:
    item = stored()
    fakes.store.insert(item)

    erased = logic.erase(fakes.deps, ACTOR, NOW, item.reference)

    assert erased.submission_id == item.submission_id
    assert fakes.store.get(item.submission_id) is None
    (entry,) = fakes.audit.entries
    assert (entry.action, entry.submission_id) == ("erase", item.submission_id)
    # The mark: the id only, kept longer than the dead-letter queue keeps a message (14 days)
    (key,) = fakes.limits.items
    assert key == f"erased#{item.submission_id}"
    mark = fakes.limits.items[key]
    assert set(mark) == {"limit_key", "owner", "expires_at"}
    assert mark["expires_at"] > int(NOW.timestamp()) + 14 * 86400


@pytest.mark.parametrize(
    ("typed", "message"),
    [("not-a-ref", "is not a reference"), ("ZZZZ-ZZZZ", "no request has the reference ZZZZ-ZZZZ")],
)
def test_wrong_references_are_explained(fakes: StaffFakes, typed: str, message: str) -> None:
    with pytest.raises(logic.NotFound, match=message):
        logic.show(fakes.deps, ACTOR, NOW, typed)


def test_the_call_back_queue_is_open_urgent_first_then_the_longest_waiting(
    fakes: StaffFakes,
) -> None:
    old_urgent = stored(now=NOW - timedelta(days=20), reason="I can't go on")
    closed_urgent = stored(now=NOW - timedelta(hours=2), reason="I want to die")
    new_urgent = stored(now=NOW - timedelta(minutes=5), reason="I want to die")
    oldest = stored(now=NOW - timedelta(days=9))
    newest = stored(now=NOW - timedelta(hours=1))
    contacted = stored(now=NOW - timedelta(days=10))
    for item in (old_urgent, closed_urgent, new_urgent, oldest, newest, contacted):
        fakes.store.insert(item)
    logic.mark(
        fakes.deps, ACTOR, NOW, closed_urgent.reference, "closed", "Called, referred", "referred"
    )
    logic.mark(fakes.deps, ACTOR, NOW, contacted.reference, "contacted", None)

    # Whatever period the inbox shows, the queue holds every request nobody has reached.
    rows = _rows(fakes, "callback", since=NOW - timedelta(hours=1))

    assert [row.reference for row in rows] == [
        old_urgent.reference,  # urgent and open: first, the longest waiting first
        new_urgent.reference,
        oldest.reference,  # then the others, the longest waiting first
        newest.reference,
    ]


def test_a_status_view_is_newest_first_with_open_urgent_ones_ahead(fakes: StaffFakes) -> None:
    old_urgent = stored(now=NOW - timedelta(hours=3), reason="I can't go on")
    older = stored(now=NOW - timedelta(hours=2))
    newest = stored(now=NOW - timedelta(hours=1))
    for item in (old_urgent, older, newest):
        fakes.store.insert(item)

    rows = _rows(fakes, "new")

    assert [row.reference for row in rows] == [
        old_urgent.reference,
        newest.reference,
        older.reference,
    ]


def test_mark_writes_its_audit_entry_before_it_changes_anything(fakes: StaffFakes) -> None:
    item = stored()
    fakes.store.insert(item)
    _journal(fakes).events.clear()

    logic.mark(fakes.deps, ACTOR, NOW, item.reference, "contacted", None)

    journal = _journal(fakes)
    assert journal.index("audit") < journal.index("store.change")


def test_a_request_past_its_retention_is_gone_by_its_submission_id_too(
    fakes: StaffFakes,
) -> None:
    old = stored(now=datetime(2025, 1, 1, tzinfo=UTC), retention_days=30)
    fakes.store.insert(old)

    with pytest.raises(logic.NotFound):
        logic.show(fakes.deps, ACTOR, NOW, old.submission_id)
    assert fakes.audit.entries == []  # nothing was shown, so nothing to account for


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x.example")', '\'=HYPERLINK("http://x.example")'),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("-2+3", "'-2+3"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("+14155552671", "+14155552671"),  # a phone number stays a phone number
        ("-", "-"),
        ("Anna-Lena", "Anna-Lena"),
        (None, ""),
    ],
)
def test_csv_cells_a_spreadsheet_would_run_are_defused(value: str | None, cell: str) -> None:
    assert logic.csv_safe(value) == cell


def test_the_export_defuses_what_the_visitor_typed(fakes: StaffFakes) -> None:
    item = stored(reason="=1+1 and more")
    text = logic.csv_text([item])

    assert "'=1+1 and more" in text
    assert ",=1+1" not in text


def test_each_audit_entry_names_what_was_touched_or_asked(fakes: StaffFakes) -> None:
    item = stored()
    fakes.store.insert(item)
    since = NOW - timedelta(days=7)

    _rows(fakes, "new", since=since)
    logic.show(fakes.deps, ACTOR, NOW, item.reference)
    logic.mark(fakes.deps, ACTOR, NOW, item.reference, "contacted", None)
    logic.export(fakes.deps, ACTOR, NOW, since)
    logic.erase(fakes.deps, ACTOR, NOW, item.reference)

    ref, key = item.reference, item.submission_id
    assert [
        (e.action, e.reference, e.submission_id, e.status, e.since) for e in fakes.audit.entries
    ] == [
        ("list", None, None, "new", "2026-11-23T14:02:00.000+00:00"),
        ("show", ref, key, None, None),
        ("mark", ref, key, "contacted", None),
        ("export", None, None, None, "2026-11-23T14:02:00.000+00:00"),
        ("erase", ref, key, None, None),
    ]


def test_a_status_filter_reads_only_that_status(fakes: StaffFakes) -> None:
    new, contacted = stored(), stored()
    for item in (new, contacted):
        fakes.store.insert(item)
    logic.mark(fakes.deps, ACTOR, NOW, contacted.reference, "contacted", None)
    since = NOW - timedelta(days=1)

    rows = _rows(fakes, "contacted", since=since)

    assert [row.reference for row in rows] == [contacted.reference]
    reads = [d for name, d in _journal(fakes).events if name == "store.page_by_status"]
    assert reads == ["contacted urgent 500", "contacted not_urgent 50"]


def test_the_export_is_newest_first_and_erase_says_what_it_removed(fakes: StaffFakes) -> None:
    items = [stored(now=NOW - timedelta(hours=hours)) for hours in (5, 1, 3)]
    for item in items:
        fakes.store.insert(item)
    logic.mark(fakes.deps, ACTOR, NOW, items[0].reference, "contacted", None)

    exported = logic.export(fakes.deps, ACTOR, NOW, NOW - timedelta(days=1))
    assert [i.submission_id for i in exported] == [
        items[1].submission_id,
        items[2].submission_id,
        items[0].submission_id,
    ]

    erased = logic.erase(fakes.deps, ACTOR, NOW, items[1].reference)
    assert (erased.reference, erased.submission_id) == (items[1].reference, items[1].submission_id)


def test_mark_keeps_the_note_to_500_characters_and_names_what_is_allowed(
    fakes: StaffFakes,
) -> None:
    item = stored()
    fakes.store.insert(item)

    marked = logic.mark(fakes.deps, ACTOR, NOW, item.reference, "contacted", "x" * 600)
    assert marked.change.note == "x" * 500
    assert marked.reference == item.reference
    assert logic.mark(fakes.deps, ACTOR, NOW, item.reference, "scheduled", "").change.note is None

    with pytest.raises(logic.NotAllowed) as refused:
        logic.mark(fakes.deps, ACTOR, NOW, item.reference, "new", None)
    assert str(refused.value) == (
        f"{item.reference} is scheduled: it can be marked contacted, closed, not new"
    )
    logic.mark(fakes.deps, ACTOR, NOW, item.reference, "closed", None, "scheduled")
    with pytest.raises(logic.NotAllowed) as closed:
        logic.mark(fakes.deps, ACTOR, NOW, item.reference, "contacted", None)
    assert "it can be marked nothing (it is closed), not contacted" in str(closed.value)


def test_an_unknown_id_and_a_shared_reference_are_explained(fakes: StaffFakes) -> None:
    with pytest.raises(logic.NotFound, match=r"^no request has this id$"):
        logic.show(fakes.deps, ACTOR, NOW, str(uuid.uuid4()))
    # 36 characters with dashes in the wrong count is not an id: read as a reference
    with pytest.raises(logic.NotFound, match="is not a reference"):
        logic.show(fakes.deps, ACTOR, NOW, "a" * 36)

    first, second = _two_sharing_a_reference(fakes)
    with pytest.raises(logic.AmbiguousReference) as refused:
        logic.show(fakes.deps, ACTOR, NOW, first.reference)
    ids = ", ".join(sorted([first.submission_id, second.submission_id]))
    assert str(refused.value) == (
        f"2 requests share the reference {first.reference}: use the id instead ({ids})"
    )


def test_a_list_pages_through_everything_with_its_cursor(fakes: StaffFakes) -> None:
    for minutes in range(51):
        fakes.store.insert(stored(now=NOW - timedelta(minutes=minutes)))

    first = logic.list_page(fakes.deps, ACTOR, NOW, view="callback", since=NOW)
    assert len(first.rows) == 50
    assert first.cursor is not None
    again = paging.decode(first.cursor.encode(), "callback")
    second = logic.list_page(fakes.deps, ACTOR, NOW, view="callback", since=NOW, cursor=again)

    assert len(second.rows) == 1
    assert second.cursor is None
    shown = [row.submission_id for row in [*first.rows, *second.rows]]
    assert sorted(shown) == sorted(fakes.store.items)
    assert [e.action for e in fakes.audit.entries] == ["list", "list"]  # each page audited


def test_the_export_pages_newest_first_and_reads_whole_items_in_batches(
    fakes: StaffFakes,
) -> None:
    items = [stored(now=NOW - timedelta(minutes=m)) for m in range(5)]
    for item in items:
        fakes.store.insert(item)
    logic.mark(fakes.deps, ACTOR, NOW, items[0].reference, "contacted", None)
    since = NOW - timedelta(days=1)

    first = logic.export_page(fakes.deps, ACTOR, NOW, since, limit=3)
    assert first.cursor is not None
    again = paging.decode(first.cursor.encode(), "export")
    second = logic.export_page(fakes.deps, ACTOR, NOW, since, again, limit=3)

    assert second.cursor is None
    shown = [item.submission_id for item in [*first.items, *second.items]]
    # Status by status (new, then contacted), newest first within each.
    assert shown == [i.submission_id for i in items[1:]] + [items[0].submission_id]
    assert first.items[0].reason is not None  # whole items, for the CSV
    assert [e.action for e in fakes.audit.entries][-2:] == ["export", "export"]
    batches = [d for name, d in _journal(fakes).events if name == "store.items_by_ids"]
    assert batches == ["3", "2"]
    assert [i.submission_id for i in logic.export(fakes.deps, ACTOR, NOW, since)] == shown


def test_no_page_size_cuts_an_open_urgent_request(fakes: StaffFakes) -> None:
    urgent = [stored(now=NOW - timedelta(minutes=m), reason="I want to die") for m in range(12)]
    others = [stored(now=NOW - timedelta(hours=h)) for h in range(1, 4)]
    for item in (*urgent, *others):
        fakes.store.insert(item)

    page = logic.list_page(fakes.deps, ACTOR, NOW, view="callback", since=NOW, limit=5)

    assert [row.submission_id for row in page.rows[:12]] == [
        item.submission_id for item in reversed(urgent)
    ]
    assert len(page.rows) == 15  # all 12 urgent, then the 3 others within the limit of 5
    assert page.cursor is None


def test_a_flood_past_the_urgent_ceiling_goes_on_to_the_next_page(fakes: StaffFakes) -> None:
    for m in range(paging.URGENT_PAGE + 3):
        fakes.store.insert(stored(now=NOW - timedelta(minutes=m), reason="I want to die"))
    other = stored(now=NOW - timedelta(days=1))
    fakes.store.insert(other)

    first = logic.list_page(fakes.deps, ACTOR, NOW, view="callback", since=NOW)
    assert len(first.rows) == paging.URGENT_PAGE
    assert first.cursor is not None
    second = logic.list_page(
        fakes.deps, ACTOR, NOW, view="callback", since=NOW, cursor=first.cursor
    )

    assert [row.urgent for row in second.rows] == [True, True, True, False]
    assert second.rows[-1].submission_id == other.submission_id


def test_the_held_view_lists_requests_whose_alert_the_budget_held(fakes: StaffFakes) -> None:
    held, sent, pending = stored(), stored(), stored()
    for item in (held, sent, pending):
        fakes.store.insert(item)
    fakes.store.change(held.submission_id, CompleteAlerts("summarized", timestamp(NOW)))
    fakes.store.change(sent.submission_id, CompleteAlerts("sent", timestamp(NOW)))
    logic.mark(fakes.deps, ACTOR, NOW, held.reference, "contacted", None)

    rows = _rows(fakes, "held")

    assert [row.submission_id for row in rows] == [held.submission_id]


def _rows(
    fakes: StaffFakes, view: paging.ViewName = "callback", since: datetime | None = None
) -> list[RequestSummary]:
    page = logic.list_page(
        fakes.deps, ACTOR, NOW, view=view, since=since or NOW - timedelta(days=1)
    )
    return page.rows


def test_the_csv_has_one_header_and_crlf_line_ends(fakes: StaffFakes) -> None:
    text = logic.csv_text([stored(reason="Two\nlines")])

    rows = text.split("\r\n")
    assert rows[0] == ",".join(
        f"{c} (UTC)" if c in {"created_at", "first_contact_at"} else c for c in logic.EXPORT_COLUMNS
    )
    assert rows[-1] == ""  # RFC 4180: every record ends with CRLF
    assert len(rows) == 3  # header, the request (its newline stays inside quotes), end


def test_the_csv_gives_times_in_the_clinics_zone_and_says_which() -> None:
    # 2026-12-02 04:55 UTC is 23:55 the evening before in New York (issue 20's example).
    item = stored(now=datetime(2026, 12, 2, 4, 55, tzinfo=UTC))
    text = logic.csv_text([item], zone=ZoneInfo("America/New_York"))

    header, row = text.splitlines()[:2]
    assert "created_at (America/New_York)" in header.split(",")
    assert "2026-12-01T23:55:00-05:00" in row.split(",")
    assert logic.csv_text([item], header=False).count("reference") == 0


def test_closing_asks_for_an_outcome_and_only_closing_takes_one(fakes: StaffFakes) -> None:
    item = stored()
    fakes.store.insert(item)

    with pytest.raises(logic.NotAllowed, match="needs an outcome"):
        logic.mark(fakes.deps, ACTOR, NOW, item.reference, "closed", None)
    with pytest.raises(logic.NotAllowed, match="only when closing"):
        logic.mark(fakes.deps, ACTOR, NOW, item.reference, "contacted", None, "scheduled")
    logic.mark(fakes.deps, ACTOR, NOW, item.reference, "closed", "Booked Tue", "scheduled")

    closed = fakes.store.items[item.submission_id]
    assert (closed.status, closed.outcome) == ("closed", "scheduled")
    assert closed.history[-1].outcome == "scheduled"


def test_the_first_move_away_from_new_is_the_first_contact_once(fakes: StaffFakes) -> None:
    item = stored(now=NOW - timedelta(hours=5))
    fakes.store.insert(item)
    later = NOW + timedelta(days=1)

    logic.mark(fakes.deps, ACTOR, NOW, item.reference, "contacted", None)
    logic.mark(fakes.deps, ACTOR, later, item.reference, "scheduled", None)
    logic.mark(fakes.deps, ACTOR, later, item.reference, "contacted", None)

    assert fakes.store.items[item.submission_id].first_contact_at == timestamp(NOW)


def test_an_attempt_is_audited_first_kept_and_leaves_the_request_in_the_queue(
    fakes: StaffFakes,
) -> None:
    item = stored()
    fakes.store.insert(item)

    shown = logic.log_attempt(fakes.deps, ACTOR, NOW, item.reference, "voicemail", " Left msg ")

    assert [(a.result, a.note, a.by, a.by_name) for a in shown.attempts] == [
        ("voicemail", "Left msg", ACTOR.identity, "Dana Lee")
    ]
    assert fakes.store.items[item.submission_id].attempts == shown.attempts
    assert fakes.store.items[item.submission_id].status == "new"
    journal = _journal(fakes)
    assert journal.index("audit") < journal.index("store.change")
    (entry,) = fakes.audit.entries
    assert (entry.action, entry.reference, entry.status) == ("attempt", item.reference, "voicemail")
    assert [row.reference for row in _rows(fakes)] == [item.reference]


def test_no_attempt_on_a_closed_request_nor_past_the_cap(fakes: StaffFakes) -> None:
    closed, busy = stored(), stored()
    for item in (closed, busy):
        fakes.store.insert(item)
    logic.mark(fakes.deps, ACTOR, NOW, closed.reference, "closed", None, "duplicate")
    for _ in range(MAX_ATTEMPTS):
        logic.log_attempt(fakes.deps, ACTOR, NOW, busy.reference, "no_answer")

    with pytest.raises(logic.NotAllowed, match="is closed"):
        logic.log_attempt(fakes.deps, ACTOR, NOW, closed.reference, "no_answer")
    with pytest.raises(logic.NotAllowed, match=f"has {MAX_ATTEMPTS} attempts"):
        logic.log_attempt(fakes.deps, ACTOR, NOW, busy.reference, "no_answer")


def test_unreachable_is_offered_after_the_attempts_spread_over_days_while_nobody_reached(
    fakes: StaffFakes,
) -> None:
    item = stored(now=NOW - timedelta(days=3))
    fakes.store.insert(item)
    zone = ZoneInfo("America/New_York")
    moments = [NOW - timedelta(days=2), NOW - timedelta(days=2, hours=-2), NOW]
    for moment in moments[:2]:
        logic.log_attempt(fakes.deps, ACTOR, moment, item.reference, "no_answer")
    attempts = fakes.store.items[item.submission_id].attempts

    assert not logic.offers_unreachable(attempts, "new", 3, zone)  # two tries
    logic.log_attempt(fakes.deps, ACTOR, moments[2], item.reference, "voicemail")
    attempts = fakes.store.items[item.submission_id].attempts
    assert logic.offers_unreachable(attempts, "new", 3, zone)  # three, over two days
    assert not logic.offers_unreachable(attempts, "contacted", 3, zone)  # someone reached them
    same_day = attempts[:1] * 3
    assert not logic.offers_unreachable(same_day, "new", 3, zone)  # one busy afternoon
    assert logic.offers_unreachable(attempts[:1], "new", 1, zone)  # a threshold of one


def test_a_list_reads_the_attempts_of_the_rows_nobody_reached_only(fakes: StaffFakes) -> None:
    waiting, reached = stored(), stored()
    for item in (waiting, reached):
        fakes.store.insert(item)
    logic.log_attempt(fakes.deps, ACTOR, NOW, waiting.reference, "wrong_number")
    logic.mark(fakes.deps, ACTOR, NOW, reached.reference, "contacted", None)
    rows = [
        RequestSummary.model_validate(fakes.store.items[i.submission_id].model_dump())
        for i in (waiting, reached)
    ]
    _journal(fakes).events.clear()

    found = logic.attempts_of(fakes.deps, rows)

    assert {key: [a.result for a in value] for key, value in found.items()} == {
        waiting.submission_id: ["wrong_number"]
    }
    assert [d for name, d in _journal(fakes).events if name == "store.attempts_of"] == ["1"]
    assert logic.attempts_of(fakes.deps, rows[1:]) == {}


def test_the_whole_export_follows_every_page(
    fakes: StaffFakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [stored(now=NOW - timedelta(minutes=m)) for m in range(5)]
    for item in items:
        fakes.store.insert(item)
    monkeypatch.setattr(logic, "EXPORT_PAGE", 2)

    exported = logic.export(fakes.deps, ACTOR, NOW, NOW - timedelta(days=1))

    assert [i.submission_id for i in exported] == [i.submission_id for i in items]
    assert [e.action for e in fakes.audit.entries] == ["export"] * 3  # one entry per page


def test_the_csv_counts_the_calls_that_did_not_reach_the_person(fakes: StaffFakes) -> None:
    item = stored()
    fakes.store.insert(item)
    logic.log_attempt(fakes.deps, ACTOR, NOW, item.reference, "no_answer")
    logic.log_attempt(fakes.deps, ACTOR, NOW, item.reference, "voicemail")

    import csv
    import io

    text = logic.csv_text([fakes.store.items[item.submission_id]])
    (row,) = csv.DictReader(io.StringIO(text))

    assert row["attempts"] == "2"
    assert row["language"] == "en"


def test_an_attempts_note_is_trimmed_to_200_characters_and_a_blank_one_is_none(
    fakes: StaffFakes,
) -> None:
    item = stored()
    fakes.store.insert(item)

    long = logic.log_attempt(fakes.deps, ACTOR, NOW, item.reference, "no_answer", "x" * 250)
    blank = logic.log_attempt(fakes.deps, ACTOR, NOW, item.reference, "no_answer", "   ")

    assert long.attempts[-1].note == "x" * 200
    assert blank.attempts[-1].note is None


def test_the_erase_mark_lasts_exactly_its_days(fakes: StaffFakes) -> None:
    item = stored()
    fakes.store.insert(item)

    logic.erase(fakes.deps, ACTOR, NOW, item.reference)

    (mark,) = fakes.limits.items.values()
    assert mark["expires_at"] == int(NOW.timestamp()) + logic.ERASED_MARK_DAYS * 24 * 3600


def test_a_first_contact_at_once_counts_zero_seconds(fakes: StaffFakes) -> None:
    from intake_common.runtime.observability import metrics

    item = stored(now=NOW)
    fakes.store.insert(item)
    metrics.clear_metrics()

    logic.mark(fakes.deps, ACTOR, NOW, item.reference, "contacted", None)

    assert metrics.metric_set["TimeToFirstContact"]["Value"] == [0.0]
    metrics.clear_metrics()


def test_a_page_of_one_is_one_row(fakes: StaffFakes) -> None:
    for minutes in range(3):
        fakes.store.insert(stored(now=NOW - timedelta(minutes=minutes)))

    page = logic.list_page(
        fakes.deps, ACTOR, NOW, view="new", since=NOW - timedelta(days=1), limit=1
    )

    assert len(page.rows) == 1
    assert page.cursor is not None
