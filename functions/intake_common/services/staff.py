"""What staff do with requests: list, show, mark, export, erase. Shared by the staff API and
the ``intake requests`` commands (neither imports the other), so both keep the same rules:

- every action writes its audit entry *before* any data is shown or changed: if the audit
  trail cannot be written, nothing is revealed (who, what, when; never the request's data);
- the audit entry's ``by`` is the caller's identity (AWS principal or signed-in user), which
  the caller cannot choose; a name they give is kept next to it, never instead of it;
- a request past its retention (``expires_at``) is gone, whether or not DynamoDB's TTL has
  deleted it yet;
- a reference that two requests share (40 bits, derived from a client-chosen id) is refused
  with both ids, never resolved by picking one.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from intake_common.domain.audit import Actor, AuditAction, AuditEntry
from intake_common.domain.item import (
    STATUS_TRANSITIONS,
    STATUSES,
    ChangeStatus,
    RequestItem,
    RequestStatus,
    RequestSummary,
    StatusChange,
    parse_reference,
    timestamp,
)
from intake_common.domain.paging import (
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    URGENT_PAGE,
    Cursor,
    Page,
    ViewName,
    phases,
)
from intake_common.domain.ports import AlertQueues, AuditLog, RequestStore

EXPORT_LIMIT = 10_000
EXPORT_COLUMNS = (
    "reference",
    "created_at",
    "status",
    "full_name",
    "email",
    "phone",
    "preferred_contact",
    "sms_consent",
    "visit_type",
    "preferred_date",
    "preferred_time",
    "reason",
    "urgent",
    "confirmation_email",
    "consent_version",
    "alert_state",
    "submission_id",
)
HEALTH_DATA_WARNING = (
    "{path} holds health data of the clinic's patients. Keep it on an encrypted, "
    "access-controlled device, share it only as the clinic's policy allows, and delete it "
    "when it is no longer needed."
)


@dataclass(frozen=True)
class Dependencies:
    """What the staff operations act on: the requests table, the audit trail, the queues."""

    store: RequestStore
    audit: AuditLog
    queues: AlertQueues


class StaffError(Exception):
    """A request the action cannot be done on; the message says why, in staff's words."""


class NotFound(StaffError):
    """No (live) request has this reference."""


class AmbiguousReference(StaffError):
    """Two or more requests share the reference."""

    def __init__(self, reference: str, ids: list[str]) -> None:
        super().__init__(
            f"{len(ids)} requests share the reference {reference}: use the id instead "
            f"({', '.join(sorted(ids))})"
        )
        self.ids = sorted(ids)


class NotAllowed(StaffError):
    """The status change is not one the request may make."""


class ChangedMeanwhile(StaffError):
    """Someone else changed the request between reading and writing it."""


@dataclass(frozen=True)
class Marked:
    reference: str
    change: StatusChange


@dataclass(frozen=True)
class Erased:
    reference: str
    submission_id: str
    queued_messages_removed: int


def _audit(
    deps: Dependencies, actor: Actor, now: datetime, action: AuditAction, **details: object
) -> None:
    deps.audit.record(
        AuditEntry(
            at=timestamp(now),
            by=actor.identity,
            by_name=actor.name,
            action=action,
            **details,  # type: ignore[arg-type]
        )
    )


def find(deps: Dependencies, reference_or_id: str, now: datetime) -> RequestItem:
    """The live request with this reference (as staff type it) or submission id."""
    text = reference_or_id.strip()
    reference = parse_reference(text)
    if reference is None:
        if not _looks_like_id(text):
            raise NotFound(f"{text!r} is not a reference (they look like K7Q2-93XD)")
        item = deps.store.get(text)
        if item is None or item.expired(now):
            raise NotFound("no request has this id")
        return item
    live = [
        item
        for item in (deps.store.get(i) for i in deps.store.ids_by_reference(reference))
        if item is not None and not item.expired(now)
    ]
    if not live:
        raise NotFound(f"no request has the reference {reference}")
    if len(live) > 1:
        raise AmbiguousReference(reference, [item.submission_id for item in live])
    return live[0]


def _looks_like_id(text: str) -> bool:
    return len(text) == 36 and text.count("-") == 4


def list_page(
    deps: Dependencies,
    actor: Actor,
    now: datetime,
    *,
    view: ViewName,
    since: datetime,
    cursor: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """One page of a staff list (``domain/paging.py``: the views, their order, the cursor):
    reference, name and state (audited: it shows names). Urgent phases fill up to
    ``URGENT_PAGE`` rows whatever ``limit`` is, so no page size hides an open urgent request."""
    _audit(deps, actor, now, "list", status=view, since=timestamp(since))
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    steps = phases(view)
    position = cursor or Cursor(view, 0, None)
    rows: list[RequestSummary] = []
    others = 0  # rows of the phases that the page size limits
    for index in range(position.phase, len(steps)):
        phase = steps[index]
        room = URGENT_PAGE if phase.urgent else limit - others
        if room <= 0:
            return Page(rows, Cursor(view, index, None))
        start = position.key if index == position.phase else None
        floor = "" if phase.whole_retention else timestamp(since)
        got, after = deps.store.page_by_status(phase, floor, start, room)
        rows += [row for row in got if not row.expired(now)]
        others += 0 if phase.urgent else len(got)
        if after is not None:
            return Page(rows, Cursor(view, index, after))
    return Page(rows, None)


def show(deps: Dependencies, actor: Actor, now: datetime, reference: str) -> RequestItem:
    """Everything needed to call back, the reason included (audited before it is returned)."""
    item = find(deps, reference, now)
    _audit(deps, actor, now, "show", reference=item.reference, submission_id=item.submission_id)
    return item


def mark(
    deps: Dependencies,
    actor: Actor,
    now: datetime,
    reference: str,
    status: RequestStatus,
    note: str | None,
) -> Marked:
    """Record progress (contacted, scheduled, closed) with a history entry."""
    item = find(deps, reference, now)
    if not item.may_become(status):
        allowed = ", ".join(STATUS_TRANSITIONS[item.status]) or "nothing (it is closed)"
        raise NotAllowed(
            f"{item.reference} is {item.status}: it can be marked {allowed}, not {status}"
        )
    change = StatusChange(
        at=timestamp(now),
        by=actor.identity,
        by_name=actor.name,
        from_=item.status,
        to=status,
        note=(note or "").strip()[:500] or None,
    )
    _audit(
        deps,
        actor,
        now,
        "mark",
        reference=item.reference,
        submission_id=item.submission_id,
        status=status,
    )
    if not deps.store.change(item.submission_id, ChangeStatus(change)):
        raise ChangedMeanwhile(f"{item.reference} was changed by someone else just now: look again")
    return Marked(item.reference, change)


def export(deps: Dependencies, actor: Actor, now: datetime, since: datetime) -> list[RequestItem]:
    """Every live request since ``since``, newest first (audited before anything is read)."""
    _audit(deps, actor, now, "export", since=timestamp(since))
    rows: list[RequestSummary] = []
    for status in STATUSES:
        rows += deps.store.by_status(status, timestamp(since), EXPORT_LIMIT)
    rows.sort(key=lambda row: row.created_at, reverse=True)
    items = [deps.store.get(row.submission_id) for row in rows[:EXPORT_LIMIT]]
    return [item for item in items if item is not None and not item.expired(now)]


def erase(deps: Dependencies, actor: Actor, now: datetime, reference: str) -> Erased:
    """Delete the request and its queued messages on the person's demand; keep the audit entry.

    Point-in-time recovery keeps table backups for the template's ``BackupRetentionDays``; the
    privacy notice says so.
    """
    item = find(deps, reference, now)
    _audit(deps, actor, now, "erase", reference=item.reference, submission_id=item.submission_id)
    deps.store.delete(item.submission_id)
    removed = deps.queues.remove_messages_about(item.submission_id)
    return Erased(item.reference, item.submission_id, removed)


def csv_text(items: list[RequestItem]) -> str:
    """The export as CSV; cells a spreadsheet would run as formulas are defused."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for item in items:
        values = item.model_dump()
        writer.writerow({key: csv_safe(values.get(key)) for key in EXPORT_COLUMNS})
    return out.getvalue()


def csv_safe(value: Any) -> str:
    """Text for a CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in {"=", "@", "\t", "\r"}:
        return "'" + text
    if text[:1] in {"+", "-"} and not re.fullmatch(r"[+-][0-9 ]*", text):
        return "'" + text  # a formula; a phone number like +14155552671 stays as it is
    return text
