"""``intake requests list/show/mark/export/erase``: what staff do with requests.

The rules (audit first, the caller's real identity, expired means gone, ambiguous references
refused) are the staff API's own: both call ``intake_common.services.staff``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from intake_common.aws.staff import staff_dependencies
from intake_common.domain.audit import Actor
from intake_common.domain.item import (
    ATTEMPT_RESULTS,
    OUTCOMES,
    STAFF_CHANNELS,
    STATUSES,
    alert_channel,
    alert_recipient,
)
from intake_common.domain.paging import MAX_PAGE_SIZE, VIEWS, Cursor
from intake_common.services import staff as logic
from intake_common.services.staff import Dependencies

from .common import add_target_arguments, local_time, target
from .target import Target


def parse_since(text: str, now: datetime) -> datetime:
    """``7d``, ``12h`` or ``30m`` before ``now``."""
    match = re.fullmatch(r"(\d{1,4})([dhm])", text.strip())
    if not match:
        raise logic.StaffError(f"--since takes a duration like 7d, 12h or 30m, not {text!r}")
    amount, unit = int(match.group(1)), match.group(2)
    units = {"d": "days", "h": "hours", "m": "minutes"}
    return now - timedelta(**{units[unit]: amount})


def dependencies(where: Target) -> Dependencies:
    return staff_dependencies(
        where.client("dynamodb"),
        table=where.table,
        audit_table=where.audit_table,
        limits_table=where.limits_table,
    )


def _session(args: argparse.Namespace) -> tuple[Dependencies, Actor, datetime]:
    deps, actor, now, _ = _session_in_zone(args)
    return deps, actor, now


def _session_in_zone(args: argparse.Namespace) -> tuple[Dependencies, Actor, datetime, ZoneInfo]:
    where = target(args)
    # The audit trail names the caller's AWS identity; --by adds a name, it never replaces it.
    return dependencies(where), Actor(where.caller(), args.by), datetime.now(UTC), where.zone


def _list(args: argparse.Namespace) -> int:
    """Every page of the view (``domain/paging.py``), one after the other, up to ``--limit``
    rows: urgent open requests first, and nothing left out without saying so."""
    deps, actor, now, zone = _session_in_zone(args)
    since = parse_since(args.since, now)
    view = args.status or args.view
    print(f"{'received':16}  {'reference':9}  {'status':9}  {'alert':10}  {'urgent':6}  name")
    shown, cursor = 0, None
    while shown < args.limit:
        page = logic.list_page(
            deps, actor, now, view=view, since=since, cursor=cursor, limit=MAX_PAGE_SIZE
        )
        for row in page.rows[: args.limit - shown]:
            urgent = "URGENT" if row.needs_call_today else ""
            print(
                f"{local_time(row.created_at, zone):16}  {row.reference:9}  {row.status:9}  "
                f"{row.alert_state or '':10}  {urgent:6}  {row.full_name}"
            )
        shown += min(len(page.rows), args.limit - shown)
        cursor = page.cursor
        if cursor is None:
            break
    period = "" if view == "callback" else f" since {args.since}"
    more = f" (--limit {args.limit} reached: there are more)" if cursor else ""
    print(f"{shown} request(s) in {view}{period}{more}; times are {zone.key} (clinic time)")
    return 0


_CONFIRMATION_WORDS = {
    "not_requested": "not asked for",
    "pending": "asked for, not sent yet",
    "sent": "sent",
    "sent_today": "not sent (one went to this address today)",
    "alert_limit": "not sent (the email alert limit was reached)",
    "failed": "not sent (the address was refused)",
}


def _show(args: argparse.Namespace) -> int:
    deps, actor, now, zone = _session_in_zone(args)
    item = logic.show(deps, actor, now, args.reference)
    fields = [
        ("Urgent", "yes: please call back today" if item.urgent else "no"),
        (
            "Language",
            "Prefers Spanish (sent from the Spanish page)" if item.language == "es" else "English",
        ),
        ("Reference", item.reference),
        ("Received", f"{local_time(item.created_at, zone)} ({zone.key})"),
        ("Status", item.status),
        ("Name", item.full_name),
        ("Phone", item.phone),
        ("Email", item.email),
        ("Preferred contact", item.preferred_contact),
        ("Texts allowed", "yes" if item.sms_consent else "no"),
        ("Visit type", item.visit_type),
        ("Preferred date", item.preferred_date or "-"),
        ("Preferred time", item.preferred_time),
        ("Staff alert", item.alert_state),
        ("Confirmation", _CONFIRMATION_WORDS[item.confirmation_state]),
    ]
    for label, value in fields:
        print(f"{label + ':':19}{value}")
    for key, record in sorted(item.alerts.items()):
        # A staff alert that did not arrive: which address or phone, and why.
        if alert_channel(key) in STAFF_CHANNELS and record.state in {"bounced", "failed"}:
            what = "bounced" if record.state == "bounced" else "refused"
            print(f"{'Not delivered:':19}{alert_recipient(key)} {what} ({record.error or '-'})")
    print("Reason:")
    print("  " + (item.reason or "-").replace("\n", "\n  "))
    for tried in item.attempts:
        note = f" ({tried.note})" if tried.note else ""
        who = f"{tried.by_name} ({tried.by})" if tried.by_name else tried.by
        print(f"- {local_time(tried.at, zone)} {who}: call attempt, {tried.result}{note}")
    for change in item.history:
        note = f" ({change.note})" if change.note else ""
        who = f"{change.by_name} ({change.by})" if change.by_name else change.by
        ended = f" [{change.outcome}]" if change.outcome else ""
        print(f"- {local_time(change.at, zone)} {who}: {change.from_} -> {change.to}{ended}{note}")
    print(f"(times are {zone.key}, clinic time)")
    return 0


def _mark(args: argparse.Namespace) -> int:
    deps, actor, now = _session(args)
    marked = logic.mark(deps, actor, now, args.reference, args.status, args.note, args.outcome)
    print(f"{marked.reference}: {marked.change.from_} -> {marked.change.to}")
    return 0


def _attempt(args: argparse.Namespace) -> int:
    deps, actor, now = _session(args)
    item = logic.log_attempt(deps, actor, now, args.reference, args.result, args.note)
    count = len(item.attempts)
    print(f"{item.reference}: attempt {count} logged ({args.result}); still {item.status}")
    return 0


def _export(args: argparse.Namespace) -> int:
    deps, actor, now, zone = _session_in_zone(args)
    since = parse_since(args.since, now)
    pages = partial(logic.export_page, deps, actor, now, since)
    count = write_csv(pages, args.out, zone)
    print(f"Exported {count} request(s) to {args.out} (readable by you only).")
    print("WARNING: " + logic.HEALTH_DATA_WARNING.format(path=args.out), file=sys.stderr)
    return 0


def write_csv(pages: Callable[[Cursor | None], logic.ExportPage], out: Path, zone: ZoneInfo) -> int:
    """Owner-only (0600, also over an existing file), written page by page as they are read
    (a busy month is never held in memory whole); how many requests it holds."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    descriptor = os.open(out, flags, 0o600)
    os.fchmod(descriptor, 0o600)
    count, cursor = 0, None
    with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as handle:
        while True:
            page = pages(cursor)
            handle.write(logic.csv_text(page.items, header=cursor is None, zone=zone))
            count += len(page.items)
            cursor = page.cursor
            if cursor is None:
                return count


def _erase(args: argparse.Namespace) -> int:
    deps, actor, now = _session(args)
    erased = logic.erase(deps, actor, now, args.reference)
    print(
        f"Erased {erased.reference}; an alert about it still queued will be dropped, and an "
        "audit entry without its data was kept."
    )
    return 0


def _with_target(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    add_target_arguments(parser)
    parser.add_argument(
        "--by", help="your name for the history and the audit trail (next to your AWS identity)"
    )
    return parser


def register(commands: Any) -> None:
    requests = commands.add_parser("requests", help="staff tools: find and act on requests")
    actions = requests.add_subparsers(dest="action", required=True)

    listing = _with_target(
        actions.add_parser(
            "list",
            help="a view of the requests, every page (reference and name; audited)",
        )
    )
    listing.add_argument(
        "--view",
        choices=VIEWS,
        default="callback",
        help="callback (default: nobody reached yet, urgent first, then the longest waiting), "
        "a status (newest first), or held (the alert budget held their staff alert)",
    )
    listing.add_argument("--status", choices=STATUSES, help="the same as --view STATUS")
    listing.add_argument(
        "--since", default="7d", help="how far back a status view goes: 7d, 12h, 30m (default 7d)"
    )
    listing.add_argument("--limit", type=int, default=10_000, help="at most this many rows")
    listing.set_defaults(func=_list)

    show = _with_target(actions.add_parser("show", help="the whole request (audited)"))
    show.add_argument("reference", help="the reference (K7Q2-93XD) or the request's id")
    show.set_defaults(func=_show)

    mark = _with_target(
        actions.add_parser("mark", help="record progress: contacted, scheduled, closed (audited)")
    )
    mark.add_argument("reference")
    mark.add_argument("status", choices=["contacted", "scheduled", "closed"])
    mark.add_argument("--note", help="a short note for colleagues")
    mark.add_argument(
        "--outcome", choices=OUTCOMES, help="how it ended: closing needs one (and only closing)"
    )
    mark.set_defaults(func=_mark)

    attempt = _with_target(
        actions.add_parser("attempt", help="log a call that did not reach the person (audited)")
    )
    attempt.add_argument("reference")
    attempt.add_argument("result", choices=ATTEMPT_RESULTS)
    attempt.add_argument("--note", help="a short note for colleagues")
    attempt.set_defaults(func=_attempt)

    export = _with_target(actions.add_parser("export", help="CSV of requests (audited)"))
    export.add_argument("--since", default="30d")
    export.add_argument("--out", type=Path, required=True)
    export.set_defaults(func=_export)

    erase = _with_target(
        actions.add_parser("erase", help="delete a person's request on their demand (audited)")
    )
    erase.add_argument("reference")
    erase.set_defaults(func=_erase)
