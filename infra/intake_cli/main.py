"""``intake``: the project's command line (local stack; staff and ops tools)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any


def _local(args: argparse.Namespace) -> int:
    from .local import Options, run

    return run(
        Options(
            host=args.host,
            port=args.port,
            staff_emails=args.staff_emails,
            staff_phones=args.staff_phones,
            sender=args.sender,
            redrive_interval=args.redrive_interval,
            retry_delay=args.retry_delay,
        )
    )


def _target(args: argparse.Namespace) -> Any:
    from .target import TargetError, from_local, from_stack

    if args.local:
        return from_local(args.local)
    if args.stack:
        return from_stack(args.stack, args.region, args.profile)
    raise TargetError("say where: --stack NAME (a deployed stack) or --local (intake local)")


def _staff(args: argparse.Namespace) -> Any:
    from .staff import Staff

    target = _target(args)
    return Staff(target=target, by=args.by or target.caller(), now=datetime.now(UTC))


def _local_time(text: str) -> str:
    return datetime.fromisoformat(text).astimezone().strftime("%Y-%m-%d %H:%M")


def _requests_list(args: argparse.Namespace) -> int:
    from .staff import parse_since

    staff = _staff(args)
    rows = staff.list(args.status, parse_since(args.since, staff.now), limit=args.limit)
    print(f"{'received':16}  {'reference':9}  {'status':9}  {'alert':7}  name")
    for row in rows:
        print(
            f"{_local_time(row['created_at']):16}  {row['reference']:9}  {row['status']:9}  "
            f"{row.get('alert_state', ''):7}  {row.get('full_name', '')}"
        )
    print(
        f"{len(rows)} request(s) since {args.since}"
        + (" (limit reached)" if len(rows) >= args.limit else "")
    )
    return 0


def _requests_show(args: argparse.Namespace) -> int:
    item = _staff(args).show(args.reference)
    fields = [
        ("Reference", item["reference"]),
        ("Received", _local_time(item["created_at"])),
        ("Status", item["status"]),
        ("Name", item.get("full_name")),
        ("Phone", item.get("phone")),
        ("Email", item.get("email")),
        ("Preferred contact", item.get("preferred_contact")),
        ("Texts allowed", "yes" if item.get("sms_consent") else "no"),
        ("Visit type", item.get("visit_type")),
        ("Preferred date", item.get("preferred_date") or "-"),
        ("Preferred time", item.get("preferred_time")),
        ("Staff alert", item.get("alert_state")),
    ]
    for label, value in fields:
        print(f"{label + ':':19}{value}")
    print("Reason:")
    print("  " + (item.get("reason") or "-").replace("\n", "\n  "))
    for change in item.get("history", []):
        note = f" ({change['note']})" if change.get("note") else ""
        print(f"- {change['at']} {change['by']}: {change['from']} -> {change['to']}{note}")
    return 0


def _requests_mark(args: argparse.Namespace) -> int:
    result = _staff(args).mark(args.reference, args.status, args.note)
    print(f"{result['reference']}: {result['from']} -> {result['to']}")
    return 0


def _requests_export(args: argparse.Namespace) -> int:
    from .staff import HEALTH_DATA_WARNING, parse_since

    staff = _staff(args)
    count = staff.export(parse_since(args.since, staff.now), args.out)
    print(f"Exported {count} request(s) to {args.out} (readable by you only).")
    print(HEALTH_DATA_WARNING.format(path=args.out), file=sys.stderr)
    return 0


def _requests_erase(args: argparse.Namespace) -> int:
    result = _staff(args).erase(args.reference)
    print(
        f"Erased {result['reference']} and {result['queued_messages_removed']} queued "
        "message(s) about it; an audit entry without its data was kept."
    )
    return 0


def _dlq_redrive(args: argparse.Namespace) -> int:
    from .staff import redrive_dlq

    moved = redrive_dlq(_target(args), limit=args.max)
    print(f"Moved {moved} message(s) from the dead-letter queue back to the alert queue.")
    return 0


def _alerts_redrive(args: argparse.Namespace) -> int:
    from .staff import redrive_alerts

    count = redrive_alerts(_target(args), timedelta(minutes=args.grace_minutes), datetime.now(UTC))
    print(f"Published again the alerts of {count} request(s) still pending.")
    return 0


def _with_target(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--stack", help="a deployed stack's name (CloudFormation outputs)")
    where.add_argument(
        "--local",
        nargs="?",
        const="http://127.0.0.1:8000",
        help="the local stack (default http://127.0.0.1:8000)",
    )
    parser.add_argument("--region", help="AWS region (default: your AWS configuration)")
    parser.add_argument("--profile", help="AWS profile (default: your AWS configuration)")
    parser.add_argument("--by", help="who is acting (default: your AWS identity)")


def build_parser() -> argparse.ArgumentParser:
    from .local import DEFAULT_PARAMETERS

    parser = argparse.ArgumentParser(prog="intake", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    local = commands.add_parser(
        "local", help="run the whole pipeline locally on moto (site, API, alerts)"
    )
    local.add_argument("--host", default=os.environ.get("INTAKE_HOST", "127.0.0.1"))
    local.add_argument("--port", type=int, default=int(os.environ.get("INTAKE_PORT", "8000")))
    local.add_argument(
        "--staff-emails",
        default=os.environ.get("INTAKE_STAFF_EMAILS", DEFAULT_PARAMETERS["StaffEmails"]),
        help="comma-separated staff addresses (empty: no email alerts)",
    )
    local.add_argument(
        "--staff-phones",
        default=os.environ.get("INTAKE_STAFF_PHONES", DEFAULT_PARAMETERS["StaffPhones"]),
        help="comma-separated staff numbers in E.164 (empty: no SMS alerts)",
    )
    local.add_argument(
        "--sender",
        default=os.environ.get("INTAKE_SENDER", DEFAULT_PARAMETERS["SenderEmail"]),
        help="the sender identity (verified automatically on the local SES)",
    )
    local.add_argument(
        "--redrive-interval",
        type=float,
        default=float(os.environ.get("INTAKE_REDRIVE_INTERVAL", "60")),
        help="seconds between runs of the alert re-drive (POST /_local/redrive runs it now)",
    )
    local.add_argument(
        "--retry-delay",
        type=int,
        default=None,
        help="seconds before a failed alert message is retried "
        "(default: the queue's visibility timeout from the template)",
    )
    local.set_defaults(func=_local)

    from .staff import STATUSES

    requests = commands.add_parser("requests", help="staff tools: find and act on requests")
    actions = requests.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="requests, newest first (reference and name only)")
    _with_target(listing)
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--since", default="7d", help="how far back: 7d, 12h, 30m (default 7d)")
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(func=_requests_list)
    show = actions.add_parser("show", help="the whole request, for calling back (audited)")
    _with_target(show)
    show.add_argument("reference")
    show.set_defaults(func=_requests_show)
    mark = actions.add_parser("mark", help="record progress: contacted, scheduled, closed")
    _with_target(mark)
    mark.add_argument("reference")
    mark.add_argument("status", choices=["contacted", "scheduled", "closed"])
    mark.add_argument("--note", help="a short note for colleagues")
    mark.set_defaults(func=_requests_mark)
    export = actions.add_parser("export", help="CSV of requests (health data; audited)")
    _with_target(export)
    export.add_argument("--since", default="30d")
    export.add_argument("--out", type=Path, required=True)
    export.set_defaults(func=_requests_export)
    erase = actions.add_parser("erase", help="delete a person's request on their demand (audited)")
    _with_target(erase)
    erase.add_argument("reference")
    erase.set_defaults(func=_requests_erase)

    dlq = commands.add_parser("dlq", help="ops: the alert dead-letter queue")
    dlq_actions = dlq.add_subparsers(dest="action", required=True)
    dlq_redrive = dlq_actions.add_parser("redrive", help="move DLQ messages back after a fix")
    _with_target(dlq_redrive)
    dlq_redrive.add_argument("--max", type=int, default=1000)
    dlq_redrive.set_defaults(func=_dlq_redrive)

    alerts = commands.add_parser("alerts", help="ops: staff alerts")
    alert_actions = alerts.add_subparsers(dest="action", required=True)
    alerts_redrive = alert_actions.add_parser(
        "redrive", help="publish again the alerts still pending after a grace period"
    )
    _with_target(alerts_redrive)
    alerts_redrive.add_argument("--grace-minutes", type=int, default=5)
    alerts_redrive.set_defaults(func=_alerts_redrive)
    return parser


def main(argv: list[str] | None = None) -> int:
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    from .staff import StaffError
    from .target import TargetError

    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except (StaffError, TargetError) as exc:
        print(f"intake: {exc}", file=sys.stderr)
        return 2
    except NoCredentialsError:
        print(
            "intake: no AWS credentials found: set AWS_PROFILE or pass --profile", file=sys.stderr
        )
        return 2
    except (ClientError, BotoCoreError) as exc:
        print(f"intake: AWS refused or failed: {exc}", file=sys.stderr)
        return 1
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
