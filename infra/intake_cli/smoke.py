"""``intake smoke``: after every deploy, prove the pipeline works end to end.

The check itself (send a request marked as a test through the stack's public URL, wait until it
is stored and its staff alert is ``sent``, report each failed channel with its reason, erase it)
is ``intake_common.services.smoke``, which the stack's daily canary runs too. This command runs
it from ops' machine under the ops policy (delivery attributes of its own request only, erasing
only smoke-test requests) and prints every step with its time.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from intake_common.aws.table import DynamoAuditLog, DynamoRequestStore
from intake_common.domain.audit import AuditEntry
from intake_common.domain.item import timestamp
from intake_common.services import smoke
from intake_common.services.smoke import Report

from .common import add_target_arguments, target
from .target import Target

AGENT = "clinic-intake/intake-smoke"


def run(where: Target, *, timeout: float = 180, poll: float = 1.0) -> Report:
    """The check against ``where``; the report says what happened (it never raises for it)."""
    store = DynamoRequestStore(where.table, where.client("dynamodb"))
    ports = smoke.Ports(
        post=lambda body: smoke.post_json(where.outputs["SiteUrl"], body, AGENT),
        delivery=store.delivery,
        erase=lambda submission_id, reference: _erase(where, submission_id, reference),
    )
    return smoke.run(ports, by="intake smoke", timeout=timeout, poll=poll)


def _erase(where: Target, submission_id: str, reference: str) -> None:
    """Delete the smoke request and leave an audit entry (the ops policy allows only these)."""
    DynamoRequestStore(where.table, where.client("dynamodb")).delete(submission_id)
    DynamoAuditLog(where.audit_table, where.client("dynamodb")).record(
        AuditEntry(
            at=timestamp(datetime.now(UTC)),
            by=where.caller(),
            action="erase",
            reason="smoke test",
            reference=reference,
            submission_id=submission_id,
        )
    )


def _smoke(args: argparse.Namespace) -> int:
    where = target(args)
    if "SiteUrl" not in where.outputs:
        print("intake smoke: the stack has no SiteUrl output")
        return 2
    print(f"Smoke test against {where.outputs['SiteUrl']}")
    report = run(where, timeout=args.timeout)
    for step in report.steps:
        print(f"  {step.seconds:6.1f} s  {step.name:8}  {step.detail}")
    print("PASSED" if report.ok else "FAILED")
    return 0 if report.ok else 1


def register(commands: Any) -> None:
    command = commands.add_parser(
        "smoke", help="ops: send a test request through the stack and check its staff alert"
    )
    add_target_arguments(command)
    command.add_argument("--timeout", type=float, default=180, help="seconds to wait (default 180)")
    command.set_defaults(func=_smoke)
