"""Lambda SnapStart: the work done once before the snapshot, and what is renewed after a restore.

With SnapStart (the template's ``SnapStart`` parameter), Lambda runs a function's init once per
published version, snapshots the execution environment, and starts new environments from that
snapshot. Each handler registers a *priming* hook (``before_snapshot``): it imports what is
otherwise imported on the first event, builds the AWS clients (no call is made), and validates
and renders a sample request, so that no one-time work is left for the first visitor. After a
restore, what must differ between environments is renewed (``after_restore``): Python's
``random`` state. ``uuid4`` and ``secrets`` read the kernel's randomness, which is unique per
restored environment; the clients hold no connection, because priming makes no call.

The hooks register with ``snapshot_restore_py``, which Lambda's Python runtime provides. Outside
Lambda (tests, the local stack, the benchmarks) they are kept here, and ``prime()`` runs them as
Lambda would before a snapshot.
"""

from __future__ import annotations

import contextlib
import functools
import io
import random
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from intake_common.runtime.origin import OriginSecret

Hook = Callable[[], Any]

try:  # pragma: no cover - only in Lambda's managed Python runtime
    from snapshot_restore_py import (  # type: ignore[import-not-found]
        register_after_restore as _register_after,
    )
    from snapshot_restore_py import (
        register_before_snapshot as _register_before,
    )
except ImportError:
    _register_before = _register_after = None

BEFORE: list[Hook] = []
# How many times priming runs the sample through a handler: CPython specialises code that has
# run a few times (the adaptive interpreter), and the snapshot keeps it specialised. Measured:
# the first event after priming went from 1.65x to 1.27x the warm p50 (BENCHMARKS.md).
PRIMING_RUNS = 10
AFTER: list[Hook] = []
# The answers of the priming runs that did not succeed (the benchmark refuses to measure them).
INCOMPLETE: list[object] = []


def before_snapshot(hook: Hook) -> Hook:
    """Run ``hook`` before Lambda takes the snapshot (decorator)."""
    BEFORE.append(hook)
    if _register_before is not None:  # pragma: no cover - Lambda only
        _register_before(hook)
    return hook


def after_restore(hook: Hook) -> Hook:
    """Run ``hook`` when Lambda resumes an environment from the snapshot (decorator)."""
    AFTER.append(hook)
    if _register_after is not None:  # pragma: no cover - Lambda only
        _register_after(hook)
    return hook


def prime() -> None:
    """What Lambda does at a snapshot, outside Lambda: the before-snapshot hooks (in reverse
    order of registration, as Lambda runs them), then the after-restore hooks."""
    for hook in reversed(BEFORE):
        hook()
    for hook in AFTER:
        hook()


@contextlib.contextmanager
def rehearsed(origin: OriginSecret | None) -> Iterator[str]:
    """The origin header value a priming request carries: the secret's client answers offline
    and what it read is forgotten (the snapshot holds no secret). Without a secret (a local
    stack with the check off), none."""
    if origin is None:
        yield ""
        return
    with origin.rehearsal() as value:
        yield value


@after_restore
def renew_random_state() -> None:
    """Every restored environment would otherwise draw the same ``random`` numbers."""
    random.seed()


# A request no visitor sent: priming validates and renders it; it is never stored or sent.
SAMPLE_ID = "00000000-0000-4000-8000-00000000cafe"
SAMPLE_FIELDS: dict[str, Any] = {
    "submission_id": SAMPLE_ID,
    "full_name": "Sample Visitor",
    "email": "sample.visitor@example.org",
    "phone": "(415) 555-2671",
    "preferred_contact": "text",
    "sms_consent": True,
    "visit_type": "new",
    "preferred_time": "morning",
    "reason": "A sample reason, with an apostrophe's worth of punctuation.",
    "confirmation_email": True,
    "consent": True,
    "consent_version": "sample",
}


def sample_item(retention_days: int = 1) -> Any:
    """The sample request, validated, as the table would store it (a ``RequestItem``)."""
    import uuid
    from datetime import UTC, datetime

    from intake_common.domain.item import RequestItem
    from intake_common.domain.models import AppointmentRequest

    now = datetime.now(UTC)
    request = AppointmentRequest.model_validate(SAMPLE_FIELDS, context={"today": now.date()})
    item = RequestItem.new(request, uuid.UUID(SAMPLE_ID), now, retention_days)
    RequestItem.model_validate(item.attributes())  # the read path, as from the table
    return item


def rehearse(run: Callable[[], Any], succeeded: Callable[[Any], bool]) -> None:
    """A priming run: ``run`` (a sample through a handler's own code) ``PRIMING_RUNS`` times,
    its log lines muted and its metrics dropped (the sample is not a request: nothing about it
    may reach CloudWatch). If the last answer is not ``succeeded``, one warning, unmuted:
    priming is an optimisation only, and the first request pays what it left."""
    from .observability import logger, metrics

    level = logger.log_level
    logger.setLevel("CRITICAL")
    try:
        # single_metric prints its metric at once, past the metrics' buffer: muted too.
        with contextlib.redirect_stdout(io.StringIO()):
            for _ in range(PRIMING_RUNS):
                answer = run()
    finally:
        logger.setLevel(level)
        metrics.clear_metrics()
    if not succeeded(answer):
        status = answer.get("statusCode") if isinstance(answer, dict) else None
        INCOMPLETE.append(status)
        logger.warning("priming incomplete", status=status)


# What the weekly schedule sends (template.yaml, KeepSnapshotActive): a SnapStart version not
# invoked for 14 days turns Inactive, and invoking it then fails until Lambda restores it.
KEEP_ACTIVE = {"keep_active": "clinic-intake"}


def keeps_active(event: object) -> bool:
    """The schedule's invocation (no API Gateway or SQS event looks like it)."""
    return isinstance(event, dict) and event.get("keep_active") == KEEP_ACTIVE["keep_active"]


Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def answers_keep_active(handler: Handler) -> Handler:
    """A function's entry point that answers the weekly keep-active call itself, before
    ``handler`` and its logging and metrics decorators see it (no log line, no metric)."""

    @functools.wraps(handler)
    def entry(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if keeps_active(event):
            return {"kept_active": True}
        return handler(event, context)

    return entry
