"""The staff operations with in-memory fakes: the audit rules, expiry, ambiguity, changes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from intake_common.domain.audit import Actor
from intake_common.domain.item import STATUSES, RequestItem
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
        lambda: logic.list_requests(
            fakes.deps, ACTOR, NOW, status=None, since=NOW - timedelta(days=1)
        ),
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
    assert journal.index("audit") < journal.index("store.by_status")

    _journal(fakes).events.clear()
    rows = logic.list_requests(fakes.deps, ACTOR, NOW, status=None, since=NOW - timedelta(days=1))
    assert len(rows) == 1
    assert _journal(fakes).index("audit") < _journal(fakes).index("store.by_status")
    assert [e.action for e in fakes.audit.entries] == ["export", "list"]


def test_an_expired_request_is_gone_even_before_dynamodb_deletes_it(fakes: StaffFakes) -> None:
    old = stored(now=datetime(2025, 1, 1, tzinfo=UTC), retention_days=30)
    fakes.store.insert(old)

    with pytest.raises(logic.NotFound):
        logic.show(fakes.deps, ACTOR, NOW, old.reference)
    assert logic.export(fakes.deps, ACTOR, NOW, datetime(2024, 1, 1, tzinfo=UTC)) == []
    since = datetime(2024, 1, 1, tzinfo=UTC)
    assert logic.list_requests(fakes.deps, ACTOR, NOW, status=None, since=since) == []


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
    logic.mark(fakes.deps, ACTOR, NOW, item.reference, "closed", None)
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


def test_erase_deletes_the_request_and_its_queued_messages(fakes: StaffFakes) -> None:
    item = stored()
    fakes.store.insert(item)
    fakes.queues.queued[item.submission_id] = 2

    erased = logic.erase(fakes.deps, ACTOR, NOW, item.reference)

    assert erased.queued_messages_removed == 2
    assert fakes.store.get(item.submission_id) is None
    (entry,) = fakes.audit.entries
    assert (entry.action, entry.submission_id) == ("erase", item.submission_id)


@pytest.mark.parametrize(
    ("typed", "message"),
    [("not-a-ref", "is not a reference"), ("ZZZZ-ZZZZ", "no request has the reference ZZZZ-ZZZZ")],
)
def test_wrong_references_are_explained(fakes: StaffFakes, typed: str, message: str) -> None:
    with pytest.raises(logic.NotFound, match=message):
        logic.show(fakes.deps, ACTOR, NOW, typed)


def test_lists_put_open_urgent_requests_first_then_the_newest(fakes: StaffFakes) -> None:
    old_urgent = stored(now=NOW - timedelta(hours=3), reason="I can't go on")
    closed_urgent = stored(now=NOW - timedelta(hours=2), reason="I want to die")
    newest = stored(now=NOW - timedelta(hours=1))
    for item in (old_urgent, closed_urgent, newest):
        fakes.store.insert(item)
    logic.mark(fakes.deps, ACTOR, NOW, closed_urgent.reference, "closed", "Called, referred")

    rows = logic.list_requests(fakes.deps, ACTOR, NOW, status=None, since=NOW - timedelta(days=1))

    assert [row.reference for row in rows] == [
        old_urgent.reference,  # urgent, still open: first
        newest.reference,
        closed_urgent.reference,  # urgent but closed: by date
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

    logic.list_requests(fakes.deps, ACTOR, NOW, status="new", since=since)
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

    rows = logic.list_requests(fakes.deps, ACTOR, NOW, status="contacted", since=since)

    assert [row.reference for row in rows] == [contacted.reference]
    reads = [d for name, d in _journal(fakes).events if name == "store.by_status"]
    assert len(reads) == 1


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
    logic.mark(fakes.deps, ACTOR, NOW, item.reference, "closed", None)
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


def test_a_list_reads_and_shows_at_most_its_limit_per_status(fakes: StaffFakes) -> None:
    for minutes in range(51):
        fakes.store.insert(stored(now=NOW - timedelta(minutes=minutes)))
    since = NOW - timedelta(days=1)

    assert len(logic.list_requests(fakes.deps, ACTOR, NOW, status=None, since=since)) == 50
    reads = [d for name, d in _journal(fakes).events if name == "store.by_status"]
    assert reads == [f"{status} 50" for status in STATUSES]

    _journal(fakes).events.clear()
    logic.export(fakes.deps, ACTOR, NOW, since)
    reads = [d for name, d in _journal(fakes).events if name == "store.by_status"]
    assert reads == [f"{status} {logic.EXPORT_LIMIT}" for status in STATUSES]


def test_the_csv_has_one_header_and_crlf_line_ends(fakes: StaffFakes) -> None:
    text = logic.csv_text([stored(reason="Two\nlines")])

    rows = text.split("\r\n")
    assert rows[0] == ",".join(logic.EXPORT_COLUMNS)
    assert rows[-1] == ""  # RFC 4180: every record ends with CRLF
    assert len(rows) == 3  # header, the request (its newline stays inside quotes), end
