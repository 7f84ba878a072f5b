"""What every command shares: where it acts (``--stack`` or ``--local``) and who acts."""

from __future__ import annotations

import argparse
from datetime import datetime
from zoneinfo import ZoneInfo

from .target import Target, TargetError, from_local, from_stack


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
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


def agent(args: argparse.Namespace) -> str:
    """The user agent of this command's AWS calls, e.g. ``clinic-intake/intake-requests-show``."""
    words = [args.command, getattr(args, "action", None)]
    return "clinic-intake/intake-" + "-".join(word for word in words if word)


def target(args: argparse.Namespace) -> Target:
    if args.local:
        return from_local(args.local, agent(args))
    if args.stack:
        return from_stack(args.stack, args.region, args.profile, agent(args))
    raise TargetError("say where: --stack NAME (a deployed stack) or --local (intake-local)")


def local_time(text: str, zone: ZoneInfo) -> str:
    """A stored time in the clinic's zone, as the inbox and the alerts show it."""
    return datetime.fromisoformat(text).astimezone(zone).strftime("%Y-%m-%d %H:%M")
