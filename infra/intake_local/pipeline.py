"""The whole pipeline on one machine: the local AWS, the data resources from the template, the
functions, the SQS event source, the scheduled re-drive and the front door.

Data lives as long as the process.
"""

from __future__ import annotations

import html
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .aws import REGION, LocalAws
from .calls import CallRecorder
from .cognito import LocalCognito, totp
from .distribution import LocalDistribution
from .event_source import SqsEventSource
from .front_door import Answer, FrontDoor, json_answer
from .functions import LocalFunctions
from .resources import create_data_resources
from .template import LocalStack, load_template

STACK = "clinic-intake-local"
DEFAULT_PARAMETERS = {
    "StaffEmails": "frontdesk@clinic.example,nurse@clinic.example",
    "StaffPhones": "+14155550101",
    "SenderEmail": "alerts@clinic.example",
    # A fictional number (555-01xx): the visitors' confirmation emails give it.
    "ClinicPhone": "+14155550100",
    "AllowedDevOrigins": "",
    # Every local viewer is the loopback address: the WAF's per-address rate rule would count
    # them all as one. A test turns it on with its own addresses (tests/integration/test_waf.py).
    "EnableWaf": "false",
}


@dataclass
class Options:
    host: str = "127.0.0.1"
    port: int = 8000
    staff_emails: str = DEFAULT_PARAMETERS["StaffEmails"]
    staff_phones: str = DEFAULT_PARAMETERS["StaffPhones"]
    sender: str = DEFAULT_PARAMETERS["SenderEmail"]
    redrive_interval: float = 60.0
    retry_delay: int | None = None
    poll_interval: float = 0.1
    dynamodb: str = "moto"
    parameters: dict[str, str] = field(default_factory=dict)
    # How long the API functions keep the origin secret they read (the template's default is
    # 60 s; a test of a rotation shortens it).
    origin_secret_max_age: float = 60.0


class _Deferred:
    """A WSGI app whose target is set once the server's port is known."""

    def __init__(self) -> None:
        self.target: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.target is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"starting"]
        return self.target(environ, start_response)


@dataclass
class Running:
    """What exists once the pipeline has started."""

    stack: LocalStack
    functions: LocalFunctions
    front_door: FrontDoor
    http: Any


class LocalPipeline:
    """Starts and stops everything; answers ``/_local/...``."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.template = load_template()
        self.aws = LocalAws(options.dynamodb)
        self.stop_event = threading.Event()
        self.ready = threading.Event()
        self.threads: list[threading.Thread] = []
        self._running: Running | None = None
        self.cognito: LocalCognito | None = None
        # INTAKE_RECORD_AWS_CALLS=file: every call the functions make, for the tests' IAM check.
        self.record_path = os.environ.get("INTAKE_RECORD_AWS_CALLS")
        self.recorder = CallRecorder()
        self._stop_recording: Callable[[], None] = lambda: None

    @property
    def running(self) -> Running:
        if self._running is None:
            raise RuntimeError("the local stack has not started")
        return self._running

    @property
    def parameters(self) -> dict[str, str]:
        return {
            **DEFAULT_PARAMETERS,
            "StaffEmails": self.options.staff_emails,
            "StaffPhones": self.options.staff_phones,
            "SenderEmail": self.options.sender,
            **self.options.parameters,
        }

    def start(self) -> None:
        from werkzeug.serving import make_server

        if self.record_path:
            self._stop_recording = self.recorder.install()
        self.aws.start()
        # The port first: the functions and the sign-in need the local stack's own address.
        app = _Deferred()
        http = make_server(self.options.host, self.options.port, app, threaded=True)
        base = f"http://{self.options.host}:{http.server_port}"
        stack = LocalStack(self.template, STACK, REGION, parameters=self.parameters)
        # The front door stands for the distribution.
        create_data_resources(stack, self.aws.client, f"{self.options.host}:{http.server_port}")
        # The sender identity, verified (in AWS this is a step ops do once; see docs/deploy.md).
        self.aws.client("sesv2").create_email_identity(EmailIdentity=self.options.sender)
        cognito = LocalCognito(stack, self.aws.client("cognito-idp"), base)
        cognito.seed()
        # The distribution's origin header, kept where `intake origin rotate` switches it.
        distribution = LocalDistribution(stack, self.aws.client("cloudfront"), self.aws.lock)
        origin_age = {"ORIGIN_SECRET_MAX_AGE_SECONDS": str(self.options.origin_secret_max_age)}
        functions = LocalFunctions(
            stack,
            {
                # Alerts link to this local stack's inbox.
                "NotifyStaffFunction": {"STAFF_URL": cognito.staff_url},
                "SubmitRequestFunction": origin_age,
                "StaffApiFunction": origin_age,
            },
        )
        functions.load()
        front_door = FrontDoor(
            stack,
            functions,
            self.answer_local,
            origin_header=distribution.origin_header,
            authorizer=cognito.verify,
            sign_in=cognito,
            # The stack's outputs the pages need (its parameters the front door reads itself).
            site_values={
                "StaffLoginUrl": cognito.login_url,
                "StaffUserPoolClientId": cognito.client_id,
                "SiteUrl": base,
            },
        )
        front_door.listen_on(self.options.host, http.server_port)
        app.target = front_door
        self.cognito = cognito
        self._running = Running(stack, functions, front_door, http)
        self._spawn("http", http.serve_forever)
        source = SqsEventSource(
            functions,
            "NotifyStaffFunction",
            retry_delay=self.options.retry_delay,
            poll_interval=self.options.poll_interval,
        )
        self._spawn("sqs-event-source", lambda: source.run(self.stop_event))
        self._spawn("alert-redrive", self._redrive_loop)
        self.ready.set()

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _redrive_loop(self) -> None:
        while not self.stop_event.wait(self.options.redrive_interval):
            try:
                self.redrive()
            except Exception as exc:  # the scheduler tries again at the next interval
                print(f"alert re-drive failed: {type(exc).__name__}", file=sys.stderr, flush=True)

    def redrive(self) -> Any:
        return self.running.functions.invoke("RedriveAlertsFunction", {"source": "local"})

    @property
    def alive(self) -> bool:
        return self.ready.is_set() and self.aws.alive and all(t.is_alive() for t in self.threads)

    def describe(self) -> dict[str, Any]:
        """What ``/_local/health`` says: where the local AWS is and the resources' names."""
        physical = self.running.stack.physical
        return {
            "status": "ready" if self.alive else "starting",
            "aws_endpoint": self.aws.endpoint,
            "dynamodb_endpoint": self.aws.dynamodb_endpoint,
            "dynamodb": self.aws.dynamodb,
            "stack": {
                "name": STACK,
                "table": physical["RequestsTable"],
                "audit_table": physical["AuditTable"],
                "limits_table": physical["AlertLimitsTable"],
                "alert_topic": physical["AlertTopic"],
                "alert_queue": physical["AlertQueue"],
                "dead_letter_queue": physical["AlertDeadLetterQueue"],
                "clinic_timezone": self.running.stack.parameter("ClinicTimezone"),
                "origin_secret": physical["OriginVerifySecret"],
                "distribution": physical["SiteDistribution"],
            },
            "staff": {
                "emails": len([e for e in self.options.staff_emails.split(",") if e]),
                "phones": len([p for p in self.options.staff_phones.split(",") if p]),
            },
            # How to sign in to the local inbox (development only).
            "inbox": self.cognito.describe() if self.cognito else {},
        }

    def answer_local(self, path: str, method: str) -> Answer:
        from .outbox import read_outbox

        if path == "/_local/health":
            described = self.describe()
            return json_answer(200 if self.alive else 503, described)
        if path == "/_local/outbox":
            with self.aws.lock:
                box = read_outbox(REGION)
            return json_answer(200, box)
        if path == "/_local/redrive" and method == "POST":
            return json_answer(200, self.redrive())
        if path in {"/_local", "/_local/"}:
            with self.aws.lock:
                box = read_outbox(REGION)
            return self.running.front_door.html("200 OK", outbox_page(box, totp()))
        return json_answer(404, {"message": "Not found"})

    def stop(self) -> None:
        self.stop_event.set()
        if self._running is not None:
            self._running.http.shutdown()
            self._running.http.server_close()
        for thread in self.threads:
            thread.join(timeout=10)
        self.aws.stop()
        if self.record_path and self._running is not None:
            stack = self._running.stack
            self.recorder.dump(
                Path(self.record_path),
                {
                    "name": stack.stack_name,
                    "parameters": self.parameters,
                    "physical": stack.physical,
                    "attributes": [[k[0], k[1], v] for k, v in stack.attributes.items()],
                },
            )
        self._stop_recording()


def outbox_page(outbox: dict[str, list[dict[str, Any]]], code: str = "") -> str:
    """What staff would have received, newest first; how to sign in to the inbox."""
    emails = (
        "".join(
            '<article class="card">'
            f"<h3>{html.escape(e['subject'])}</h3>"
            f'<p class="meta">To: {html.escape(", ".join(e["to"]))}</p>'
            f"<pre>{html.escape(e.get('text', ''))}</pre></article>"
            for e in reversed(outbox["emails"])
        )
        or "<p>No email yet.</p>"
    )
    sms = (
        "".join(
            f"<li><strong>{html.escape(s['to'])}</strong>: {html.escape(s['message'])}</li>"
            for s in reversed(outbox["sms"])
        )
        or "<li>No SMS yet.</li>"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Local outbox - clinic-intake</title>"
        '<link rel="stylesheet" href="/assets/site.css"></head><body><main class="narrow">'
        "<h1>Local outbox</h1><p>What staff would receive, newest first. Reload to refresh; "
        '<a href="/_local/outbox">JSON</a>.</p>'
        '<h2>Staff inbox</h2><p><a href="/staff/">Open the inbox</a> as staff@clinic.example '
        "or admin@clinic.example, password <code>Local-Inbox-Pa55word!</code>, "
        f"authenticator code <strong>{html.escape(code)}</strong> (it changes every 30 s).</p>"
        f"<h2>Text messages</h2><ul>{sms}</ul><h2>Emails</h2>{emails}</main></body></html>"
    )
