"""The local stack end to end over real HTTP: the API, the table, the staff alerts."""

from __future__ import annotations

import json
import uuid
from typing import Any

import requests

from tests.support.data import valid_fields
from tests.support.local_stack import Local, start_local, stop_local, wait_until_healthy


def _post(local: Local, body: Any, **kwargs: Any) -> requests.Response:
    return requests.post(f"{local.base_url}/api/appointments", json=body, timeout=10, **kwargs)


def _items_with(local: Local, submission_id: str) -> list[dict[str, Any]]:
    response = local.client("dynamodb").get_item(
        TableName=local.stack["table"],
        Key={"submission_id": {"S": submission_id}},
        ConsistentRead=True,
    )
    return [response["Item"]] if "Item" in response else []


def test_valid_post_is_stored_and_alerts_staff_by_email_and_sms(local: Local) -> None:
    fields = valid_fields()

    response = _post(local, fields)

    assert response.status_code == 201
    reference = response.json()["reference"]
    assert response.headers["Cache-Control"] == "no-store"
    item = _items_with(local, fields["submission_id"])[0]
    assert item["reference"]["S"] == reference

    def alerted() -> bool:
        box = local.outbox()
        emails = [e for e in box["emails"] if reference in e["subject"]]
        sms = [s for s in box["sms"] if reference in s["message"]]
        return len(emails) == 2 and len(sms) == 1

    assert local.wait_for(alerted, timeout=10)
    assert local.wait_for(
        lambda: _items_with(local, fields["submission_id"])[0]["alert_state"]["S"] == "sent"
    )


def test_duplicate_post_adds_nothing(local: Local) -> None:
    fields = valid_fields()
    first = _post(local, fields)
    reference = first.json()["reference"]
    assert local.wait_for(
        lambda: _items_with(local, fields["submission_id"])[0]["alert_state"]["S"] == "sent"
    )

    second = _post(local, fields)

    assert second.status_code == 201
    assert second.json() == first.json()
    box = local.outbox()
    assert len([e for e in box["emails"] if reference in e["subject"]]) == 2
    assert len([s for s in box["sms"] if reference in s["message"]]) == 1


def test_invalid_post_stores_nothing(local: Local) -> None:
    fields = valid_fields(email="nope")

    response = _post(local, fields)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "email"
    assert _items_with(local, fields["submission_id"]) == []


def test_routes_not_in_the_template_are_refused_like_api_gateway(local: Local) -> None:
    assert requests.get(f"{local.base_url}/api/admin", timeout=5).status_code == 403
    assert requests.get(f"{local.base_url}/api/appointments", timeout=5).status_code == 405


def test_site_is_served_with_the_cloudfront_security_headers(local: Local) -> None:
    response = requests.get(f"{local.base_url}/", timeout=5)
    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert requests.get(f"{local.base_url}/../pyproject.toml", timeout=5).status_code == 404


def test_outbox_page_shows_what_staff_receive(local: Local) -> None:
    reference = _post(local, valid_fields()).json()["reference"]
    assert local.wait_for(lambda: any(reference in s["message"] for s in local.outbox()["sms"]))
    page = requests.get(f"{local.base_url}/_local/", timeout=5)
    assert page.status_code == 200
    assert reference in page.text


def test_message_without_a_request_reaches_the_dlq_after_max_receives(local: Local) -> None:
    # The stack under test retries failed messages at once (--retry-delay 0)
    sqs = local.client("sqs")
    request_id = str(uuid.uuid4())
    local.client("sns").publish(
        TopicArn=local.stack["alert_topic"],
        Message=json.dumps(
            {"version": 1, "request_id": request_id, "published_at": "2026-01-01T00:00:00Z"}
        ),
    )

    def in_dlq() -> bool:
        messages = sqs.receive_message(
            QueueUrl=local.stack["dead_letter_queue"], MaxNumberOfMessages=10, VisibilityTimeout=0
        ).get("Messages", [])
        return any(request_id in m["Body"] for m in messages)

    assert local.wait_for(in_dlq, timeout=20)


def test_intake_local_starts_answers_health_and_stops_cleanly_on_sigterm() -> None:
    process, base_url = start_local()
    health = wait_until_healthy(base_url, process)
    assert health["status"] == "ready"

    output = stop_local(process)

    assert process.returncode == 0
    assert "ready in" in output
    assert "clinic-intake local stack stopped." in output


def test_make_run_starts_the_stack_and_ctrl_c_stops_it_cleanly() -> None:
    import os
    import signal
    import socket
    import subprocess

    from tests.support.local_stack import ROOT, free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MAKE"))}
    env["INTAKE_PORT"] = str(port)
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert wait_until_healthy(f"http://127.0.0.1:{port}", process, timeout=300)["status"] == (
            "ready"
        )
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        output, _ = process.communicate(timeout=30)

    assert "clinic-intake local stack stopped." in output
    assert "Traceback" not in output
    with socket.socket() as sock:  # nothing is left listening
        assert sock.connect_ex(("127.0.0.1", port)) != 0


def test_staff_commands_work_against_the_local_stack(local: Local) -> None:
    import subprocess
    import sys

    reference = _post(local, valid_fields(full_name="Local Staff")).json()["reference"]

    def intake(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "intake_cli.main", *args, "--local", local.base_url],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    listed = intake("requests", "list")
    assert listed.returncode == 0, listed.stderr
    assert reference in listed.stdout
    shown = intake("requests", "show", reference)
    assert shown.returncode == 0, shown.stderr
    assert "Local Staff" in shown.stdout
    marked = intake("requests", "mark", reference, "contacted")
    assert marked.returncode == 0
    assert "new -> contacted" in marked.stdout


def _intake(local: Local, *args: str) -> Any:
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "intake_cli.main", *args, "--local", local.base_url],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_smoke_passes_on_a_working_stack_and_erases_its_request(local: Local) -> None:
    # When ops run the post-deploy check
    smoke = _intake(local, "smoke", "--timeout", "60")

    # Then every step is reported with its time, the alert was sent, and nothing is left
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    assert "PASSED" in smoke.stdout
    for step in ("send", "stored", "alerted", "erased"):
        assert step in smoke.stdout
    assert "staff alert: 2 email accepted by SES, 1 SMS accepted by SNS" in smoke.stdout
    reference = smoke.stdout.split("reference ", 1)[1].split()[0]
    box = local.outbox()
    test_emails = [e for e in box["emails"] if reference in e["subject"]]
    assert len(test_emails) == 2
    assert all(e["subject"].startswith("TEST") for e in test_emails)
    assert any(reference in s["message"] and s["message"].startswith("TEST") for s in box["sms"])
    items = local.client("dynamodb").scan(TableName=local.stack["table"])["Items"]
    assert not [i for i in items if i["reference"]["S"] == reference]


def test_smoke_reports_a_channel_that_failed_with_its_reason() -> None:
    from tests.support.local_stack import running_local

    # Given a stack whose staff phone has opted out of SMS (moto: numbers ending in 99)
    with running_local("--staff-phones", "+14155550199", "--retry-delay", "0") as stack:
        smoke = _intake(stack, "smoke", "--timeout", "60")

    assert smoke.returncode == 1
    assert "FAILED" in smoke.stdout
    assert "OptedOut" in smoke.stdout
    assert "replied STOP" in smoke.stdout
    assert "staff alert: 2 email accepted by SES" in smoke.stdout  # the other channel worked


def test_smoke_in_this_process_so_the_iam_check_sees_its_calls(local: Local, capsys: Any) -> None:
    # The IAM check (tests/iam) records the calls made in the test process: the smoke's
    # projection-only read and smoke-only erase must be what the ops policy grants.
    from intake_cli.main import main

    assert main(["smoke", "--local", local.base_url, "--timeout", "60"]) == 0
    assert "PASSED" in capsys.readouterr().out
