"""SnapStart's priming and restore hooks, and the weekly keep-active call, on moto and dynalite:
priming runs every handler's whole path once and leaves nothing behind, and what follows it
works exactly as before."""

from __future__ import annotations

import io
import json
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from botocore.config import Config

from intake_common.aws import clients
from intake_common.runtime import snapstart
from intake_common.runtime.events import LambdaContext
from intake_local.template import LocalStack
from notify_staff import handler as notify
from staff_api import handler as staff
from submit_request import handler as submit
from tests.support.aws import all_items, outbox, receive
from tests.support.data import valid_fields
from tests.support.handlers import Deliver, Invoke

HANDLERS = {"submit_request": submit, "notify_staff": notify, "staff_api": staff}


def test_priming_reaches_no_aws_and_leaves_no_trace(
    aws: LocalStack, logs: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    snapstart.INCOMPLETE.clear()
    snapstart.prime()

    assert snapstart.INCOMPLETE == []  # every handler's sample went all the way through
    for table in ("RequestsTable", "AuditTable", "AlertLimitsTable"):
        assert all_items(aws, table) == [], table
    assert receive(aws) == []
    assert outbox() == {"emails": [], "sms": []}
    # Nothing logged or counted: a sample request is not a request
    assert logs.getvalue() == ""
    assert capsys.readouterr().out == ""
    for module in HANDLERS.values():
        assert module.metrics.metric_set == {}


def test_an_incomplete_priming_says_so_once_and_nothing_of_the_runs(logs: io.StringIO) -> None:
    from intake_common.runtime.observability import logger

    def run() -> dict[str, Any]:
        logger.info("inside the sample run")
        return {"statusCode": 503}

    snapstart.INCOMPLETE.clear()
    snapstart.rehearse(run, lambda answer: answer["statusCode"] == 201)

    assert snapstart.INCOMPLETE == [503]
    snapstart.INCOMPLETE.clear()
    lines = [json.loads(line) for line in logs.getvalue().splitlines()]
    assert [(line["level"], line["message"], line["status"]) for line in lines] == [
        ("WARNING", "priming incomplete", 503)
    ]


def test_a_metric_counted_at_once_during_priming_is_not_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    def run() -> dict[str, Any]:
        with single_metric(name="RequestRejected", unit=MetricUnit.Count, value=1):
            pass
        return {"statusCode": 201}

    snapstart.rehearse(run, lambda answer: answer["statusCode"] == 201)

    assert capsys.readouterr().out == ""


def test_priming_leaves_nothing_for_the_first_event_to_import(aws: LocalStack) -> None:
    import sys

    snapstart.prime()

    # What a first request used to import and compile on its way
    assert {"email_validator", "phonenumbers"} <= set(sys.modules)
    for module in HANDLERS.values():
        assert module.dependencies.cache_info().currsize == 1  # the clients are built


def test_requests_after_priming_are_handled_as_before(
    invoke: Invoke, deliver: Deliver, aws: LocalStack, logs: io.StringIO
) -> None:
    snapstart.prime()

    response = invoke(valid_fields(confirmation_email=True))
    deliver()

    assert response["statusCode"] == 201
    (item,) = all_items(aws)
    assert item["alert_state"] == "sent"
    assert len(outbox()["emails"]) == 3  # two staff addresses and the visitor's confirmation
    assert "request stored" in logs.getvalue()  # the log level came back
    assert hasattr(submit.dependencies, "cache_info")  # the priming deps are gone


@pytest.mark.parametrize("name", sorted(HANDLERS))
def test_the_weekly_keep_active_call_is_answered_with_no_log_or_metric(
    name: str, aws: LocalStack, logs: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    module: Any = HANDLERS[name]

    answer = module.lambda_handler(dict(snapstart.KEEP_ACTIVE), LambdaContext(name))

    assert answer == {"kept_active": True}
    assert logs.getvalue() == ""
    assert capsys.readouterr().out == ""


def test_an_event_that_only_mentions_keep_active_is_not_one() -> None:
    assert not snapstart.keeps_active({"keep_active": "someone-else"})
    assert not snapstart.keeps_active({"body": '{"keep_active": "clinic-intake"}'})
    assert not snapstart.keeps_active(None)


def test_each_restored_environment_draws_its_own_random_numbers() -> None:
    # Two environments restored from one snapshot start with the same random state
    random.seed(1234)
    snapshot = random.getstate()
    first = random.random()  # noqa: S311 - the state under test, not a secret
    random.setstate(snapshot)

    snapstart.renew_random_state()

    assert random.random() != first  # noqa: S311


@dataclass
class CredentialsEndpoint:
    """Lambda's container credentials endpoint: what it has served, and how far its clock (and
    the function's) has been moved on, to stand for a restore long after the snapshot."""

    served: list[str] = field(default_factory=list)
    later: timedelta = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.later


@pytest.fixture
def lambda_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[CredentialsEndpoint]:
    """Credentials as Lambda gives a SnapStart function: no key variables, a local container
    credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI) with a token. Each fetch serves
    a new access key id, valid for an hour."""
    endpoint = CredentialsEndpoint()

    class Endpoint(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            assert self.headers["Authorization"] == "lambda-token"
            endpoint.served.append(f"ASIAFETCH{len(endpoint.served) + 1}")
            expires = endpoint.now() + timedelta(hours=1)
            body = {
                "AccessKeyId": endpoint.served[-1],
                "SecretAccessKey": "secret",
                "Token": "session",
                "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    url = f"http://127.0.0.1:{server.server_port}/2018-06-01/credentials"
    monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url)
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "lambda-token")
    clients.session.cache_clear()
    try:
        yield endpoint
    finally:
        clients.session.cache_clear()
        server.shutdown()
        server.server_close()


def test_credentials_made_before_the_snapshot_are_renewed_after_a_late_restore(
    lambda_credentials: CredentialsEndpoint,
) -> None:
    # Before the snapshot: priming builds the clients, which fetch credentials once
    client = clients.client("sns", Config(region_name="us-east-1"))
    credentials = client._request_signer._credentials
    credentials._time_fetcher = lambda_credentials.now
    assert credentials.get_frozen_credentials().access_key == "ASIAFETCH1"
    assert lambda_credentials.served == ["ASIAFETCH1"]

    # Restored two hours later: the snapshot's credentials have expired, and the client
    # fetches new ones instead of signing with them
    lambda_credentials.later = timedelta(hours=2)
    assert credentials.get_frozen_credentials().access_key == "ASIAFETCH2"
    assert lambda_credentials.served == ["ASIAFETCH1", "ASIAFETCH2"]
