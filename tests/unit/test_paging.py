"""The staff lists' cursor: given out by a page, checked like any input when it comes back."""

from __future__ import annotations

import base64
import json

import pytest

from intake_common.domain import paging
from intake_common.domain.paging import BadCursor, Cursor, PageKey

KEY = PageKey("new", "2026-12-01T10:00:00.000+00:00", "5f0c6c1e-8d0a-4c7e-9a57-3d1c0f6b2a11")


def _raw(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_a_cursor_comes_back_as_it_went_out() -> None:
    # Encodings of every length modulo 4 (base64's padding is put back on the way in).
    cursors = [
        Cursor("callback", 1, KEY),
        Cursor("callback", 1, None),
        Cursor("new", 0, KEY),
        Cursor("held", 3, PageKey("closed", KEY.created_at, KEY.submission_id)),
        Cursor("export", 4, PageKey("spam", KEY.created_at, KEY.submission_id)),
        Cursor("spam", 0, None),
        Cursor("scheduled", 1, None),
    ]
    assert {len(c.encode()) % 4 for c in cursors} >= {0, 2, 3}
    for cursor in cursors:
        assert paging.decode(cursor.encode(), cursor.view) == cursor


@pytest.mark.parametrize(
    ("text", "view", "why"),
    [
        (Cursor("callback", 0, KEY).encode(), "new", "given out for another view"),
        (_raw({"v": "callback", "p": 2}), "callback", "a phase the view does not have"),
        (_raw({"v": "callback", "p": -1}), "callback", "a negative phase"),
        (_raw({"v": "callback", "p": True}), "callback", "a phase that is not a number"),
        (
            _raw({"v": "new", "p": 0, "s": "closed", "c": KEY.created_at, "i": KEY.submission_id}),
            "new",
            "a key of another status than the phase reads",
        ),
        (
            _raw({"v": "callback", "p": 0, "s": "new", "c": "1", "i": KEY.submission_id}),
            "callback",
            "a sort key that is not a stored time",
        ),
        (
            _raw({"v": "callback", "p": 0, "s": "new", "c": KEY.created_at, "i": "x' OR 1"}),
            "callback",
            "a table key that is not an id",
        ),
        (
            _raw({"v": "callback", "p": 0, "s": "new", "c": KEY.created_at}),
            "callback",
            "a key with a part missing",
        ),
        (
            _raw(
                {
                    "v": "callback",
                    "p": 0,
                    "s": "new",
                    "c": KEY.created_at,
                    "i": KEY.submission_id,
                    "reason": {"S": "x"},
                }
            ),
            "callback",
            "a key with an attribute of its own",
        ),
        (_raw(["callback", 0]), "callback", "not an object"),
        ("not base64!", "callback", "not base64url"),
        ("e30", "callback", "an empty object"),
        ("A" * 401, "callback", "too long"),
        ("", "callback", "empty"),
    ],
)
def test_a_cursor_not_given_out_for_this_view_is_refused(text: str, view: str, why: str) -> None:
    with pytest.raises(BadCursor):
        paging.decode(text, view)  # type: ignore[arg-type]


def _read(view: paging.ViewName) -> list[tuple[str, str, bool, bool]]:
    return [(p.status, p.keep, p.oldest_first, p.whole_retention) for p in paging.phases(view)]


def test_each_view_reads_what_it_says() -> None:
    assert _read("callback") == [
        ("new", "urgent", True, True),
        ("new", "not_urgent", True, True),
    ]
    for status in ("new", "contacted", "scheduled", "spam"):
        assert _read(status) == [
            (status, "urgent", False, False),
            (status, "not_urgent", False, False),
        ]
    assert _read("closed") == [("closed", "all", False, False)]
    statuses = ["new", "contacted", "scheduled", "closed", "spam"]
    assert _read("held") == [(s, "held", False, False) for s in statuses]
    assert _read("export") == [(s, "all", False, False) for s in statuses]
    assert [type(p.oldest_first) for v in paging.VIEWS for p in paging.phases(v)] == [bool] * 16
