"""``intake requests list/show/mark/export/erase``: what staff do with requests."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .common import add_target_arguments, local_time, target


def _staff(args: argparse.Namespace) -> Any:
    from .staff import Staff

    where = target(args)
    return Staff(target=where, by=args.by or where.caller(), now=datetime.now(UTC))


def _list(args: argparse.Namespace) -> int:
    from .staff import parse_since

    staff = _staff(args)
    rows = staff.list(args.status, parse_since(args.since, staff.now), limit=args.limit)
    print(f"{'received':16}  {'reference':9}  {'status':9}  {'alert':7}  name")
    for row in rows:
        print(
            f"{local_time(row['created_at']):16}  {row['reference']:9}  {row['status']:9}  "
            f"{row.get('alert_state', ''):7}  {row.get('full_name', '')}"
        )
    print(
        f"{len(rows)} request(s) since {args.since}"
        + (" (limit reached)" if len(rows) >= args.limit else "")
    )
    return 0


def _show(args: argparse.Namespace) -> int:
    item = _staff(args).show(args.reference)
    fields = [
        ("Reference", item["reference"]),
        ("Received", local_time(item["created_at"])),
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


def _mark(args: argparse.Namespace) -> int:
    result = _staff(args).mark(args.reference, args.status, args.note)
    print(f"{result['reference']}: {result['from']} -> {result['to']}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from .staff import HEALTH_DATA_WARNING, parse_since

    staff = _staff(args)
    count = staff.export(parse_since(args.since, staff.now), args.out)
    print(f"Exported {count} request(s) to {args.out} (readable by you only).")
    print(HEALTH_DATA_WARNING.format(path=args.out), file=sys.stderr)
    return 0


def _erase(args: argparse.Namespace) -> int:
    result = _staff(args).erase(args.reference)
    print(
        f"Erased {result['reference']} and {result['queued_messages_removed']} queued "
        "message(s) about it; an audit entry without its data was kept."
    )
    return 0


def _with_target(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    add_target_arguments(parser)
    parser.add_argument("--by", help="who is acting (default: your AWS identity)")
    return parser


def register(commands: Any) -> None:
    from .staff import STATUSES

    requests = commands.add_parser("requests", help="staff tools: find and act on requests")
    actions = requests.add_subparsers(dest="action", required=True)

    listing = _with_target(
        actions.add_parser("list", help="requests, newest first (reference and name only)")
    )
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--since", default="7d", help="how far back: 7d, 12h, 30m (default 7d)")
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(func=_list)

    show = _with_target(actions.add_parser("show", help="the whole request (audited)"))
    show.add_argument("reference")
    show.set_defaults(func=_show)

    mark = _with_target(
        actions.add_parser("mark", help="record progress: contacted, scheduled, closed")
    )
    mark.add_argument("reference")
    mark.add_argument("status", choices=["contacted", "scheduled", "closed"])
    mark.add_argument("--note", help="a short note for colleagues")
    mark.set_defaults(func=_mark)

    export = _with_target(actions.add_parser("export", help="CSV of requests (audited)"))
    export.add_argument("--since", default="30d")
    export.add_argument("--out", type=Path, required=True)
    export.set_defaults(func=_export)

    erase = _with_target(
        actions.add_parser("erase", help="delete a person's request on their demand (audited)")
    )
    erase.add_argument("reference")
    erase.set_defaults(func=_erase)
