"""The project's three tables on DynamoDB: the requests table (``ports.RequestStore``, with the
names, indexes and transitions of ``domain/item.py``), the alert limits table
(``ports.AlertBudget``, ``domain/limits.py``) and the audit table (``ports.AuditLog``,
``domain/audit.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from intake_common.domain.audit import AuditEntry
from intake_common.domain.expression import Update
from intake_common.domain.item import (
    DELIVERY_ATTRIBUTES,
    INDEXES,
    INSERT_CONDITION,
    INSERT_NAMES,
    TABLE_KEY,
    CallAttempt,
    Index,
    RequestItem,
    RequestSummary,
    Transition,
)
from intake_common.domain.limits import LIMITS_KEY, LimitItem, LimitTransition
from intake_common.domain.paging import PageKey, Phase
from intake_common.domain.ports import StorageUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_CONDITION_FAILED = "ConditionalCheckFailedException"


# DynamoDB's attribute values, as boto3's TypeSerializer and TypeDeserializer write and read
# them for the types the items use (the functions do not import boto3: see clients.py). Numbers
# come back as Decimal, and a float is refused, as boto3 does.
def attribute(value: Any) -> dict[str, Any]:
    """One value in DynamoDB's wire format."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | Decimal):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes | bytearray):
        return {"B": bytes(value)}
    if isinstance(value, set | frozenset):
        if value and all(isinstance(v, str) for v in value):
            return {"SS": sorted(value)}
        if value and all(isinstance(v, int | Decimal) and not isinstance(v, bool) for v in value):
            return {"NS": sorted(str(v) for v in value)}
        raise TypeError("a set must hold only strings or only numbers, and not be empty")
    if isinstance(value, list | tuple):
        return {"L": [attribute(v) for v in value]}
    if isinstance(value, dict):
        return {"M": {str(k): attribute(v) for k, v in value.items()}}
    raise TypeError(f"{type(value).__name__} cannot be stored (floats: use Decimal)")


def value_of(attribute_value: dict[str, Any]) -> Any:
    """One value from DynamoDB's wire format."""
    ((kind, raw),) = attribute_value.items()
    if kind == "NULL":
        return None
    if kind in {"S", "BOOL", "B"}:
        return raw
    if kind == "N":
        return Decimal(raw)
    if kind == "SS":
        return set(raw)
    if kind == "NS":
        return {Decimal(v) for v in raw}
    if kind == "BS":
        return set(raw)
    if kind == "L":
        return [value_of(v) for v in raw]
    if kind == "M":
        return {k: value_of(v) for k, v in raw.items()}
    raise TypeError(f"unknown DynamoDB type {kind}")


def to_attributes(values: dict[str, Any]) -> dict[str, Any]:
    return {key: attribute(value) for key, value in values.items()}


def from_attributes(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value_of(value) for key, value in item.items()}


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "Unknown"))


@contextmanager
def _storage_errors() -> Iterator[None]:
    """botocore's errors as the ports': ``StorageUnavailable`` with a code, never a message."""
    try:
        yield
    except ClientError as exc:
        raise StorageUnavailable(_code(exc)) from exc
    except BotoCoreError as exc:
        raise StorageUnavailable(type(exc).__name__) from exc


def _conditionally(write: Callable[[], object]) -> bool:
    """A conditional write: false if its condition failed."""
    with _storage_errors():
        try:
            write()
        except ClientError as exc:
            if _code(exc) == _CONDITION_FAILED:
                return False
            raise
    return True


def _apply(client: DynamoDBClient, table: str, key: dict[str, Any], update: Update) -> bool:
    """A transition's conditional UpdateItem: false if its condition failed."""
    kwargs: dict[str, Any] = {
        "TableName": table,
        "Key": key,
        "UpdateExpression": update.expression,
        "ExpressionAttributeNames": update.names,
    }
    if update.values:
        kwargs["ExpressionAttributeValues"] = to_attributes(update.values)
    if update.condition:
        kwargs["ConditionExpression"] = update.condition
    return _conditionally(lambda: client.update_item(**kwargs))


class DynamoRequestStore:
    """The requests table. Every error but a failed condition is ``StorageUnavailable``."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self.table_name = table_name
        self.client = client

    def _key(self, submission_id: str) -> dict[str, Any]:
        return {TABLE_KEY: {"S": submission_id}}

    def insert(self, item: RequestItem) -> RequestItem | None:
        with _storage_errors():
            try:
                self.client.put_item(
                    TableName=self.table_name,
                    Item=to_attributes(item.attributes()),
                    ConditionExpression=INSERT_CONDITION,
                    ExpressionAttributeNames=INSERT_NAMES,
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
                return None
            except ClientError as exc:
                if _code(exc) != _CONDITION_FAILED:
                    raise
                # DynamoDB returns the stored item with the failed condition; some emulators
                # do not.
                old: Any = exc.response.get("Item")
        if old:
            return RequestItem.model_validate(from_attributes(old))
        return self.get(item.submission_id)

    def get(self, submission_id: str) -> RequestItem | None:
        with _storage_errors():
            response = self.client.get_item(
                TableName=self.table_name, Key=self._key(submission_id), ConsistentRead=True
            )
        item = response.get("Item")
        return None if item is None else RequestItem.model_validate(from_attributes(item))

    def delivery(self, submission_id: str) -> dict[str, Any] | None:
        """Only the request's delivery attributes (``DELIVERY_ATTRIBUTES``), as plain values:
        what the ops policy lets ``intake smoke`` read."""
        names = {f"#a{i}": name for i, name in enumerate(DELIVERY_ATTRIBUTES)}
        with _storage_errors():
            response = self.client.get_item(
                TableName=self.table_name,
                Key=self._key(submission_id),
                ProjectionExpression=", ".join(names),
                ExpressionAttributeNames=names,
                ConsistentRead=True,
            )
        item = response.get("Item")
        return None if item is None else from_attributes(item)

    def change(self, submission_id: str, transition: Transition) -> bool:
        return _apply(self.client, self.table_name, self._key(submission_id), transition.update())

    def delete(self, submission_id: str) -> bool:
        return _conditionally(
            lambda: self.client.delete_item(
                TableName=self.table_name,
                Key=self._key(submission_id),
                ConditionExpression="attribute_exists(#id)",
                ExpressionAttributeNames={"#id": TABLE_KEY},
            )
        )

    def _query(
        self, index: Index, condition: str, values: dict[str, Any], **extra: Any
    ) -> Iterator[dict[str, Any]]:
        keys = INDEXES[index]
        names = {"#h": keys.hash_key}
        if keys.range_key:
            names["#r"] = keys.range_key
        with _storage_errors():
            pages = self.client.get_paginator("query").paginate(
                TableName=self.table_name,
                IndexName=index.value,
                KeyConditionExpression=condition,
                ExpressionAttributeNames={k: v for k, v in names.items() if k in condition},
                ExpressionAttributeValues=to_attributes(values),
                **extra,
            )
            for page in pages:
                for item in page.get("Items", []):
                    yield from_attributes(item)

    def ids_by_reference(self, reference: str) -> list[str]:
        rows = self._query(Index.BY_REFERENCE, "#h = :ref", {":ref": reference})
        return [str(row[TABLE_KEY]) for row in rows]

    def page_by_status(
        self, phase: Phase, since: str, start: PageKey | None, limit: int
    ) -> tuple[list[RequestSummary], PageKey | None]:
        # One Query at a time (not the paginator): a page may stop inside DynamoDB's page, and
        # then goes on from the last row it kept. A filter is applied after the read (Limit
        # counts rows read, not kept), so a phase reads on until it has ``limit`` rows.
        # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html
        keys = INDEXES[Index.BY_STATUS]
        names = {"#h": keys.hash_key, "#r": str(keys.range_key)}
        values: dict[str, Any] = {":status": phase.status, ":since": since}
        extra: dict[str, Any] = {}
        if phase.keep in ("urgent", "not_urgent"):
            names["#u"] = "urgent"
            values[":true"] = True
            extra["FilterExpression"] = (
                "#u = :true"
                if phase.keep == "urgent"
                else "attribute_not_exists(#u) OR #u <> :true"
            )
        elif phase.keep == "held":
            names["#a"] = "alert_state"
            values[":held"] = "summarized"
            extra["FilterExpression"] = "#a = :held"
        rows: list[RequestSummary] = []
        after = start
        while True:
            if after is not None:
                extra["ExclusiveStartKey"] = to_attributes(
                    {
                        TABLE_KEY: after.submission_id,
                        keys.hash_key: after.status,
                        str(keys.range_key): after.created_at,
                    }
                )
            with _storage_errors():
                answer = self.client.query(
                    TableName=self.table_name,
                    IndexName=Index.BY_STATUS.value,
                    KeyConditionExpression="#h = :status AND #r >= :since",
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=to_attributes(values),
                    ScanIndexForward=phase.oldest_first,
                    Limit=min(100, max(limit, 10)),
                    **extra,
                )
            items = answer.get("Items", [])
            more = "LastEvaluatedKey" in answer
            for n, item in enumerate(items, 1):
                rows.append(RequestSummary.model_validate(from_attributes(item)))
                if len(rows) == limit:
                    if n == len(items) and not more:
                        return rows, None
                    last = rows[-1]
                    return rows, PageKey(last.status, last.created_at, last.submission_id)
            if not more:
                return rows, None
            last_read = from_attributes(answer["LastEvaluatedKey"])
            after = PageKey(phase.status, str(last_read[names["#r"]]), str(last_read[TABLE_KEY]))

    def attempts_of(self, submission_ids: list[str]) -> dict[str, tuple[CallAttempt, ...]]:
        # Only the attempts are read (never a submitted field).
        rows = self._batch_get(submission_ids, {"#id": TABLE_KEY, "#attempts": "attempts"})
        return {
            str(row[TABLE_KEY]): tuple(CallAttempt.model_validate(one) for one in row["attempts"])
            for row in rows
            if row.get("attempts")
        }

    def items_by_ids(self, submission_ids: list[str]) -> list[RequestItem]:
        return [RequestItem.model_validate(row) for row in self._batch_get(submission_ids)]

    def _batch_get(
        self, submission_ids: list[str], projection: dict[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """BatchGetItem, 100 keys a call (only ``projection``'s attributes, if given); keys
        DynamoDB leaves unprocessed (throttling) are asked again after a back-off.
        https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html"""
        found: list[dict[str, Any]] = []
        pending = list(dict.fromkeys(submission_ids))
        for turn in range(10 + len(pending) // 100):
            if not pending:
                return found
            chunk, pending = pending[:100], pending[100:]
            request: Any = {"Keys": [self._key(one) for one in chunk]}
            if projection:
                request["ProjectionExpression"] = ", ".join(projection)
                request["ExpressionAttributeNames"] = projection
            with _storage_errors():
                answer = self.client.batch_get_item(RequestItems={self.table_name: request})
            found += [
                from_attributes(item)
                for item in answer.get("Responses", {}).get(self.table_name, [])
            ]
            left = answer.get("UnprocessedKeys", {}).get(self.table_name)
            if left is not None and left.get("Keys"):
                pending += [str(from_attributes(key)[TABLE_KEY]) for key in left["Keys"]]
                time.sleep(min(1.0, 0.05 * 2**turn))  # back off, as DynamoDB asks
        raise StorageUnavailable("BatchGetItem left keys unprocessed")

    def pending_alerts(self, created_before: str, limit: int) -> list[str]:
        ids: list[str] = []
        for row in self._query(
            Index.BY_ALERT_STATE,
            "#h = :pending AND #r < :cutoff",
            {":pending": "pending", ":cutoff": created_before},
        ):
            ids.append(str(row[TABLE_KEY]))
            if len(ids) >= limit:
                break
        return ids


class DynamoLimitsStore:
    """The alert limits table (``domain/limits.py``): its transitions, applied by DynamoDB."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self.table_name = table_name
        self.client = client

    def get(self, key: str) -> LimitItem | None:
        with _storage_errors():
            response = self.client.get_item(
                TableName=self.table_name, Key={LIMITS_KEY: {"S": key}}, ConsistentRead=True
            )
        item = response.get("Item")
        return None if item is None else from_attributes(item)

    def change(self, key: str, transition: LimitTransition) -> bool:
        return _apply(self.client, self.table_name, {LIMITS_KEY: {"S": key}}, transition.update())


class DynamoAuditLog:
    """The audit table: one item per entry (``domain/audit.py`` lays it out)."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self.table_name = table_name
        self.client = client

    def record(self, entry: AuditEntry) -> None:
        import uuid

        item = entry.attributes(str(uuid.uuid4()))
        with _storage_errors():
            self.client.put_item(TableName=self.table_name, Item=to_attributes(item))
