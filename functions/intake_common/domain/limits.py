"""The alert budget: how many requests per window may alert staff one by one, per channel.

Every stored request costs a text to each staff phone and an email to each staff address.
Scripted posts would run up the SMS bill (and bury real requests), so each channel has a cap
per window (``SmsAlertsPerHour``, ``EmailAlertsPerHour``). Past it, a request is still stored
and listed for staff, but its alert on that channel is *held*; once the window is over, staff
get one summary on that channel ("N more requests ..."). Decisions are made once per request
and channel and recorded on the request.

The limits table holds one item per (channel, window): the ids of the requests granted (a
string set: granting is idempotent and exact under concurrency, with no transaction), the count
of those held, and the summary's state; and one item per key claimed once (the visitor's
confirmation ledger). Like the requests table (``item.py``), every change is a *transition*,
written twice side by side: the DynamoDB expression and the same rule in Python over the item's
plain attributes. ``tests/contract`` runs every transition on dynalite and on the in-memory
store and requires the same outcome; ``AlertBudget`` (below) is the rules written once over
either store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from .contract import AlertChannel
from .expression import Update

if TYPE_CHECKING:
    from .ports import LimitsStore

Decision = Literal["granted", "held"]
LIMITS_KEY = "limit_key"
# How many ended windows the re-drive looks back at for a summary still owed.
LOOKBACK_WINDOWS = 12
# Counters are kept this long after their window (then DynamoDB's TTL removes them).
KEEP_DAYS = 2


def window_start(now: datetime, minutes: int) -> datetime:
    """The start (UTC) of the window ``now`` falls in; windows are aligned to the epoch."""
    size = minutes * 60
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % size, UTC)


def window_name(start: datetime) -> str:
    return start.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def parse_window(name: str) -> datetime:
    return datetime.strptime(name, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)


def limit_key(channel: AlertChannel, window: str) -> str:
    return f"budget#{channel}#{window}"


def erased_key(submission_id: str) -> str:
    """The mark an erase leaves (only the request's random id: nothing the person wrote)."""
    return f"erased#{submission_id}"


def ended_windows(now: datetime, minutes: int) -> list[str]:
    """The last windows that have ended, newest first (summaries may still be owed)."""
    current = window_start(now, minutes)
    return [
        window_name(current - timedelta(minutes=minutes * back))
        for back in range(1, LOOKBACK_WINDOWS + 1)
    ]


class BudgetWindow(BaseModel):
    """One channel's counter for one window."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    channel: AlertChannel
    window: str
    granted: frozenset[str] = Field(default_factory=frozenset)
    held: int = 0
    # Of those held, how many were urgent (their summary says so: call back today), and the
    # references of the first ``HELD_URGENT_NAMED`` of them (the summary names them).
    held_urgent: int = 0
    held_urgent_refs: frozenset[str] = Field(default_factory=frozenset)
    summary_sent_at: str | None = None
    summary_lease_until: int | None = None

    @property
    def summary_due(self) -> bool:
        return self.held > 0 and self.summary_sent_at is None


# --- Transitions -----------------------------------------------------------------------------
# An item of the limits table, as plain values (``granted`` a set of ids); None: no item yet.
LimitItem = dict[str, Any]


class LimitTransition(Protocol):
    """A change to one item of the limits table: whether it may happen, what it does, and how
    DynamoDB does it (the item is created if missing)."""

    @property
    def key(self) -> str: ...
    def holds(self, item: LimitItem | None) -> bool: ...
    def applied(self, item: LimitItem | None) -> LimitItem: ...
    def update(self) -> Update: ...


def _labels(channel: AlertChannel, window: str, expires_at: int) -> dict[str, Any]:
    return {"channel": channel, "window": window, "expires_at": expires_at}


_LABELS = "SET #channel = :channel, #window = :window, #expires = :expires"
_LABEL_NAMES = {"#channel": "channel", "#window": "window", "#expires": "expires_at"}


def _label_values(channel: AlertChannel, window: str, expires_at: int) -> dict[str, Any]:
    return {":channel": channel, ":window": window, ":expires": expires_at}


@dataclass(frozen=True)
class Grant:
    """Let a request alert staff one by one on a channel, while the window has room; granting
    the same request again (a retry) changes nothing and holds."""

    channel: AlertChannel
    window: str
    request_id: str
    cap: int
    expires_at: int

    @property
    def key(self) -> str:
        return limit_key(self.channel, self.window)

    def holds(self, item: LimitItem | None) -> bool:
        granted: set[str] = set((item or {}).get("granted", set()))
        return len(granted) < self.cap or self.request_id in granted

    def applied(self, item: LimitItem | None) -> LimitItem:
        current = dict(item or {})
        granted = set(current.get("granted", set())) | {self.request_id}
        return {
            **current,
            LIMITS_KEY: self.key,
            **_labels(self.channel, self.window, self.expires_at),
            "granted": granted,
        }

    def update(self) -> Update:
        return Update(
            expression=f"ADD #granted :ids {_LABELS}",
            condition=(
                "attribute_not_exists(#granted) OR size(#granted) < :cap OR contains(#granted, :id)"
            ),
            names={**_LABEL_NAMES, "#granted": "granted"},
            values={
                **_label_values(self.channel, self.window, self.expires_at),
                ":ids": {self.request_id},
                ":id": self.request_id,
                ":cap": self.cap,
            },
        )


@dataclass(frozen=True)
class GrantConfirmation(Grant):
    """A visitor's confirmation email, within the confirmations' own cap for one window (an
    hour or a clinic day): apart from the staff alerts' budget, so that a script asking for
    confirmations cannot take staff alerts' places (the ``channel`` is always ``email``)."""

    @property
    def key(self) -> str:
        return f"confirmations#{self.window}"


@dataclass(frozen=True)
class Hold:
    """Count a request whose alert was held for the window's summary (and if it was urgent)."""

    channel: AlertChannel
    window: str
    urgent: bool
    expires_at: int

    @property
    def key(self) -> str:
        return limit_key(self.channel, self.window)

    def holds(self, item: LimitItem | None) -> bool:
        return True

    def applied(self, item: LimitItem | None) -> LimitItem:
        current = dict(item or {})
        counted = {"held": int(current.get("held", 0)) + 1}
        if self.urgent:
            counted["held_urgent"] = int(current.get("held_urgent", 0)) + 1
        return {
            **current,
            LIMITS_KEY: self.key,
            **_labels(self.channel, self.window, self.expires_at),
            **counted,
        }

    def update(self) -> Update:
        held = "ADD #held :one, #urgent :one" if self.urgent else "ADD #held :one"
        return Update(
            expression=f"{held} {_LABELS}",
            names={
                **_LABEL_NAMES,
                "#held": "held",
                **({"#urgent": "held_urgent"} if self.urgent else {}),
            },
            values={**_label_values(self.channel, self.window, self.expires_at), ":one": 1},
        )


# How many held urgent requests a window's summary names by reference (the rest it counts):
# a flood cannot grow the window's item toward DynamoDB's 400 KB limit.
HELD_URGENT_NAMED = 20


@dataclass(frozen=True)
class NoteHeldUrgent:
    """Name a held urgent request in its window's summary, while fewer than the cap are named
    (the same reference again, a retry, changes nothing and holds)."""

    channel: AlertChannel
    window: str
    reference: str
    expires_at: int
    cap: int = HELD_URGENT_NAMED

    @property
    def key(self) -> str:
        return limit_key(self.channel, self.window)

    def holds(self, item: LimitItem | None) -> bool:
        named: set[str] = set((item or {}).get("held_urgent_refs", set()))
        return len(named) < self.cap or self.reference in named

    def applied(self, item: LimitItem | None) -> LimitItem:
        current = dict(item or {})
        named = set(current.get("held_urgent_refs", set())) | {self.reference}
        return {
            **current,
            LIMITS_KEY: self.key,
            **_labels(self.channel, self.window, self.expires_at),
            "held_urgent_refs": named,
        }

    def update(self) -> Update:
        return Update(
            expression=f"ADD #refs :refs {_LABELS}",
            condition="attribute_not_exists(#refs) OR size(#refs) < :cap OR contains(#refs, :ref)",
            names={**_LABEL_NAMES, "#refs": "held_urgent_refs"},
            values={
                **_label_values(self.channel, self.window, self.expires_at),
                ":refs": {self.reference},
                ":ref": self.reference,
                ":cap": self.cap,
            },
        )


@dataclass(frozen=True)
class ClaimOnce:
    """Take a key for an owner (the same owner takes it again on a retry); kept until
    ``expires_at`` (DynamoDB's TTL)."""

    key: str
    owner: str
    expires_at: int

    def holds(self, item: LimitItem | None) -> bool:
        return item is None or item.get("owner") == self.owner

    def applied(self, item: LimitItem | None) -> LimitItem:
        return {
            **(item or {}),
            LIMITS_KEY: self.key,
            "owner": self.owner,
            "expires_at": self.expires_at,
        }

    def update(self) -> Update:
        return Update(
            expression="SET #owner = :owner, #expires = :expires",
            condition="attribute_not_exists(#key) OR #owner = :owner",
            names={"#key": LIMITS_KEY, "#owner": "owner", "#expires": "expires_at"},
            values={":owner": self.owner, ":expires": self.expires_at},
        )


_SEND_NAMES = {"#key": LIMITS_KEY, "#sent": "sent_at", "#lease": "lease_until"}


@dataclass(frozen=True)
class ClaimSend:
    """Take the right to send one message that is not about one request (a day's digest on a
    channel): once; a lapsed lease is taken over; kept until ``expires_at`` (TTL)."""

    key: str
    now: int
    lease_until: int
    expires_at: int

    def holds(self, item: LimitItem | None) -> bool:
        if item is None:
            return True
        lease = item.get("lease_until")
        return "sent_at" not in item and (lease is None or int(lease) < self.now)

    def applied(self, item: LimitItem | None) -> LimitItem:
        return {
            **(item or {}),
            LIMITS_KEY: self.key,
            "lease_until": self.lease_until,
            "expires_at": self.expires_at,
        }

    def update(self) -> Update:
        return Update(
            expression="SET #lease = :until, #expires = :expires",
            condition=(
                "attribute_not_exists(#key) OR (attribute_not_exists(#sent) AND "
                "(attribute_not_exists(#lease) OR #lease < :now))"
            ),
            names={**_SEND_NAMES, "#expires": "expires_at"},
            values={":until": self.lease_until, ":now": self.now, ":expires": self.expires_at},
        )


@dataclass(frozen=True)
class ReleaseSend:
    """Give a send's claim back after a temporary failure (unless it was sent)."""

    key: str

    def holds(self, item: LimitItem | None) -> bool:
        return item is not None and "sent_at" not in item

    def applied(self, item: LimitItem | None) -> LimitItem:
        return {k: v for k, v in (item or {}).items() if k != "lease_until"}

    def update(self) -> Update:
        return Update(
            expression="REMOVE #lease",
            condition="attribute_exists(#key) AND attribute_not_exists(#sent)",
            names=_SEND_NAMES,
        )


@dataclass(frozen=True)
class RecordSend:
    """Record that the message went out: no claim is granted again."""

    key: str
    at: str

    def holds(self, item: LimitItem | None) -> bool:
        return item is not None

    def applied(self, item: LimitItem | None) -> LimitItem:
        kept = {k: v for k, v in (item or {}).items() if k != "lease_until"}
        return {**kept, "sent_at": self.at}

    def update(self) -> Update:
        return Update(
            expression="SET #sent = :at REMOVE #lease",
            condition="attribute_exists(#key)",
            names=_SEND_NAMES,
            values={":at": self.at},
        )


_SUMMARY_NAMES = {"#key": LIMITS_KEY, "#sent": "summary_sent_at", "#lease": "summary_lease_until"}


@dataclass(frozen=True)
class ClaimSummary:
    """Take the right to send a window's summary: once; a lapsed lease is taken over."""

    channel: AlertChannel
    window: str
    now: int
    lease_until: int

    @property
    def key(self) -> str:
        return limit_key(self.channel, self.window)

    def holds(self, item: LimitItem | None) -> bool:
        if item is None or "summary_sent_at" in item:
            return False
        lease = item.get("summary_lease_until")
        return lease is None or int(lease) < self.now

    def applied(self, item: LimitItem | None) -> LimitItem:
        return {**(item or {}), "summary_lease_until": self.lease_until}

    def update(self) -> Update:
        return Update(
            expression="SET #lease = :until",
            condition=(
                "attribute_exists(#key) AND attribute_not_exists(#sent) AND "
                "(attribute_not_exists(#lease) OR #lease < :now)"
            ),
            names=_SUMMARY_NAMES,
            values={":until": self.lease_until, ":now": self.now},
        )


@dataclass(frozen=True)
class ReleaseSummary:
    """Give the summary's claim back after a temporary failure (unless it was sent)."""

    channel: AlertChannel
    window: str

    @property
    def key(self) -> str:
        return limit_key(self.channel, self.window)

    def holds(self, item: LimitItem | None) -> bool:
        return item is not None and "summary_sent_at" not in item

    def applied(self, item: LimitItem | None) -> LimitItem:
        return {k: v for k, v in (item or {}).items() if k != "summary_lease_until"}

    def update(self) -> Update:
        return Update(
            expression="REMOVE #lease",
            condition="attribute_exists(#key) AND attribute_not_exists(#sent)",
            names=_SUMMARY_NAMES,
        )


@dataclass(frozen=True)
class RecordSummary:
    """Record that the window's summary went out (its lease is no longer needed)."""

    channel: AlertChannel
    window: str
    at: str

    @property
    def key(self) -> str:
        return limit_key(self.channel, self.window)

    def holds(self, item: LimitItem | None) -> bool:
        return item is not None

    def applied(self, item: LimitItem | None) -> LimitItem:
        kept = {k: v for k, v in (item or {}).items() if k != "summary_lease_until"}
        return {**kept, "summary_sent_at": self.at}

    def update(self) -> Update:
        return Update(
            expression="SET #sent = :at REMOVE #lease",
            condition="attribute_exists(#key)",
            names=_SUMMARY_NAMES,
            values={":at": self.at},
        )


# Every transition of the limits table: tests/contract runs each on both stores.
# How many first contacts a week's figure keeps (a bound on its size, far above a clinic's week).
WEEK_CAP = 20_000


@dataclass(frozen=True)
class RecordFirstContact:
    """Add one time to first contact to its week (a limits-table transition)."""

    week: str
    minutes: int
    urgent: bool
    expires_at: int

    @property
    def key(self) -> str:
        return f"figure#{self.week}"

    def holds(self, item: LimitItem | None) -> bool:
        return len((item or {}).get("minutes", [])) < WEEK_CAP

    def applied(self, item: LimitItem | None) -> LimitItem:
        current = dict(item or {})
        current.update(
            {
                LIMITS_KEY: self.key,
                "expires_at": self.expires_at,
                "minutes": [*current.get("minutes", []), self.minutes],
            }
        )
        if self.urgent:
            current["urgent_minutes"] = [*current.get("urgent_minutes", []), self.minutes]
        return current

    def update(self) -> Update:
        expression = (
            "SET #expires = :expires, #minutes = list_append(if_not_exists(#minutes, :empty), :one)"
        )
        names = {"#expires": "expires_at", "#minutes": "minutes"}
        if self.urgent:
            expression += ", #urgent = list_append(if_not_exists(#urgent, :empty), :one)"
            names["#urgent"] = "urgent_minutes"
        return Update(
            expression=expression,
            condition="attribute_not_exists(#minutes) OR size(#minutes) < :cap",
            names=names,
            values={
                ":expires": self.expires_at,
                ":empty": [],
                ":one": [self.minutes],
                ":cap": WEEK_CAP,
            },
        )


TRANSITIONS: tuple[type, ...] = (
    Grant,
    GrantConfirmation,
    Hold,
    NoteHeldUrgent,
    ClaimOnce,
    ClaimSend,
    ReleaseSend,
    RecordSend,
    ClaimSummary,
    ReleaseSummary,
    RecordSummary,
    RecordFirstContact,
)


class AlertBudget:
    """The alert budget's rules, written once over a limits store (DynamoDB, or in memory)."""

    def __init__(self, store: LimitsStore) -> None:
        self.store = store

    def reserve(
        self,
        channel: AlertChannel,
        window: str,
        request_id: str,
        cap: int,
        expires_at: int,
        *,
        urgent: bool = False,
        reference: str | None = None,
        counted: bool = True,
    ) -> Decision:
        """``granted`` while the window has room (the same id is granted again on a retry),
        else ``held``: counted for the window's summary (``held``, and ``held_urgent`` for an
        urgent request, named by ``reference`` up to ``HELD_URGENT_NAMED``) unless ``counted``
        is false (a visitor's confirmation, which staff's summary does not announce)."""
        grant = Grant(channel, window, request_id, cap, expires_at)
        if self.store.change(grant.key, grant):
            return "granted"
        if counted:
            hold = Hold(channel, window, urgent, expires_at)
            self.store.change(hold.key, hold)
            if urgent and reference:
                note = NoteHeldUrgent(channel, window, reference, expires_at)
                self.store.change(note.key, note)  # false past the cap: counted, not named
        return "held"

    def claim_once(self, key: str, owner: str, expires_at: int) -> bool:
        """Take ``key`` for ``owner`` (true), or find it taken by another owner (false)."""
        return self.store.change(key, ClaimOnce(key, owner, expires_at))

    def reserve_confirmation(
        self, request_id: str, windows: tuple[tuple[str, int], ...], expires_at: int
    ) -> bool:
        """A confirmation's place in each of its (window, cap): an hour's and a day's. The same
        request is granted again on a retry; the first window that is full refuses it."""
        for window, cap in windows:
            grant = GrantConfirmation("email", window, request_id, cap, expires_at)
            if not self.store.change(grant.key, grant):
                return False
        return True

    def taken(self, key: str) -> bool:
        """Whether ``key`` was claimed (the sweep's "already published" marks)."""
        return self.store.get(key) is not None

    def mark_erased(self, submission_id: str, expires_at: int) -> None:
        """Note that the request was erased on its person's demand (its id only, until
        ``expires_at``): a message about it still queued is then dropped, not retried."""
        self.claim_once(erased_key(submission_id), "erase", expires_at)

    def was_erased(self, submission_id: str) -> bool:
        return self.taken(erased_key(submission_id))

    def claim_send(self, key: str, now: int, lease_until: int, expires_at: int) -> bool:
        """The right to send the message named ``key`` (false: sent, or being sent)."""
        claim = ClaimSend(key, now, lease_until, expires_at)
        return self.store.change(claim.key, claim)

    def release_send(self, key: str) -> None:
        release = ReleaseSend(key)
        self.store.change(release.key, release)

    def record_send(self, key: str, at: str) -> None:
        record = RecordSend(key, at)
        self.store.change(record.key, record)

    def window(self, channel: AlertChannel, window: str) -> BudgetWindow | None:
        item = self.store.get(limit_key(channel, window))
        return None if item is None else BudgetWindow.model_validate(item)

    def claim_summary(self, channel: AlertChannel, window: str, now: int, lease_until: int) -> bool:
        """Take the right to send the window's summary (once; a lapsed lease is taken over)."""
        claim = ClaimSummary(channel, window, now, lease_until)
        return self.store.change(claim.key, claim)

    def release_summary(self, channel: AlertChannel, window: str) -> None:
        release = ReleaseSummary(channel, window)
        self.store.change(release.key, release)

    def record_summary(self, channel: AlertChannel, window: str, at: str) -> None:
        record = RecordSummary(channel, window, at)
        self.store.change(record.key, record)
