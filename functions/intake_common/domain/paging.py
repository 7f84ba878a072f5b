"""The staff lists and how they page, so that no request is ever buried.

A *view* is what staff choose in the inbox (or ``intake requests list --view``); it reads one
or more *phases* in order, each a query of the by-status index (one status, oldest or newest
first, with an optional filter). A page is filled phase by phase; where it stops, an opaque
*cursor* says where the next page starts: the phase and the index key of the last row shown.

- ``callback`` (the inbox's first view, "Needs a call back"): requests nobody has reached yet
  (``new``), urgent ones first, then the one waiting longest first. Urgent ones are never cut
  by the page size: the first page holds every open urgent request (up to ``URGENT_PAGE``, a
  ceiling a flood would have to pass before urgent ones spill onto the next page, still ahead
  of every other request).
- one view per status (``contacted``, ``scheduled``, ``closed``, ``spam``, and ``new``),
  newest first, received within the chosen period, urgent open ones first;
- ``held``: requests whose staff alert the alert budget held (``alert_state`` =
  ``summarized``), every status, newest first;
- ``export`` (not a list: the admin's CSV, page by page): every status, newest first.

The cursor is DynamoDB's ``LastEvaluatedKey`` in a wrapper, and is checked when it comes back
like any other input: a cursor from another view, phase or status, a key that is not a
request's key, or anything that does not decode is refused (400), never passed to DynamoDB.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Literal

from .item import STATUSES, RequestStatus, RequestSummary

ViewName = Literal["callback", "new", "contacted", "scheduled", "closed", "spam", "held", "export"]
VIEWS: tuple[ViewName, ...] = (
    "callback",
    "new",
    "contacted",
    "scheduled",
    "closed",
    "spam",
    "held",
)
# Which rows a phase keeps: urgent ones, the others, those whose alert was held, or all.
RowFilter = Literal["urgent", "not_urgent", "held", "all"]
# The lowest ``created_at`` a query asks from when it wants every stored request: DynamoDB
# refuses an empty string as a key condition's value (ValidationException).
EVERYTHING = "1970-01-01T00:00:00.000+00:00"
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
URGENT_PAGE = 500
_OPEN: tuple[RequestStatus, ...] = ("new", "contacted", "scheduled", "spam")


@dataclass(frozen=True)
class Phase:
    status: RequestStatus
    keep: RowFilter
    oldest_first: bool
    # The call-back queue reads every open request, whenever it came; other views a period.
    whole_retention: bool = False

    @property
    def urgent(self) -> bool:
        return self.keep == "urgent"

    def keeps(self, row: RequestSummary) -> bool:
        if self.keep == "urgent":
            return row.urgent
        if self.keep == "not_urgent":
            return not row.urgent
        if self.keep == "held":
            return row.alert_state == "summarized"
        return True


def phases(view: ViewName) -> tuple[Phase, ...]:
    if view == "callback":
        return (
            Phase("new", "urgent", oldest_first=True, whole_retention=True),
            Phase("new", "not_urgent", oldest_first=True, whole_retention=True),
        )
    if view == "held":
        return tuple(Phase(status, "held", oldest_first=False) for status in STATUSES)
    if view == "export":
        return tuple(Phase(status, "all", oldest_first=False) for status in STATUSES)
    if view in _OPEN:
        return (
            Phase(view, "urgent", oldest_first=False),
            Phase(view, "not_urgent", oldest_first=False),
        )
    return (Phase(view, "all", oldest_first=False),)


@dataclass(frozen=True)
class PageKey:
    """Where a page stopped: the by-status index key of the last row it showed."""

    status: RequestStatus
    created_at: str
    submission_id: str


@dataclass(frozen=True)
class Cursor:
    view: ViewName
    phase: int
    key: PageKey | None  # None: the phase starts at its beginning

    def encode(self) -> str:
        data: dict[str, object] = {"v": self.view, "p": self.phase}
        if self.key is not None:
            data.update(s=self.key.status, c=self.key.created_at, i=self.key.submission_id)
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass(frozen=True)
class Page:
    rows: list[RequestSummary]
    cursor: Cursor | None  # None: nothing more to show


class BadCursor(ValueError):
    """A cursor this service did not give out for this view."""


_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$")
_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_MAX_CURSOR = 400


def decode(text: str, view: ViewName) -> Cursor:
    """The cursor a page gave out, checked: the view asked for, one of its phases, and a key
    of that phase's status shaped like a request's key."""
    if not text or len(text) > _MAX_CURSOR or not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        raise BadCursor
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadCursor from exc
    if not isinstance(data, dict) or data.get("v") != view:
        raise BadCursor
    steps = phases(view)
    phase = data.get("p")
    if type(phase) is not int or not 0 <= phase < len(steps):
        raise BadCursor
    if set(data) == {"v", "p"}:
        return Cursor(view, phase, None)
    if set(data) != {"v", "p", "s", "c", "i"}:
        raise BadCursor
    status, created_at, submission_id = data["s"], data["c"], data["i"]
    if status != steps[phase].status:
        raise BadCursor
    if not isinstance(created_at, str) or not _TIMESTAMP.match(created_at):
        raise BadCursor
    if not isinstance(submission_id, str) or not _ID.match(submission_id):
        raise BadCursor
    return Cursor(view, phase, PageKey(steps[phase].status, created_at, submission_id))
