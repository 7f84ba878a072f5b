"""In-memory fakes of the ports, for the unit tier: no moto, no dynalite, no sockets.

Tests hold them by their own types (``fakes.mailer.sent`` is a ``FakeMailer``'s): each
function's bundle (``SubmitFakes``, ``NotifyFakes``, ``StaffFakes``) builds the logic's
``Dependencies`` from them.

``InMemoryRequestStore`` applies the item's transitions with their Python form; the contract
tests (``tests/contract``) run every transition on it and on dynalite and require the same
outcome, so a unit test that passes on the fake says something about DynamoDB too.

Each fake can be told to fail (``fail``), and all of them can share one ``journal`` so a test
can assert the order of effects (the audit entry before the data, for example).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from intake_common.domain.audit import AuditEntry
from intake_common.domain.contract import (
    AlertChannel,
    AlertMessage,
    AnyMessage,
)
from intake_common.domain.item import (
    CallAttempt,
    RequestItem,
    RequestSummary,
    Transition,
)
from intake_common.domain.limits import AlertBudget, BudgetWindow, LimitItem, LimitTransition
from intake_common.domain.paging import PageKey, Phase
from intake_common.domain.ports import PublishFailed, StorageUnavailable
from intake_common.services.staff import Dependencies as StaffDependencies
from notify_staff.ports import Dependencies as NotifyDependencies
from notify_staff.ports import PermanentSendError, TransientSendError
from notify_staff.render import Email
from submit_request.ports import Dependencies as SubmitDependencies


@dataclass
class Journal:
    """What happened, in order: ``("store.get", id)``, ``("audit", "show")``..."""

    events: list[tuple[str, str]] = field(default_factory=list)

    def note(self, what: str, detail: str = "") -> None:
        self.events.append((what, detail))

    def index(self, what: str) -> int:
        return next(i for i, (name, _) in enumerate(self.events) if name == what)


@dataclass
class InMemoryRequestStore:
    items: dict[str, RequestItem] = field(default_factory=dict)
    journal: Journal = field(default_factory=Journal)
    # Operation names ("insert", "get", "change"...) that raise StorageUnavailable.
    fail: set[str] = field(default_factory=set)

    def _check(self, operation: str, detail: str = "") -> None:
        self.journal.note(f"store.{operation}", detail)
        if operation in self.fail:
            raise StorageUnavailable(f"{operation} failed (injected)")

    def insert(self, item: RequestItem) -> RequestItem | None:
        self._check("insert", item.submission_id)
        existing = self.items.get(item.submission_id)
        if existing is not None:
            return existing
        self.items[item.submission_id] = item
        return None

    def get(self, submission_id: str) -> RequestItem | None:
        self._check("get", submission_id)
        return self.items.get(submission_id)

    def change(self, submission_id: str, transition: Transition) -> bool:
        self._check("change", type(transition).__name__)
        item = self.items.get(submission_id)
        if item is None or not transition.holds(item):
            return False
        self.items[submission_id] = transition.applied(item)
        return True

    def delete(self, submission_id: str) -> bool:
        self._check("delete", submission_id)
        return self.items.pop(submission_id, None) is not None

    def ids_by_reference(self, reference: str) -> list[str]:
        self._check("ids_by_reference", reference)
        return [i.submission_id for i in self.items.values() if i.reference == reference]

    def page_by_status(
        self, phase: Phase, since: str, start: PageKey | None, limit: int
    ) -> tuple[list[RequestSummary], PageKey | None]:
        self._check("page_by_status", f"{phase.status} {phase.keep} {limit}")
        if not since:
            # As DynamoDB (and moto) answer: a key condition's value may not be empty.
            # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
            raise StorageUnavailable("ValidationException: an empty string for a key attribute")
        order = sorted(
            (i for i in self.items.values() if i.status == phase.status and i.created_at >= since),
            key=lambda i: (i.created_at, i.submission_id),
            reverse=not phase.oldest_first,
        )
        if start is not None:
            mark = (start.created_at, start.submission_id)
            order = [
                i
                for i in order
                if ((i.created_at, i.submission_id) > mark) == phase.oldest_first
                and (i.created_at, i.submission_id) != mark
            ]
        rows = [
            row
            for row in (RequestSummary.model_validate(i.model_dump()) for i in order)
            if phase.keeps(row)
        ]
        if len(rows) <= limit:
            return rows, None
        last = rows[limit - 1]
        return rows[:limit], PageKey(last.status, last.created_at, last.submission_id)

    def items_by_ids(self, submission_ids: list[str]) -> list[RequestItem]:
        self._check("items_by_ids", str(len(submission_ids)))
        return [self.items[one] for one in submission_ids if one in self.items]

    def attempts_of(self, submission_ids: list[str]) -> dict[str, tuple[CallAttempt, ...]]:
        self._check("attempts_of", str(len(submission_ids)))
        return {
            one: self.items[one].attempts
            for one in submission_ids
            if one in self.items and self.items[one].attempts
        }

    def pending_alerts(self, created_before: str, limit: int) -> list[str]:
        self._check("pending_alerts")
        rows = sorted(
            (
                i
                for i in self.items.values()
                if i.alert_state == "pending" and i.created_at < created_before
            ),
            key=lambda i: i.created_at,
        )
        return [i.submission_id for i in rows[:limit]]


@dataclass
class InMemoryLimitsStore:
    """The alert limits table in memory: it applies each transition's Python form, as
    ``DynamoLimitsStore`` sends its expression (tests/contract holds the two to one outcome)."""

    items: dict[str, LimitItem] = field(default_factory=dict)

    def get(self, key: str) -> LimitItem | None:
        item = self.items.get(key)
        return None if item is None else dict(item)

    def change(self, key: str, transition: LimitTransition) -> bool:
        current = self.items.get(key)
        if not transition.holds(current):
            return False
        self.items[key] = transition.applied(current)
        return True

    def windows(self) -> list[BudgetWindow]:
        """Every budget window counted so far (not the claimed keys)."""
        return [
            BudgetWindow.model_validate(item)
            for key, item in self.items.items()
            if key.startswith("budget#")
        ]


@dataclass
class RecordingPublisher:
    messages: list[AnyMessage] = field(default_factory=list)
    fail: bool = False

    @property
    def announced(self) -> list[str]:
        """The request ids announced (alert messages; not the budget summaries)."""
        return [str(m.request_id) for m in self.messages if isinstance(m, AlertMessage)]

    def publish(self, message: AnyMessage) -> str:
        if self.fail:
            raise PublishFailed("InternalError (injected)")
        self.messages.append(message)
        return f"message-{len(self.messages)}"


@dataclass
class FakeMailer:
    """Sent emails; ``errors`` maps a recipient to the exception its next send raises."""

    sent: list[dict[str, str]] = field(default_factory=list)
    errors: dict[str, list[Exception]] = field(default_factory=dict)

    def send(self, to: str, email: Email, *, kind: str, request_id: str = "") -> str:
        queued = self.errors.get(to)
        if queued:
            raise queued.pop(0)
        sent = {"to": to, "subject": email.subject, "text": email.text, "html": email.html}
        self.sent.append({**sent, "kind": kind, "request_id": request_id})
        return f"email-{len(self.sent)}"


@dataclass
class FakeTexter:
    sent: list[dict[str, str]] = field(default_factory=list)
    errors: dict[str, list[Exception]] = field(default_factory=dict)

    def send(self, to: str, message: str) -> str:
        queued = self.errors.get(to)
        if queued:
            raise queued.pop(0)
        self.sent.append({"to": to, "message": message})
        return f"sms-{len(self.sent)}"


def throttled() -> TransientSendError:
    return TransientSendError("TooManyRequestsException")


def rejected(code: str = "MessageRejected") -> PermanentSendError:
    return PermanentSendError(code)


@dataclass
class InMemoryAuditLog:
    entries: list[AuditEntry] = field(default_factory=list)
    journal: Journal = field(default_factory=Journal)
    fail: bool = False

    def record(self, entry: AuditEntry) -> None:
        self.journal.note("audit", entry.action)
        if self.fail:
            raise StorageUnavailable("audit table down (injected)")
        self.entries.append(entry)


def attributes_of(item: RequestItem) -> dict[str, Any]:
    """The item as the table stores it (what the contract tests compare)."""
    return item.attributes()


@dataclass
class SubmitFakes:
    """submit_request's ports, in memory."""

    store: InMemoryRequestStore = field(default_factory=InMemoryRequestStore)
    publisher: RecordingPublisher = field(default_factory=RecordingPublisher)

    @property
    def deps(self) -> SubmitDependencies:
        return SubmitDependencies(store=self.store, publisher=self.publisher)


@dataclass
class NotifyFakes:
    """notify_staff's ports, in memory (``budget`` holds the rules over ``limits``)."""

    store: InMemoryRequestStore = field(default_factory=InMemoryRequestStore)
    limits: InMemoryLimitsStore = field(default_factory=InMemoryLimitsStore)
    mailer: FakeMailer = field(default_factory=FakeMailer)
    texter: FakeTexter = field(default_factory=FakeTexter)
    publisher: RecordingPublisher = field(default_factory=RecordingPublisher)

    @property
    def budget(self) -> AlertBudget:
        return AlertBudget(self.limits)

    def window(self, channel: AlertChannel, window: str) -> BudgetWindow:
        """A budget window that must exist."""
        found = self.budget.window(channel, window)
        assert found is not None, f"no {channel} window {window}"
        return found

    @property
    def deps(self) -> NotifyDependencies:
        return NotifyDependencies(
            store=self.store, budget=self.budget, mailer=self.mailer, texter=self.texter
        )


@dataclass
class StaffFakes:
    """The staff operations' ports, in memory, sharing one journal (the order of effects)."""

    journal: Journal = field(default_factory=Journal)
    limits: InMemoryLimitsStore = field(default_factory=InMemoryLimitsStore)
    store: InMemoryRequestStore = field(init=False)
    audit: InMemoryAuditLog = field(init=False)

    def __post_init__(self) -> None:
        self.store = InMemoryRequestStore(journal=self.journal)
        self.audit = InMemoryAuditLog(journal=self.journal)

    @property
    def deps(self) -> StaffDependencies:
        return StaffDependencies(
            store=self.store, audit=self.audit, erased=AlertBudget(self.limits)
        )
