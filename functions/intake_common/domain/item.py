"""The requests table: its item, the item's states and transitions, its indexes.

The second contract of the system (the first is the SNS message, ``contract.py``):
``submit_request`` writes the item, ``notify_staff`` records alerts on it, the staff tools read
and change it. Everything that touches the table takes its names, states and conditional
updates from here, and the template's checks compare the table and its indexes with them.

Each change is a *transition*: a condition and an effect, written twice side by side, as the
DynamoDB expression the adapters send and as the same rule in Python (for in-memory fakes).
``tests/contract`` runs every transition on dynalite and on the fake and requires the same
outcome, so the two cannot drift apart. Every attribute name in an expression goes through a
placeholder, so no DynamoDB reserved word (REFERENCE, STATUS, NAME...) can ever break one.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from .crisis import suggests_crisis
from .expression import Update
from .limits import Decision
from .models import (
    SMOKE_TEST_RETENTION_DAYS,
    AppointmentRequest,
    Language,
    PreferredContact,
    PreferredTime,
    VisitType,
    is_smoke_test,
)

TABLE_KEY = "submission_id"

# --- Status: what staff have done about a request -------------------------------------------
RequestStatus = Literal["new", "contacted", "scheduled", "closed", "spam"]
STATUSES: tuple[RequestStatus, ...] = ("new", "contacted", "scheduled", "closed", "spam")
# Which status a request may move to from each status. ``closed`` is final.
STATUS_TRANSITIONS: dict[RequestStatus, tuple[RequestStatus, ...]] = {
    "new": ("contacted", "scheduled", "closed"),
    "contacted": ("scheduled", "closed"),
    "scheduled": ("contacted", "closed"),
    "spam": ("contacted", "closed"),
    "closed": (),
}


def alert_key(channel: str, recipient: str) -> str:
    """An alert's name among the item's ``alerts``: ``email:frontdesk@clinic.example``,
    ``sms:+14155550101``, ``confirmation:visitor``."""
    return f"{channel}:{recipient}"


def alert_channel(key: str) -> str:
    """The channel of an alert's name (``email``, ``sms``, ``confirmation``)."""
    return key.split(":", 1)[0]


def alert_recipient(key: str) -> str:
    """Who an alert's name says it went to (a staff address or phone; ``visitor``)."""
    return key.split(":", 1)[1]


# The channels of the staff's own alerts (not the visitor's confirmation, not escalations).
STAFF_CHANNELS = frozenset({"email", "sms"})
# An escalation's alerts (and its budget decision) are named after the channel with this
# prefix: ``escalation-email:lead@clinic.example``.
ESCALATION_PREFIX = "escalation-"


def escalation_channel(channel: str) -> str:
    """The name an escalation on ``channel`` goes by: ``escalation-email``."""
    return f"{ESCALATION_PREFIX}{channel}"


# The visitor's confirmation email is recorded beside the staff alerts under this key; a
# "skipped" one says why (``sent_today``: the address had one today; ``alert_limit``).
CONFIRMATION_ALERT = alert_key("confirmation", "visitor")
ConfirmationState = Literal[
    "not_requested", "pending", "sent", "sent_today", "alert_limit", "failed"
]

# --- Alert state: whether staff were told ----------------------------------------------------
# ``pending`` from the insert until notify_staff finishes; then, once: ``sent`` (someone was
# reached one by one), ``summarized`` (the alert budget held every channel: staff get a summary
# after the window), or ``failed`` (nobody: an alarm fires). ``skipped`` from the insert, spam.
AlertState = Literal["pending", "sent", "summarized", "failed", "skipped"]
# One (channel, recipient) alert: ``sending`` under a lease, then ``sent`` or ``failed``; a
# sent email SES later reports as bounced or rejected becomes ``bounced`` (``error``: its type).
ChannelState = Literal["sending", "sent", "failed", "skipped", "bounced"]


class Index(StrEnum):
    """The table's global secondary indexes (template.yaml declares the same)."""

    BY_REFERENCE = "by-reference"  # staff look a request up by the reference read out
    BY_STATUS = "by-status"  # staff list requests by status, newest first
    BY_ALERT_STATE = "by-alert-state"  # the re-drive finds alerts still pending


@dataclass(frozen=True)
class IndexKeys:
    hash_key: str
    range_key: str | None
    # The non-key attributes projected; () for KEYS_ONLY.
    projected: tuple[str, ...] = ()


# What ops may read of a request (``intake smoke`` reads its own test request's delivery): how
# its alerts went, never a submitted field. The template's OpsToolsPolicy allows exactly these.
DELIVERY_ATTRIBUTES = (
    "submission_id",
    "reference",
    "created_at",
    "alert_state",
    "alerts",
    "alerted_at",
    "alert_retry",
)

INDEXES: dict[Index, IndexKeys] = {
    Index.BY_REFERENCE: IndexKeys("reference", None),
    Index.BY_STATUS: IndexKeys(
        "status",
        "created_at",
        ("reference", "full_name", "visit_type", "alert_state", "expires_at", "urgent"),
    ),
    Index.BY_ALERT_STATE: IndexKeys("alert_state", "created_at"),
}

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def reference_for(submission_id: uuid.UUID | str) -> str:
    """A short code staff and visitors can read out on the phone, e.g. ``K7Q2-93XD``.

    Derived from the id, so every retry shows the same reference. 40 bits of Crockford base32:
    no I, L, O or U to misread.
    """
    digest = int.from_bytes(hashlib.sha256(str(submission_id).encode()).digest()[:5], "big")
    chars = "".join(_CROCKFORD[(digest >> shift) & 31] for shift in range(35, -1, -5))
    return f"{chars[:4]}-{chars[4:]}"


_REFERENCE_TYPED = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-?[0-9A-HJKMNP-TV-Z]{4}$")


def parse_reference(text: str) -> str | None:
    """A reference as staff type it (any case, O for 0, I or L for 1, with the dash, a space
    or nothing between the halves), in its stored form; ``None`` if it cannot be one."""
    typed = "".join(text.split()).upper().replace("O", "0").replace("I", "1").replace("L", "1")
    if not _REFERENCE_TYPED.fullmatch(typed):
        return None
    typed = typed.replace("-", "")
    return f"{typed[:4]}-{typed[4:]}"


def timestamp(moment: datetime) -> str:
    """How the item stores a moment: UTC, ISO 8601, milliseconds (sorts as text)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


class AlertRecord(BaseModel):
    """What happened to one (channel, recipient) alert of a request."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    state: ChannelState
    at: str
    lease_until: int | None = None
    error: str | None = None


class AlertRetry(BaseModel):
    """The last temporary send failure (its error code), while the alert is retried."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    key: str
    error: str
    at: str


# How a request ended (closing asks for one: nothing leaves the queue without a person's choice).
Outcome = Literal["scheduled", "referred", "declined", "unreachable", "duplicate", "spam"]
OUTCOMES: tuple[Outcome, ...] = (
    "scheduled",
    "referred",
    "declined",
    "unreachable",
    "duplicate",
    "spam",
)
# A call that did not reach the person, logged in a click.
AttemptResult = Literal["no_answer", "voicemail", "wrong_number"]
ATTEMPT_RESULTS: tuple[AttemptResult, ...] = ("no_answer", "voicemail", "wrong_number")
# Attempts kept on one request (a bound on the item's size; far more than any clinic makes).
MAX_ATTEMPTS = 30


class CallAttempt(BaseModel):
    """One call back that did not reach the person."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    at: str
    by: str
    by_name: str | None = None
    result: AttemptResult
    note: str | None = None


class StatusChange(BaseModel):
    """One entry of a request's history."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True, defer_build=True)

    at: str
    # Who: an identity the person cannot choose (an AWS principal, a signed-in user's id)...
    by: str
    # ...and the name they gave (--by) or their sign-in email, beside it, never instead of it.
    by_name: str | None = None
    from_: RequestStatus = Field(alias="from")
    to: RequestStatus
    note: str | None = None
    # Why it was closed (only when ``to`` is closed).
    outcome: Outcome | None = None


class RequestItem(BaseModel):
    """A stored appointment request: the table's item, field by field."""

    model_config = ConfigDict(
        extra="ignore", frozen=True, hide_input_in_errors=True, defer_build=True
    )

    submission_id: str
    reference: str
    created_at: str
    status: RequestStatus
    full_name: str
    email: str
    phone: str
    preferred_contact: PreferredContact
    sms_consent: bool = False
    visit_type: VisitType
    preferred_date: str | None = None
    preferred_time: PreferredTime = "any"
    reason: str | None = None
    # The visitor asked for a confirmation email (sent once, by notify_staff: "confirmation").
    confirmation_email: bool = False
    # The reason suggests suicidal thoughts or self-harm (crisis.py): staff call back today.
    # Only this yes or no is kept, never which words.
    urgent: bool = False
    consent_version: str
    # The page's language (en, es): staff call back in it; the confirmation is written in it.
    language: Language = "en"
    # Tells a retry (same content) from a conflicting reuse of the id.
    content_hash: str
    # DynamoDB's TTL attribute (epoch seconds); an item past it is gone, deleted or not yet.
    expires_at: int
    alert_state: AlertState
    alerts: dict[str, AlertRecord] = Field(default_factory=dict)
    # Per channel, whether the alert budget let this request alert staff one by one.
    # By channel (``email``, ``sms``), and ``escalation-<channel>`` for the escalation's.
    alert_budget: dict[str, Decision] = Field(default_factory=dict)
    alerted_at: str | None = None
    alert_retry: AlertRetry | None = None
    history: tuple[StatusChange, ...] = ()
    status_changed_at: str | None = None
    status_changed_by: str | None = None
    # Calls that did not reach the person; when someone first moved it on from ``new`` (the
    # time to first contact); and why it was closed.
    attempts: tuple[CallAttempt, ...] = ()
    first_contact_at: str | None = None
    outcome: Outcome | None = None
    smoke_test: bool = False

    @classmethod
    def new(
        cls,
        request: AppointmentRequest,
        submission_id: uuid.UUID,
        now: datetime,
        retention_days: int,
    ) -> RequestItem:
        """The item for a request just received (honeypot hits are stored as spam)."""
        spam = request.is_spam
        smoke = is_smoke_test(submission_id)
        if smoke:  # a post-deploy check (intake smoke): gone within a day even if not erased
            retention_days = SMOKE_TEST_RETENTION_DAYS
        fields = {key: value for key, value in request.normalised().items() if value is not None}
        # Built, not validated again: every value is the validated request's or is made here
        # (a warm request's cost; tests/unit/test_item.py reads the stored item back through
        # validation, which must give the same item).
        return cls.model_construct(
            **{
                "submission_id": str(submission_id),
                "reference": reference_for(submission_id),
                "created_at": timestamp(now),
                "status": "spam" if spam else "new",
                **fields,
                "content_hash": request.content_hash(),
                "expires_at": int((now + timedelta(days=retention_days)).timestamp()),
                "alert_state": "skipped" if spam else "pending",
                "urgent": suggests_crisis(request.reason),
                "smoke_test": smoke,
            }
        )

    def attributes(self) -> dict[str, Any]:
        """The item as DynamoDB stores it (plain values; empty optional fields left out)."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        if not self.smoke_test:
            data.pop("smoke_test")
        for empty in ("history", "attempts"):
            if not getattr(self, empty):
                data.pop(empty)
        return data

    def expired(self, now: datetime) -> bool:
        return self.expires_at <= int(now.timestamp())

    @property
    def reached_staff(self) -> bool:
        """Some staff alert (email or SMS) went out and did not come back."""
        return any(
            record.state == "sent"
            for key, record in self.alerts.items()
            if alert_channel(key) in STAFF_CHANNELS
        )

    @property
    def confirmation_state(self) -> ConfirmationState:
        """What became of the visitor's confirmation email."""
        if not self.confirmation_email or self.smoke_test:
            return "not_requested"
        record = self.alerts.get(CONFIRMATION_ALERT)
        if record is None or record.state == "sending":
            return "pending"
        if record.state == "skipped":
            return "alert_limit" if record.error == "alert_limit" else "sent_today"
        if record.state == "bounced":
            return "failed"
        return record.state

    def may_become(self, status: RequestStatus) -> bool:
        return status in STATUS_TRANSITIONS[self.status]


class RequestSummary(BaseModel):
    """A row of the by-status index: what a list shows (no contact details, no reason)."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    submission_id: str
    reference: str
    created_at: str
    status: RequestStatus
    full_name: str = ""
    visit_type: VisitType | None = None
    alert_state: AlertState | None = None
    expires_at: int = 0
    urgent: bool = False

    @property
    def needs_call_today(self) -> bool:
        """Urgent and not yet closed: what staff lists put first."""
        return self.urgent and self.status != "closed"

    def expired(self, now: datetime) -> bool:
        return self.expires_at <= int(now.timestamp())


# --- Transitions -----------------------------------------------------------------------------
INSERT_CONDITION = "attribute_not_exists(#id)"
INSERT_NAMES = {"#id": TABLE_KEY}


class Transition(Protocol):
    """A change to one item: whether it may happen, what it does, and how DynamoDB does it."""

    def holds(self, item: RequestItem) -> bool: ...
    def applied(self, item: RequestItem) -> RequestItem: ...
    def update(self) -> Update: ...


def _with_alert(item: RequestItem, key: str, record: AlertRecord | None) -> dict[str, Any]:
    alerts = {k: v for k, v in item.alerts.items() if k != key}
    if record is not None:
        alerts[key] = record
    return {"alerts": alerts}


@dataclass(frozen=True)
class ClaimAlert:
    """Take the right to send one alert: nobody sent it and nobody else holds a live lease
    (and, for an escalation, the request still has ``only_while`` as its status: nobody has
    reached the person meanwhile)."""

    key: str
    at: str
    now: int
    lease_until: int
    only_while: RequestStatus | None = None

    def holds(self, item: RequestItem) -> bool:
        if self.only_while is not None and item.status != self.only_while:
            return False
        current = item.alerts.get(self.key)
        return current is None or (
            current.state == "sending" and (current.lease_until or 0) < self.now
        )

    def applied(self, item: RequestItem) -> RequestItem:
        record = AlertRecord(state="sending", at=self.at, lease_until=self.lease_until)
        return item.model_copy(update=_with_alert(item, self.key, record))

    def update(self) -> Update:
        names = {
            "#id": TABLE_KEY,
            "#alerts": "alerts",
            "#key": self.key,
            "#state": "state",
            "#lease": "lease_until",
        }
        values: dict[str, Any] = {
            ":claim": {"state": "sending", "at": self.at, "lease_until": self.lease_until},
            ":sending": "sending",
            ":now": self.now,
        }
        condition = (
            "attribute_exists(#id) AND (attribute_not_exists(#alerts.#key) OR "
            "(#alerts.#key.#state = :sending AND #alerts.#key.#lease < :now))"
        )
        if self.only_while is not None:
            names["#status"] = "status"
            values[":while"] = self.only_while
            condition += " AND #status = :while"
        return Update(
            expression="SET #alerts.#key = :claim",
            condition=condition,
            names=names,
            values=values,
        )


@dataclass(frozen=True)
class ClaimAlerts:
    """Claim several alerts of one request at once (the staff recipients of one message): each
    as ``ClaimAlert`` would, all or none. One write instead of one per recipient; when any of
    them is taken or done, nothing is claimed and each is claimed on its own."""

    keys: tuple[str, ...]
    at: str
    now: int
    lease_until: int

    def _each(self) -> list[ClaimAlert]:
        return [ClaimAlert(key, self.at, self.now, self.lease_until) for key in self.keys]

    def holds(self, item: RequestItem) -> bool:
        return all(claim.holds(item) for claim in self._each())

    def applied(self, item: RequestItem) -> RequestItem:
        for claim in self._each():
            item = claim.applied(item)
        return item

    def update(self) -> Update:
        names = {"#id": TABLE_KEY, "#alerts": "alerts", "#state": "state", "#lease": "lease_until"}
        sets, conditions = [], ["attribute_exists(#id)"]
        for i, key in enumerate(self.keys):
            names[f"#k{i}"] = key
            sets.append(f"#alerts.#k{i} = :claim")
            conditions.append(
                f"(attribute_not_exists(#alerts.#k{i}) OR "
                f"(#alerts.#k{i}.#state = :sending AND #alerts.#k{i}.#lease < :now))"
            )
        return Update(
            expression="SET " + ", ".join(sets),
            condition=" AND ".join(conditions),
            names=names,
            values={
                ":claim": {"state": "sending", "at": self.at, "lease_until": self.lease_until},
                ":sending": "sending",
                ":now": self.now,
            },
        )


@dataclass(frozen=True)
class ReleaseAlert:
    """Give a claim back after a temporary failure, keeping the error code for ops."""

    key: str
    error: str
    at: str

    def holds(self, item: RequestItem) -> bool:
        current = item.alerts.get(self.key)
        return current is not None and current.state == "sending"

    def applied(self, item: RequestItem) -> RequestItem:
        retry = AlertRetry(key=self.key, error=self.error, at=self.at)
        return item.model_copy(update={**_with_alert(item, self.key, None), "alert_retry": retry})

    def update(self) -> Update:
        return Update(
            expression="REMOVE #alerts.#key SET #retry = :retry",
            condition="#alerts.#key.#state = :sending",
            names={
                "#alerts": "alerts",
                "#key": self.key,
                "#state": "state",
                "#retry": "alert_retry",
            },
            values={
                ":sending": "sending",
                ":retry": {"key": self.key, "error": self.error, "at": self.at},
            },
        )


@dataclass(frozen=True)
class RecordAlert:
    """Record a finished alert: sent, failed for good with its error code, or skipped (a
    visitor's confirmation not sent, with the reason)."""

    key: str
    state: Literal["sent", "failed", "skipped"]
    at: str
    error: str = ""

    def holds(self, item: RequestItem) -> bool:
        return True

    def applied(self, item: RequestItem) -> RequestItem:
        record = AlertRecord(state=self.state, at=self.at, error=self.error or None)
        return item.model_copy(update=_with_alert(item, self.key, record))

    def update(self) -> Update:
        value: dict[str, Any] = {"state": self.state, "at": self.at}
        if self.error:
            value["error"] = self.error
        return Update(
            expression="SET #alerts.#key = :done",
            condition="attribute_exists(#id)",
            names={"#id": TABLE_KEY, "#alerts": "alerts", "#key": self.key},
            values={":done": value},
        )


@dataclass(frozen=True)
class RecordBounce:
    """An email SES had accepted came back: bounced or rejected, so not delivered after all
    (``error``: SES's bounce type and subtype, e.g. ``Permanent/MailboxFull``)."""

    key: str
    at: str
    error: str

    def holds(self, item: RequestItem) -> bool:
        record = item.alerts.get(self.key)
        return record is not None and record.state in {"sent", "bounced"}

    def applied(self, item: RequestItem) -> RequestItem:
        record = AlertRecord(state="bounced", at=self.at, error=self.error)
        return item.model_copy(update=_with_alert(item, self.key, record))

    def update(self) -> Update:
        return Update(
            expression="SET #alerts.#key = :bounced",
            condition="#alerts.#key.#state IN (:sent, :was_bounced)",
            names={"#alerts": "alerts", "#key": self.key, "#state": "state"},
            values={
                ":bounced": {"state": "bounced", "at": self.at, "error": self.error},
                ":sent": "sent",
                ":was_bounced": "bounced",
            },
        )


@dataclass(frozen=True)
class FailAfterBounces:
    """The request's alert, sent, turns out to have reached nobody: every staff alert that
    had gone out bounced (``reached_staff`` false, which the caller reads first: DynamoDB's
    condition cannot name alerts it does not know). It becomes ``failed``, as if no send had
    worked."""

    def holds(self, item: RequestItem) -> bool:
        return item.alert_state == "sent"

    def applied(self, item: RequestItem) -> RequestItem:
        return item.model_copy(update={"alert_state": "failed"})

    def update(self) -> Update:
        return Update(
            expression="SET #alert_state = :failed",
            condition="#alert_state = :sent",
            names={"#alert_state": "alert_state"},
            values={":failed": "failed", ":sent": "sent"},
        )


@dataclass(frozen=True)
class DecideBudget:
    """Record, once, whether the alert budget let this request alert on a channel (or its
    escalation on a channel: ``escalation-email``)."""

    channel: str
    decision: Decision

    def holds(self, item: RequestItem) -> bool:
        return self.channel not in item.alert_budget

    def applied(self, item: RequestItem) -> RequestItem:
        return item.model_copy(
            update={"alert_budget": {**item.alert_budget, self.channel: self.decision}}
        )

    def update(self) -> Update:
        return Update(
            expression="SET #budget.#channel = :decision",
            condition="attribute_exists(#id) AND attribute_not_exists(#budget.#channel)",
            names={"#id": TABLE_KEY, "#budget": "alert_budget", "#channel": self.channel},
            values={":decision": self.decision},
        )


@dataclass(frozen=True)
class CompleteAlerts:
    """Close the request's alert state, once: pending becomes sent, summarized or failed."""

    state: Literal["sent", "summarized", "failed"]
    at: str

    def holds(self, item: RequestItem) -> bool:
        return item.alert_state == "pending"

    def applied(self, item: RequestItem) -> RequestItem:
        return item.model_copy(update={"alert_state": self.state, "alerted_at": self.at})

    def update(self) -> Update:
        return Update(
            expression="SET #alert_state = :state, #alerted_at = :at",
            condition="#alert_state = :pending",
            names={"#alert_state": "alert_state", "#alerted_at": "alerted_at"},
            values={":state": self.state, ":at": self.at, ":pending": "pending"},
        )


@dataclass(frozen=True)
class ChangeStatus:
    """Move a request to a new status (if nobody changed it meanwhile), with a history entry."""

    change: StatusChange

    def __post_init__(self) -> None:
        if self.change.to not in STATUS_TRANSITIONS[self.change.from_]:
            raise ValueError(f"a {self.change.from_} request cannot become {self.change.to}")

    def holds(self, item: RequestItem) -> bool:
        return item.status == self.change.from_

    def applied(self, item: RequestItem) -> RequestItem:
        update: dict[str, Any] = {
            "status": self.change.to,
            "status_changed_at": self.change.at,
            "status_changed_by": self.change.by,
            "history": (*item.history, self.change),
        }
        if self.change.from_ == "new" and item.first_contact_at is None:
            update["first_contact_at"] = self.change.at
        if self.change.outcome is not None:
            update["outcome"] = self.change.outcome
        return item.model_copy(update=update)

    def update(self) -> Update:
        expression = (
            "SET #status = :to, #changed_at = :at, #changed_by = :by, "
            "#history = list_append(if_not_exists(#history, :empty), :change)"
        )
        names = {
            "#status": "status",
            "#changed_at": "status_changed_at",
            "#changed_by": "status_changed_by",
            "#history": "history",
        }
        values: dict[str, Any] = {
            ":to": self.change.to,
            ":from": self.change.from_,
            ":at": self.change.at,
            ":by": self.change.by,
            ":empty": [],
            ":change": [self.change.model_dump(by_alias=True, exclude_none=True)],
        }
        if self.change.from_ == "new":
            # The first move away from new: the time to first contact ends here (once).
            expression += ", #first = if_not_exists(#first, :at)"
            names["#first"] = "first_contact_at"
        if self.change.outcome is not None:
            expression += ", #outcome = :outcome"
            names["#outcome"] = "outcome"
            values[":outcome"] = self.change.outcome
        return Update(
            expression=expression, condition="#status = :from", names=names, values=values
        )


@dataclass(frozen=True)
class LogAttempt:
    """Add a call attempt that did not reach the person (not to a closed request; at most
    ``MAX_ATTEMPTS``)."""

    attempt: CallAttempt

    def holds(self, item: RequestItem) -> bool:
        return item.status != "closed" and len(item.attempts) < MAX_ATTEMPTS

    def applied(self, item: RequestItem) -> RequestItem:
        return item.model_copy(update={"attempts": (*item.attempts, self.attempt)})

    def update(self) -> Update:
        return Update(
            expression="SET #attempts = list_append(if_not_exists(#attempts, :empty), :one)",
            condition=(
                "attribute_exists(#id) AND #status <> :closed AND "
                "(attribute_not_exists(#attempts) OR size(#attempts) < :max)"
            ),
            names={"#id": TABLE_KEY, "#status": "status", "#attempts": "attempts"},
            values={
                ":empty": [],
                ":one": [self.attempt.model_dump(exclude_none=True)],
                ":closed": "closed",
                ":max": MAX_ATTEMPTS,
            },
        )


TRANSITIONS: tuple[type, ...] = (
    ClaimAlert,
    ClaimAlerts,
    ReleaseAlert,
    RecordAlert,
    RecordBounce,
    DecideBudget,
    CompleteAlerts,
    FailAfterBounces,
    ChangeStatus,
    LogAttempt,
)
