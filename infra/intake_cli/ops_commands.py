"""``intake dlq redrive`` and ``intake alerts redrive``: ops actions after a failure is fixed."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from typing import Any

from intake_common.aws.table import DynamoRequestStore
from intake_common.aws.topic import SnsAlertPublisher
from intake_common.services.alerts import redrive_pending

from .common import add_target_arguments, target
from .target import Target


def redrive_dlq(where: Target, limit: int = 1000) -> int:
    """Move messages from the dead-letter queue back to the alert queue."""
    sqs = where.client("sqs")
    moved = 0
    while moved < limit:
        messages = sqs.receive_message(
            QueueUrl=where.dead_letter_queue,
            MaxNumberOfMessages=10,
            VisibilityTimeout=60,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            break
        for message in messages:
            attributes = message.get("MessageAttributes")
            sqs.send_message(
                QueueUrl=where.alert_queue,
                MessageBody=message["Body"],
                **({"MessageAttributes": attributes} if attributes else {}),
            )
            sqs.delete_message(
                QueueUrl=where.dead_letter_queue, ReceiptHandle=message["ReceiptHandle"]
            )
            moved += 1
    return moved


def _dlq_redrive(args: argparse.Namespace) -> int:
    moved = redrive_dlq(target(args), limit=args.max)
    print(f"Moved {moved} message(s) from the dead-letter queue back to the alert queue.")
    return 0


def _alerts_redrive(args: argparse.Namespace) -> int:
    where = target(args)
    now = datetime.now(UTC)
    count = redrive_pending(
        DynamoRequestStore(where.table, where.client("dynamodb")),
        SnsAlertPublisher(where.alert_topic, where.client("sns")),
        now - timedelta(minutes=args.grace_minutes),
        now,
    )
    print(f"Published again the alerts of {count} request(s) still pending.")
    return 0


def register(commands: Any) -> None:
    dlq = commands.add_parser("dlq", help="ops: the alert dead-letter queue")
    dlq_actions = dlq.add_subparsers(dest="action", required=True)
    redrive = dlq_actions.add_parser("redrive", help="move DLQ messages back after a fix")
    add_target_arguments(redrive)
    redrive.add_argument("--max", type=int, default=1000)
    redrive.set_defaults(func=_dlq_redrive)

    alerts = commands.add_parser("alerts", help="ops: staff alerts")
    alert_actions = alerts.add_subparsers(dest="action", required=True)
    pending = alert_actions.add_parser(
        "redrive", help="publish again the alerts still pending after a grace period"
    )
    add_target_arguments(pending)
    pending.add_argument("--grace-minutes", type=int, default=5)
    pending.set_defaults(func=_alerts_redrive)
