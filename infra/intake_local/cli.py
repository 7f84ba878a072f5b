"""``intake-local``: the whole pipeline locally on moto (site, API, alerts), for development.

``make run`` starts it. Every option has an environment variable, so ``make run`` can take them.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from typing import Any

from .dynalite import DynaliteMissing
from .pipeline import DEFAULT_PARAMETERS, LocalPipeline, Options


def build_parser() -> argparse.ArgumentParser:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="intake-local", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=env("INTAKE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env("INTAKE_PORT", "8000")))
    parser.add_argument(
        "--dynamodb",
        choices=["moto", "dynalite"],
        default=env("INTAKE_DYNAMODB", "moto"),
        help="DynamoDB on moto (default) or on dynalite, the strict emulator the tests use",
    )
    parser.add_argument(
        "--staff-emails",
        default=env("INTAKE_STAFF_EMAILS", DEFAULT_PARAMETERS["StaffEmails"]),
        help="comma-separated staff addresses (empty: no email alerts)",
    )
    parser.add_argument(
        "--staff-phones",
        default=env("INTAKE_STAFF_PHONES", DEFAULT_PARAMETERS["StaffPhones"]),
        help="comma-separated staff numbers in E.164 (empty: no SMS alerts)",
    )
    parser.add_argument(
        "--sender",
        default=env("INTAKE_SENDER", DEFAULT_PARAMETERS["SenderEmail"]),
        help="the sender identity (verified automatically on the local SES)",
    )
    parser.add_argument(
        "--redrive-interval",
        type=float,
        default=float(env("INTAKE_REDRIVE_INTERVAL", "60")),
        help="seconds between runs of the alert re-drive (POST /_local/redrive runs it now)",
    )
    parser.add_argument(
        "--retry-delay",
        type=int,
        default=None,
        help="seconds before a failed alert message is retried "
        "(default: the queue's visibility timeout from the template)",
    )
    parser.add_argument(
        "--origin-secret-max-age",
        type=float,
        default=60.0,
        help="seconds the API functions keep the origin secret they read (as deployed: 60)",
    )
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a template parameter, as `sam deploy --parameter-overrides` would set it",
    )
    return parser


def options_from(args: argparse.Namespace) -> Options:
    parameters = {}
    for item in args.parameter:
        name, separator, value = item.partition("=")
        if not separator:
            raise SystemExit(f"intake-local: --parameter takes NAME=VALUE, not {item!r}")
        parameters[name] = value
    return Options(
        host=args.host,
        port=args.port,
        staff_emails=args.staff_emails,
        staff_phones=args.staff_phones,
        sender=args.sender,
        redrive_interval=args.redrive_interval,
        retry_delay=args.retry_delay,
        dynamodb=args.dynamodb,
        parameters=parameters,
        origin_secret_max_age=args.origin_secret_max_age,
    )


def run(options: Options) -> int:
    """Start everything, print the URLs, and stop cleanly on Ctrl-C or SIGTERM."""
    pipeline = LocalPipeline(options)
    stop = threading.Event()

    def _request_stop(signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _request_stop)
    signal.signal(signal.SIGTERM, _request_stop)
    started = time.monotonic()
    try:
        pipeline.start()
    except OSError as exc:
        print(
            f"intake-local: cannot listen on {options.host}:{options.port}: {exc.strerror}",
            file=sys.stderr,
        )
        pipeline.stop()
        return 1
    except DynaliteMissing as exc:
        print(f"intake-local: {exc}", file=sys.stderr)
        pipeline.stop()
        return 1
    base = f"http://{options.host}:{pipeline.running.http.server_port}"
    dynamodb = (
        f"dynalite at {pipeline.aws.dynamodb_endpoint}"
        if options.dynamodb == "dynalite"
        else "moto"
    )
    print(
        f"clinic-intake local stack ready in {time.monotonic() - started:.1f}s\n"
        f"  site:          {base}/\n"
        f"  API:           {base}/api/appointments\n"
        f"  staff outbox:  {base}/_local/  (JSON: {base}/_local/outbox)\n"
        f"  health:        {base}/_local/health\n"
        f"  local AWS:     {pipeline.aws.endpoint} (moto; data lives while this runs)\n"
        f"  DynamoDB:      {dynamodb}\n"
        f"  staff inbox:   {base}/staff/  (staff@clinic.example or admin@clinic.example,\n"
        f"                 password Local-Inbox-Pa55word!, authenticator code on {base}/_local/)\n"
        f"  staff tools:   intake requests list --local {base}\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    stop.wait()
    print("stopping...", flush=True)
    pipeline.stop()
    print("clinic-intake local stack stopped.", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    return run(options_from(build_parser().parse_args(argv)))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
