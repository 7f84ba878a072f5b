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
    for cursor in (Cursor("callback", 1, KEY), Cursor("callback", 1, None)):
        assert paging.decode(cursor.encode(), "callback") == cursor


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


def test_each_view_reads_what_it_says() -> None:
    queue = paging.phases("callback")
    assert [(p.status, p.keep, p.oldest_first, p.whole_retention) for p in queue] == [
        ("new", "urgent", True, True),
        ("new", "not_urgent", True, True),
    ]
    assert [(p.status, p.keep) for p in paging.phases("closed")] == [("closed", "all")]
    assert [p.keep for p in paging.phases("contacted")] == ["urgent", "not_urgent"]
    assert {p.keep for p in paging.phases("held")} == {"held"}
    assert all(not p.oldest_first for p in paging.phases("spam"))
