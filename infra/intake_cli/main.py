"""``intake``: the project's command line (local stack; staff and ops tools)."""

from __future__ import annotations

import argparse
import os
import sys


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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
