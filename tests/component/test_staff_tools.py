"""The `intake` staff and ops commands against moto (a CloudFormation stack's outputs)."""

from __future__ import annotations

import csv
import json
import os
import stat
from pathlib import Path
from typing import Any

import boto3
import pytest

from intake_cli.main import main
from intake_common.aws.table import DynamoRequestStore
from intake_local.template import LocalStack
from tests.support import iam, swap
from tests.support.aws import (
    all_items,
    client_error,
    fail_until_dead_lettered,
    failing,
    json_body,
    outbox,
    receive,
)
from tests.support.data import valid_fields
from tests.support.handlers import Deliver, Invoke
from tests.support.stack import REGION

STACK = "intake-test"


@pytest.fixture
def stack(aws: LocalStack) -> LocalStack:
    """A deployed stack as the commands see it: CloudFormation outputs naming the resources."""
    outputs = {
        "TableName": aws.physical["RequestsTable"],
        "AuditTableName": aws.physical["AuditTable"],
        "LimitsTableName": aws.physical["AlertLimitsTable"],
        "AlertQueueUrl": aws.physical["AlertQueue"],
        "DeadLetterQueueUrl": aws.physical["AlertDeadLetterQueue"],
        "AlertTopicArn": aws.physical["AlertTopic"],
        "SiteUrl": "https://d111111abcdef8.cloudfront.net",
    }
    template = {
        "Resources": {"Nothing": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    boto3.client("cloudformation", region_name=REGION).create_stack(
        StackName=STACK, TemplateBody=json.dumps(template)
    )
    return aws


def intake(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([*args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _audit(aws: LocalStack) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb", region_name=REGION).Table(aws.physical["AuditTable"])
    return list(table.scan()["Items"])


def _submit(invoke: Invoke, **overrides: Any) -> str:
    reference: str = json_body(invoke(valid_fields(**overrides)))["reference"]
    return reference


def test_list_is_the_call_back_queue_from_the_index_with_names_only(
    invoke: Invoke, stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _submit(invoke, full_name="First Person")
    second = _submit(invoke, full_name="Second Person")
    spam = _submit(invoke, full_name="Spam Person", website="x")

    before = len(iam.RECORDER.calls)  # every call our clients make is recorded
    code, out, _ = intake(capsys, "requests", "list", "--stack", STACK, "--by", "tester")
    _, newest, _ = intake(capsys, "requests", "list", "--stack", STACK, "--view", "new")

    assert code == 0
    assert out.index(first) < out.index(second)  # the longest waiting first
    assert newest.index(second) < newest.index(first)
    assert "2 request(s) in callback; times are America/New_York (clinic time)" in out
    assert "Second Person" in out
    assert "ana.nunez@example.org" not in out
    assert "4155552671" not in out
    operations = [call.operation for call in iam.RECORDER.calls[before:]]
    assert "Scan" not in operations
    assert "Query" in operations
    code, out, _ = intake(
        capsys, "requests", "list", "--stack", STACK, "--status", "spam", "--by", "t"
    )
    assert spam in out
    assert first not in out


def test_list_pages_through_every_request_up_to_its_limit(
    invoke: Invoke, stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    names = ["".join("abcdefghij"[int(d)] for d in str(n)) for n in range(205)]
    references = {_submit(invoke, full_name=f"Caller {name}") for name in names}

    code, out, _ = intake(capsys, "requests", "list", "--stack", STACK, "--by", "t")
    _, cut, _ = intake(capsys, "requests", "list", "--stack", STACK, "--limit", "7")

    assert code == 0
    assert {ref for ref in references if ref in out} == references  # two pages of the index
    assert "205 request(s) in callback" in out
    assert "7 request(s) in callback; " not in cut
    assert "7 request(s) in callback (--limit 7 reached: there are more)" in cut


def test_show_prints_the_whole_request_and_audits_without_data(
    invoke: Invoke, stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = _submit(invoke, reason="Panic attacks at work.")

    code, out, _ = intake(capsys, "requests", "show", reference.lower(), "--stack", STACK)

    assert code == 0
    assert "Panic attacks at work." in out
    assert "+14155552671" in out
    (entry,) = _audit(stack)
    assert entry["action"] == "show"
    assert entry["reference"] == reference
    assert entry["by"].startswith("arn:aws:")  # the caller's AWS identity
    flat = json.dumps(entry, default=str)
    for value in ("Ana", "example.org", "4155552671", "Panic"):
        assert value not in flat


def test_mark_records_who_and_when_and_refuses_disallowed_transitions(
    invoke: Invoke, stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = _submit(invoke)

    code, out, _ = intake(
        capsys,
        "requests",
        "mark",
        reference,
        "contacted",
        "--note",
        "left voicemail",
        "--stack",
        STACK,
        "--by",
        "dr.lee",
    )
    assert code == 0
    assert "new -> contacted" in out
    item = all_items(stack)[0]
    assert item["status"] == "contacted"
    # The history, like the audit trail, keeps the AWS identity; --by names the person beside it
    assert item["status_changed_by"].startswith("arn:aws:")
    assert item["history"][0]["by"] == item["status_changed_by"]
    assert item["history"][0]["by_name"] == "dr.lee"
    assert item["history"][0]["note"] == "left voicemail"
    (entry,) = _audit(stack)
    assert entry["action"] == "mark"
    assert entry["by"].startswith("arn:aws:")
    assert entry["by_name"] == "dr.lee"

    assert (
        intake(
            capsys,
            "requests",
            "mark",
            reference,
            "closed",
            "--outcome",
            "scheduled",
            "--stack",
            STACK,
            "--by",
            "x",
        )[0]
        == 0
    )
    code, _, err = intake(
        capsys, "requests", "mark", reference, "contacted", "--stack", STACK, "--by", "x"
    )
    assert code == 2
    assert "is closed" in err
    assert "Traceback" not in err
    assert all_items(stack)[0]["status"] == "closed"


def test_export_writes_an_owner_only_csv_with_a_warning_and_an_audit_entry(
    invoke: Invoke, stack: LocalStack, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _submit(invoke, full_name="Export One", reason='=HYPERLINK("x")')
    _submit(invoke, full_name="Export Two")
    out_file = tmp_path / "requests.csv"

    code, _, err = intake(
        capsys,
        "requests",
        "export",
        "--since",
        "30d",
        "--out",
        str(out_file),
        "--stack",
        STACK,
        "--by",
        "records",
    )

    assert code == 0
    assert "WARNING" in err
    assert "health data" in err
    assert stat.S_IMODE(os.stat(out_file).st_mode) == 0o600
    rows = list(csv.DictReader(out_file.open(encoding="utf-8")))
    assert sorted(r["full_name"] for r in rows) == ["Export One", "Export Two"]
    assert {r["phone"] for r in rows} == {"+14155552671"}
    assert next(r for r in rows if r["full_name"] == "Export One")["reason"].startswith("'=")
    (entry,) = _audit(stack)
    assert entry["action"] == "export"
    # Written before anything was read (so it holds the period, not a count)
    assert entry["since"] < entry["at"]


def test_erase_deletes_the_request_keeping_an_audit_entry_and_its_alert_is_dropped(
    invoke: Invoke, deliver: Deliver, stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    keep = _submit(invoke, full_name="Keep Me")
    gone = _submit(invoke, full_name="Erase Me")
    sqs = boto3.client("sqs", region_name=REGION)
    queue = stack.physical["AlertQueue"]

    code, out, _ = intake(capsys, "requests", "erase", gone, "--stack", STACK, "--by", "privacy")

    assert code == 0
    assert f"Erased {gone}" in out
    items = all_items(stack)
    assert [item["reference"] for item in items] == [keep]
    assert "Erase Me" not in json.dumps(items, default=str)
    # The erase read no queue: both messages are there, never received (no step toward the DLQ)
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "2"
    # notify_staff sends the kept request's alert and drops the erased one's: no failure
    assert deliver() == {"batchItemFailures": []}
    assert {e["subject"] for e in outbox()["emails"]} == {f"New appointment request {keep}"}
    (entry,) = _audit(stack)
    assert entry["action"] == "erase"
    assert entry["reference"] == gone
    assert "Erase Me" not in json.dumps(entry, default=str)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["requests", "show", "ZZZZ-ZZZZ"], "no request has the reference ZZZZ-ZZZZ"),
        (["requests", "show", "not-a-ref"], "is not a reference"),
        (["requests", "list", "--since", "forever"], "--since takes a duration"),
    ],
)
def test_wrong_input_gets_a_clear_message_not_a_traceback(
    stack: LocalStack, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = intake(capsys, *args, "--stack", STACK, "--by", "x")
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_missing_stack_and_missing_target_are_explained(
    aws: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = intake(capsys, "requests", "list", "--stack", "nope", "--by", "x")
    assert code == 2
    assert "stack 'nope' was not found" in err
    code, _, err = intake(capsys, "requests", "list", "--by", "x")
    assert code == 2
    assert "--stack NAME" in err


def test_missing_credentials_are_explained(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    code, _, err = intake(capsys, "requests", "list", "--stack", STACK)

    assert code == 2
    assert "no AWS credentials" in err
    assert "Traceback" not in err


def test_dlq_redrive_moves_messages_back_and_a_redriven_message_alerts_once(
    invoke: Invoke,
    deliver: Deliver,
    stack: LocalStack,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from notify_staff import handler

    reference = _submit(invoke)

    from botocore.exceptions import EndpointConnectionError

    # The table is unreachable for every receive: the message ends in the DLQ
    down = EndpointConnectionError(endpoint_url="https://dynamodb")
    table = DynamoRequestStore(handler.settings.table_name, failing("dynamodb", "GetItem", down))
    with swap.dependencies(handler, store=table):
        fail_until_dead_lettered(stack, deliver)
    assert outbox()["emails"] == []

    # After the fix, ops move it back
    code, out, _ = intake(capsys, "dlq", "redrive", "--stack", STACK)

    assert code == 0
    assert "Moved 1 message" in out
    assert deliver() == {"batchItemFailures": []}
    assert len([e for e in outbox()["emails"] if reference in e["subject"]]) == 2
    assert len(outbox()["sms"]) == 1
    code, out, _ = intake(capsys, "dlq", "redrive", "--stack", STACK)
    assert "Moved 0 messages" in out or "Moved 0 message" in out


def test_alerts_redrive_publishes_pending_alerts(
    invoke: Invoke,
    deliver: Deliver,
    stack: LocalStack,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from intake_common.aws.topic import SnsAlertPublisher
    from submit_request import handler

    down = client_error("InternalError", "Publish")
    topic = SnsAlertPublisher(handler.settings.topic_arn, failing("sns", "Publish", down))
    with swap.dependencies(handler, publisher=topic):
        _submit(invoke)
    assert receive(stack) == []

    code, out, _ = intake(capsys, "alerts", "redrive", "--grace-minutes", "0", "--stack", STACK)

    assert code == 0
    assert "1 request" in out
    deliver()
    assert len(outbox()["emails"]) == 2
    assert all_items(stack)[0]["alert_state"] == "sent"


def test_show_names_a_staff_alert_that_bounced_and_why(
    invoke: Invoke, deliver: Deliver, stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    from intake_common.domain.item import RecordBounce

    reference = _submit(invoke)
    deliver()
    client = boto3.client("dynamodb", region_name=REGION)
    store = DynamoRequestStore(stack.physical["RequestsTable"], client)
    (item,) = all_items(stack)
    key = "email:frontdesk@clinic.example"  # as SES's bounce is recorded (test_bounces.py)
    store.change(item["submission_id"], RecordBounce(key, "t", "Permanent/MailboxFull"))

    code, out, _ = intake(capsys, "requests", "show", reference, "--stack", STACK)

    assert code == 0
    assert "Not delivered:     frontdesk@clinic.example bounced (Permanent/MailboxFull)" in out
