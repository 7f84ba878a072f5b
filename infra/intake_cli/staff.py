"""Staff and ops actions on requests: list, show, mark, export, erase; re-drives.

Every ``show``, ``export`` and ``erase`` writes an audit entry (who, what, when; never the
request's data). Lists come from secondary indexes, never a table scan.
"""

from __future__ import annotations

import csv
import os
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from .target import Target

STATUSES = ("new", "contacted", "scheduled", "closed", "spam")
# Which status a request may move to from each status.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("contacted", "scheduled", "closed"),
    "contacted": ("scheduled", "closed"),
    "scheduled": ("contacted", "closed"),
    "spam": ("contacted", "closed"),
    "closed": (),
}
EXPORT_COLUMNS = (
    "reference",
    "created_at",
    "status",
    "full_name",
    "email",
    "phone",
    "preferred_contact",
    "sms_consent",
    "visit_type",
    "preferred_date",
    "preferred_time",
    "reason",
    "consent_version",
    "alert_state",
    "submission_id",
)
HEALTH_DATA_WARNING = (
    "WARNING: {path} holds health data of the clinic's patients. Keep it on an encrypted, "
    "access-controlled device, share it only as the clinic's policy allows, and delete it "
    "when it is no longer needed."
)
_REFERENCE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-?[0-9A-HJKMNP-TV-Z]{4}$")
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class StaffError(Exception):
    """A request the command cannot act on (wrong reference, refused transition)."""


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


def parse_since(text: str, now: datetime) -> datetime:
    """``7d``, ``12h`` or ``30m`` before ``now``."""
    match = re.fullmatch(r"(\d{1,4})([dhm])", text.strip())
    if not match:
        raise StaffError(f"--since takes a duration like 7d, 12h or 30m, not {text!r}")
    amount, unit = int(match.group(1)), match.group(2)
    delta = {
        "d": timedelta(days=amount),
        "h": timedelta(hours=amount),
        "m": timedelta(minutes=amount),
    }
    return now - delta[unit]


def normalise_reference(reference: str) -> str:
    text = reference.strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")
    if not _REFERENCE.fullmatch(text):
        raise StaffError(f"{reference!r} is not a reference (they look like K7Q2-93XD)")
    text = text.replace("-", "")
    return f"{text[:4]}-{text[4:]}"


@dataclass
class Staff:
    target: Target
    by: str
    now: datetime

    @property
    def _ddb(self) -> Any:
        return self.target.client("dynamodb")

    # --- audit ------------------------------------------------------------------------------
    def audit(self, action: str, **details: str | int) -> None:
        """Record who did what and when. ``details`` hold references and counts, never data."""
        at = self.now.astimezone(UTC)
        entry = {
            "day": at.date().isoformat(),
            "entry": f"{at.isoformat(timespec='milliseconds')}#{uuid.uuid4()}",
            "at": at.isoformat(timespec="seconds"),
            "by": self.by,
            "action": action,
            **details,
        }
        self._ddb.put_item(
            TableName=self.target.audit_table,
            Item={key: _serializer.serialize(value) for key, value in entry.items()},
        )

    def audit_entries(self, day: str) -> list[dict[str, Any]]:
        response = self._ddb.query(
            TableName=self.target.audit_table,
            KeyConditionExpression="#d = :day",
            ExpressionAttributeNames={"#d": "day"},
            ExpressionAttributeValues={":day": {"S": day}},
        )
        return [_plain(item) for item in response.get("Items", [])]

    # --- look-ups ---------------------------------------------------------------------------
    def _id_for(self, reference: str) -> str:
        response = self._ddb.query(
            TableName=self.target.table,
            IndexName="by-reference",
            # REFERENCE is a DynamoDB reserved word: it may only appear through a placeholder.
            KeyConditionExpression="#ref = :ref",
            ExpressionAttributeNames={"#ref": "reference"},
            ExpressionAttributeValues={":ref": {"S": normalise_reference(reference)}},
        )
        items = response.get("Items", [])
        if not items:
            raise StaffError(f"no request has the reference {normalise_reference(reference)}")
        submission_id: str = items[0]["submission_id"]["S"]
        return submission_id

    def _get(self, submission_id: str) -> dict[str, Any]:
        item = self._ddb.get_item(
            TableName=self.target.table,
            Key={"submission_id": {"S": submission_id}},
            ConsistentRead=True,
        ).get("Item")
        if item is None:
            raise StaffError("that request no longer exists (erased or expired)")
        return _plain(item)

    def list(self, status: str | None, since: datetime, limit: int = 50) -> list[dict[str, Any]]:
        """Newest first, from the by-status index: reference, name and state only."""
        rows: list[dict[str, Any]] = []
        for one in [status] if status else STATUSES:
            paginator = self._ddb.get_paginator("query")
            pages = paginator.paginate(
                TableName=self.target.table,
                IndexName="by-status",
                KeyConditionExpression="#s = :status AND created_at >= :since",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":status": {"S": one},
                    ":since": {"S": since.astimezone(UTC).isoformat(timespec="milliseconds")},
                },
                ScanIndexForward=False,
                PaginationConfig={"MaxItems": limit, "PageSize": min(limit, 100)},
            )
            for page in pages:
                rows.extend(_plain(item) for item in page.get("Items", []))
        rows.sort(key=lambda row: row["created_at"], reverse=True)
        return rows[:limit]

    def show(self, reference: str) -> dict[str, Any]:
        item = self._get(self._id_for(reference))
        self.audit("show", reference=item["reference"], submission_id=item["submission_id"])
        return item

    def mark(self, reference: str, status: str, note: str | None) -> dict[str, Any]:
        submission_id = self._id_for(reference)
        item = self._get(submission_id)
        current = item["status"]
        if status not in TRANSITIONS.get(current, ()):
            allowed = ", ".join(TRANSITIONS.get(current, ())) or "nothing (it is closed)"
            raise StaffError(
                f"{item['reference']} is {current}: it can be marked {allowed}, not {status}"
            )
        change: dict[str, Any] = {
            "at": self.now.astimezone(UTC).isoformat(timespec="seconds"),
            "by": self.by,
            "from": current,
            "to": status,
        }
        if note:
            change["note"] = note
        from botocore.exceptions import ClientError

        try:
            self._ddb.update_item(
                TableName=self.target.table,
                Key={"submission_id": {"S": submission_id}},
                UpdateExpression=(
                    "SET #s = :to, status_changed_at = :at, status_changed_by = :by, "
                    "history = list_append(if_not_exists(history, :empty), :change)"
                ),
                ConditionExpression="#s = :from",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":to": {"S": status},
                    ":from": {"S": current},
                    ":at": {"S": change["at"]},
                    ":by": {"S": self.by},
                    ":empty": {"L": []},
                    ":change": {"L": [_serializer.serialize(change)]},
                },
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise StaffError(
                    f"{item['reference']} was changed by someone else just now: look again"
                ) from exc
            raise
        return {"reference": item["reference"], "from": current, "to": status}

    def export(self, since: datetime, out: Path) -> int:
        """Write every request since ``since`` to ``out`` (owner-only), newest first."""
        ids = [row["submission_id"] for row in self.list(None, since, limit=100_000)]
        items = [self._get(submission_id) for submission_id in ids]
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        descriptor = os.open(out, flags, 0o600)
        os.fchmod(descriptor, 0o600)  # also when the file existed with wider permissions
        with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            for item in items:
                writer.writerow({key: _csv_safe(item.get(key)) for key in EXPORT_COLUMNS})
        self.audit("export", count=len(items), since=since.astimezone(UTC).isoformat())
        return len(items)

    def erase(self, reference: str) -> dict[str, Any]:
        """Delete the request and its queued messages; keep only the audit entry."""
        submission_id = self._id_for(reference)
        item = self._get(submission_id)
        self._ddb.delete_item(
            TableName=self.target.table, Key={"submission_id": {"S": submission_id}}
        )
        removed = sum(
            self._remove_from_queue(url, submission_id)
            for url in (self.target.alert_queue, self.target.dead_letter_queue)
        )
        self.audit(
            "erase",
            reference=item["reference"],
            submission_id=submission_id,
            queued_messages_removed=removed,
        )
        return {"reference": item["reference"], "queued_messages_removed": removed}

    def _remove_from_queue(self, url: str, submission_id: str, rounds: int = 10) -> int:
        """Delete queued messages about the request (best effort: in-flight ones are hidden)."""
        sqs = self.target.client("sqs")
        removed = 0
        others: list[str] = []
        for _ in range(rounds):
            messages = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30, WaitTimeSeconds=0
            ).get("Messages", [])
            if not messages:
                break
            for message in messages:
                if submission_id in message["Body"]:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                    removed += 1
                else:
                    others.append(message["ReceiptHandle"])
        for handle in others:  # give back what was not ours at once
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
        return removed


def _csv_safe(value: Any) -> str:
    """Text for a CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in {"=", "@", "\t", "\r"}:
        return "'" + text
    if text[:1] in {"+", "-"} and not re.fullmatch(r"[+-][0-9 ]*", text):
        return "'" + text  # a formula; a phone number like +14155552671 stays as it is
    return text


def redrive_dlq(target: Target, limit: int = 1000) -> int:
    """Move messages from the dead-letter queue back to the alert queue."""
    sqs = target.client("sqs")
    moved = 0
    while moved < limit:
        messages = sqs.receive_message(
            QueueUrl=target.dead_letter_queue,
            MaxNumberOfMessages=10,
            VisibilityTimeout=60,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            break
        for message in messages:
            sqs.send_message(
                QueueUrl=target.alert_queue,
                MessageBody=message["Body"],
                **(
                    {"MessageAttributes": message["MessageAttributes"]}
                    if message.get("MessageAttributes")
                    else {}
                ),
            )
            sqs.delete_message(
                QueueUrl=target.dead_letter_queue, ReceiptHandle=message["ReceiptHandle"]
            )
            moved += 1
    return moved


def redrive_alerts(target: Target, grace: timedelta, now: datetime) -> int:
    """Publish again the alerts of requests pending for longer than ``grace``."""
    from submit_request.adapters import AlertTopic, RequestTable
    from submit_request.logic import redrive_pending

    table = RequestTable(target.table, client=target.client("dynamodb"))
    topic = AlertTopic(target.alert_topic, client=target.client("sns"))
    return redrive_pending(table, topic, now - grace, now)
