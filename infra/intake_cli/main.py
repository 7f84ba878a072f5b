"""``intake``: the staff and ops commands for a deployed stack (or the local stack).

Runs with the runtime dependencies alone (boto3 and the functions' packages): nothing here
imports the local emulator, which is a development tool (``intake-local``).
"""

from __future__ import annotations

import argparse
import sys

from . import ops_commands, origin_commands, requests_commands, smoke


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="intake", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    requests_commands.register(commands)
    ops_commands.register(commands)
    smoke.register(commands)
    origin_commands.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    from intake_common.domain.ports import StorageUnavailable
    from intake_common.services.staff import StaffError

    from .target import TargetError

    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except (StaffError, TargetError) as exc:
        print(f"intake: {exc}", file=sys.stderr)
        return 2
    except StorageUnavailable as exc:
        print(f"intake: the table refused or failed ({exc}); nothing was changed", file=sys.stderr)
        return 1
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
