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
from zoneinfo import ZoneInfo

from intake_common.domain.audit import Actor, AuditAction, AuditEntry
from intake_common.domain.item import (
    MAX_ATTEMPTS,
    OUTCOMES,
    STATUS_TRANSITIONS,
    AttemptResult,
    CallAttempt,
    ChangeStatus,
    LogAttempt,
    Outcome,
    RequestItem,
    RequestStatus,
    RequestSummary,
    StatusChange,
    parse_reference,
    timestamp,
)
from intake_common.domain.paging import (
    EVERYTHING,
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    URGENT_PAGE,
    Cursor,
    Page,
    ViewName,
    phases,
)
from intake_common.domain.ports import AuditLog, ErasedMarks, RequestStore, StorageUnavailable
from intake_common.runtime.observability import logger, metrics
from intake_common.services.callbacks import Figures, WeekFigure

# Requests per export answer (about 1 KB each: an answer of about 1 MB).
EXPORT_PAGE = 1_000
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
    "attempts",
    "first_contact_at",
    "outcome",
    "language",  # the page's: a Spanish-speaking caller for "es"
)
# The columns that hold a moment: written in the clinic's zone (the header says which).
TIME_COLUMNS = frozenset({"created_at", "first_contact_at"})
UTC_ZONE = ZoneInfo("UTC")
HEALTH_DATA_WARNING = (
    "{path} holds health data of the clinic's patients. Keep it on an encrypted, "
    "access-controlled device, share it only as the clinic's policy allows, and delete it "
    "when it is no longer needed."
)


# The metric each outcome counts (template.yaml's dashboard shows them).
CLOSED_METRICS: dict[str, str] = {outcome: f"Closed{outcome.title()}" for outcome in OUTCOMES}


@dataclass(frozen=True)
class Dependencies:
    """What the staff operations act on: the requests table, the audit trail, the erased marks
    (the alert limits table), and (the staff API's) the weekly call-back figures."""

    store: RequestStore
    audit: AuditLog
    erased: ErasedMarks
    figures: Figures | None = None


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


# How long an erase's mark is kept: longer than any message about the request can live (the
# alert queue keeps messages 4 days, its dead-letter queue 14; template.yaml).
ERASED_MARK_DAYS = 15


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
    return _read_page(deps, now, view, since, cursor, max(1, min(limit, MAX_PAGE_SIZE)))


def _read_page(
    deps: Dependencies,
    now: datetime,
    view: ViewName,
    since: datetime,
    cursor: Cursor | None,
    limit: int,
) -> Page:
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
        floor = EVERYTHING if phase.whole_retention else timestamp(since)
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
    outcome: Outcome | None = None,
) -> Marked:
    """Record progress (contacted, scheduled, closed) with a history entry. Closing needs an
    outcome (and only closing takes one): nothing leaves the queue without a person saying
    how it ended."""
    item = find(deps, reference, now)
    if not item.may_become(status):
        allowed = ", ".join(STATUS_TRANSITIONS[item.status]) or "nothing (it is closed)"
        raise NotAllowed(
            f"{item.reference} is {item.status}: it can be marked {allowed}, not {status}"
        )
    if (status == "closed") != (outcome is not None):
        raise NotAllowed(
            f"closing {item.reference} needs an outcome ({', '.join(OUTCOMES)})"
            if status == "closed"
            else f"an outcome is given only when closing, not when marking {status}"
        )
    change = StatusChange(
        at=timestamp(now),
        by=actor.identity,
        by_name=actor.name,
        from_=item.status,
        to=status,
        note=(note or "").strip()[:500] or None,
        outcome=outcome,
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
    if item.status == "new":
        _first_contact(deps, item, now)
    if outcome is not None:
        # One metric per outcome (ClosedScheduled, ClosedUnreachable...): the dashboard's.
        metrics.add_metric(name=CLOSED_METRICS[outcome], unit="Count", value=1)
    return Marked(item.reference, change)


def _first_contact(deps: Dependencies, item: RequestItem, now: datetime) -> None:
    """The figure: how long the request waited for its first contact (its week's list, and
    CloudWatch's ``TimeToFirstContact``). The status change stands if this fails."""
    waited = now - datetime.fromisoformat(item.created_at)
    metrics.add_metric(
        name="TimeToFirstContact", unit="Seconds", value=max(0, int(waited.total_seconds()))
    )
    if deps.figures is None:
        return
    try:
        deps.figures.record(item.created_at, now, urgent=item.urgent)
    except StorageUnavailable as exc:
        logger.warning("first contact not counted in the week's figure", error=str(exc))


def log_attempt(
    deps: Dependencies,
    actor: Actor,
    now: datetime,
    reference: str,
    result: AttemptResult,
    note: str | None = None,
) -> RequestItem:
    """Log a call that did not reach the person (audited first); the request stays where it
    is: only a person's choice of outcome closes it."""
    item = find(deps, reference, now)
    _audit(
        deps,
        actor,
        now,
        "attempt",
        reference=item.reference,
        submission_id=item.submission_id,
        status=result,
    )
    attempt = CallAttempt(
        at=timestamp(now),
        by=actor.identity,
        by_name=actor.name,
        result=result,
        note=(note or "").strip()[:200] or None,
    )
    if not deps.store.change(item.submission_id, LogAttempt(attempt)):
        fresh = deps.store.get(item.submission_id)
        if fresh is not None and fresh.status == "closed":
            raise NotAllowed(f"{item.reference} is closed: no more attempts are logged")
        if fresh is not None and len(fresh.attempts) >= MAX_ATTEMPTS:
            raise NotAllowed(f"{item.reference} has {MAX_ATTEMPTS} attempts: close it instead")
        raise ChangedMeanwhile(f"{item.reference} was changed by someone else just now: look again")
    return item.model_copy(update={"attempts": (*item.attempts, attempt)})


def attempts_of(
    deps: Dependencies, rows: list[RequestSummary]
) -> dict[str, tuple[CallAttempt, ...]]:
    """The call attempts of a list's rows nobody has reached yet (one batch read, attempts
    only; the by-status index does not hold them)."""
    waiting = [row.submission_id for row in rows if row.status == "new"]
    return deps.store.attempts_of(waiting) if waiting else {}


def offers_unreachable(
    attempts: tuple[CallAttempt, ...], status: RequestStatus, after: int, zone: ZoneInfo
) -> bool:
    """Whether to offer closing as "unreachable": still nobody reached (``new``) after
    ``after`` attempts spread over more than one day (a single day's tries can all fall in
    one busy afternoon)."""
    days = {datetime.fromisoformat(one.at).astimezone(zone).date() for one in attempts}
    return status == "new" and len(attempts) >= after and len(days) >= min(after, 2)


def figures(deps: Dependencies, actor: Actor, now: datetime) -> list[WeekFigure]:
    """The last eight weeks' time to first contact (audited, though it names nobody)."""
    _audit(deps, actor, now, "figures")
    if deps.figures is None:
        return []
    return deps.figures.weeks(now)


@dataclass(frozen=True)
class ExportPage:
    items: list[RequestItem]
    cursor: Cursor | None  # None: the export is complete


def export_page(
    deps: Dependencies,
    actor: Actor,
    now: datetime,
    since: datetime,
    cursor: Cursor | None = None,
    limit: int | None = None,
) -> ExportPage:
    """One page of the export: live requests since ``since``, status by status, newest first,
    read in batches of 100 (audited before anything is read, page by page). A month of 10,000
    requests is ten answers of about 1 MB, each well within Lambda's 6 MB and API Gateway's 29
    seconds; nothing is written anywhere on the way."""
    _audit(deps, actor, now, "export", since=timestamp(since))
    page = _read_page(deps, now, "export", since, cursor, limit or EXPORT_PAGE)
    found = {
        item.submission_id: item
        for item in deps.store.items_by_ids([row.submission_id for row in page.rows])
    }
    items = [found[row.submission_id] for row in page.rows if row.submission_id in found]
    return ExportPage([item for item in items if not item.expired(now)], page.cursor)


def export(deps: Dependencies, actor: Actor, now: datetime, since: datetime) -> list[RequestItem]:
    """Every page of the export, one after the other (each audited)."""
    items: list[RequestItem] = []
    cursor: Cursor | None = None
    while True:
        page = export_page(deps, actor, now, since, cursor)
        items += page.items
        cursor = page.cursor
        if cursor is None:
            return items


def erase(deps: Dependencies, actor: Actor, now: datetime, reference: str) -> Erased:
    """Delete the request on the person's demand; keep the audit entry.

    A message about it may still be queued (an alert not yet sent, one in the dead-letter
    queue): the erase leaves a mark with the request's id (nothing the person wrote), and
    notify_staff drops such a message instead of retrying it into the dead-letter queue. The
    erase itself reads no queue, so other requests' alerts are never held back by it. The mark
    is written first: a message handled between the two finds the mark or the request.
    Point-in-time recovery keeps table backups for the template's ``BackupRetentionDays``; the
    privacy notice says so.
    """
    item = find(deps, reference, now)
    _audit(deps, actor, now, "erase", reference=item.reference, submission_id=item.submission_id)
    until = int(now.timestamp()) + ERASED_MARK_DAYS * 86400
    deps.erased.mark_erased(item.submission_id, until)
    deps.store.delete(item.submission_id)
    return Erased(item.reference, item.submission_id)


def csv_text(items: list[RequestItem], *, header: bool = True, zone: ZoneInfo = UTC_ZONE) -> str:
    """The export as CSV (a page of it: the header row on the first only). Times are in the
    clinic's zone, with their offset, and the header names the zone; cells a spreadsheet would
    run as formulas are defused."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    if header:
        writer.writerow(
            [
                f"{column} ({zone.key})" if column in TIME_COLUMNS else column
                for column in EXPORT_COLUMNS
            ]
        )
    for item in items:
        values = item.model_dump()
        values["attempts"] = len(item.attempts)  # how many calls did not reach them
        for column in TIME_COLUMNS:
            if values.get(column):
                values[column] = (
                    datetime.fromisoformat(values[column])
                    .astimezone(zone)
                    .isoformat(timespec="seconds")
                )
        writer.writerow([csv_safe(values.get(key)) for key in EXPORT_COLUMNS])
    return out.getvalue()


def csv_safe(value: Any) -> str:
    """Text for a CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in {"=", "@", "\t", "\r"}:
        return "'" + text
    if text[:1] in {"+", "-"} and not re.fullmatch(r"[+-][0-9 ]*", text):
        return "'" + text  # a formula; a phone number like +14155552671 stays as it is
    return text
