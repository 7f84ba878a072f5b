"""``intake local``: the whole pipeline on one machine, on moto, without Docker.

One origin, as in production behind CloudFront: ``/`` serves ``site/`` with the response
headers of the template's CloudFront policy, and ``/api/...`` goes to the functions' routes
declared in the template, as the API Gateway REST event (payload 1.0) the deployed API sends.
moto's server runs in-process as the local AWS; the table, topics, queues and subscriptions are
built from ``template.yaml``. A poller feeds the alert queue to ``notify_staff`` the way
Lambda's SQS event source mapping does (batches, visibility timeout, partial batch failures,
redrive to the DLQ after ``maxReceiveCount``), and the alert re-drive runs on an interval.
Data lives as long as the process.
"""

from __future__ import annotations

import html
import importlib
import json
import mimetypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .apigw import LambdaContext, rest_event, sqs_event
from .template import ROOT, LocalStack, Route, api_routes, load_template, sqs_event_source

SITE = ROOT / "site"
REGION = "us-east-1"
STACK = "clinic-intake-local"
DEFAULT_PARAMETERS = {
    "StaffEmails": "frontdesk@clinic.example,nurse@clinic.example",
    "StaffPhones": "+14155550101",
    "SenderEmail": "alerts@clinic.example",
    "AllowedDevOrigins": "",
}
Handler = Callable[[dict[str, Any], Any], Any]
StartResponse = Callable[..., Any]
# An HTTP answer: status line, headers, body.
Answer = tuple[str, list[tuple[str, str]], bytes]


@dataclass
class Options:
    host: str = "127.0.0.1"
    port: int = 8000
    staff_emails: str = DEFAULT_PARAMETERS["StaffEmails"]
    staff_phones: str = DEFAULT_PARAMETERS["StaffPhones"]
    sender: str = DEFAULT_PARAMETERS["SenderEmail"]
    redrive_interval: float = 60.0
    # Seconds before a failed message is received again; None: the queue's visibility timeout,
    # as with Lambda's event source mapping. A short delay makes retries visible in development.
    retry_delay: int | None = None
    poll_interval: float = 0.1


def security_headers(template: dict[str, Any]) -> dict[str, str]:
    """The response headers CloudFront's policy adds in production (HSTS aside: plain HTTP)."""
    config = template["Resources"]["SiteHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    headers = {
        "Content-Security-Policy": security["ContentSecurityPolicy"][
            "ContentSecurityPolicy"
        ].replace("; upgrade-insecure-requests", ""),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": security["FrameOptions"]["FrameOption"],
        "Referrer-Policy": security["ReferrerPolicy"]["ReferrerPolicy"],
    }
    for item in config.get("CustomHeadersConfig", {}).get("Items", []):
        headers[item["Header"]] = item["Value"]
    return headers


def serialise_moto_calls(lock: threading.RLock) -> Callable[[], None]:
    """Run every in-process moto call under ``lock``; return what undoes it.

    moto's backends are not thread-safe: a query can meet a dict mid-update, and two
    conditional writes can both pass. Each AWS call is atomic in AWS, so it is made atomic here.
    """
    from moto.core.botocore_stubber import BotocoreStubber

    original = BotocoreStubber.__call__

    def locked(stubber: Any, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return original(stubber, *args, **kwargs)

    BotocoreStubber.__call__ = locked  # type: ignore[method-assign,assignment]

    def restore() -> None:
        BotocoreStubber.__call__ = original  # type: ignore[method-assign]

    return restore


class LocalPipeline:
    """moto, the data resources, the functions, the poller and the HTTP front door."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.template = load_template()
        self.stop_event = threading.Event()
        self.ready = threading.Event()
        self.threads: list[threading.Thread] = []
        self.handlers: dict[str, Handler] = {}
        # Each function serves one event at a time, as one Lambda execution environment does.
        self.function_locks: dict[str, threading.Lock] = {}
        # moto's in-memory backends are not safe to use from several threads at once (a query
        # can meet a dict mid-update, two conditional writes can both pass): every AWS call,
        # from the functions or from outside through moto's server, runs under this lock, so
        # each call is atomic, as it is in AWS.
        self.moto_lock = threading.RLock()
        self.routes: list[Route] = api_routes(self.template)
        self.headers = security_headers(self.template)
        self._stack: LocalStack | None = None
        self.moto: Any = None
        self.mock: Any = None
        self._restore_moto: Callable[[], None] = lambda: None
        self.http: Any = None
        self.aws_endpoint = ""

    @property
    def stack(self) -> LocalStack:
        if self._stack is None:
            raise RuntimeError("the local stack has not been built yet")
        return self._stack

    # --- start-up --------------------------------------------------------------------------
    def start(self) -> None:
        import logging

        from moto import mock_aws
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        # moto's and werkzeug's per-request lines would drown the pipeline's own output.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

        # The functions talk to moto in-process (no HTTP hop: as fast as the real thing is
        # far away), and moto's server shares the same state with everything outside this
        # process (tests, the staff tools, your own boto3) at aws_endpoint.
        self.mock = mock_aws()
        self.mock.start()
        self._restore_moto = serialise_moto_calls(self.moto_lock)
        moto_app = DomainDispatcherApplication(create_backend_app)

        def locked_moto(environ: dict[str, Any], start_response: StartResponse) -> Any:
            # Outside callers (tests, the staff tools) change moto's state under the same lock
            # as the functions do.
            with self.moto_lock:
                return list(moto_app(environ, start_response))

        self.moto = make_server(
            "127.0.0.1", 0, locked_moto, threaded=True, request_handler=MotoRequestHandler
        )
        self._spawn("moto", self.moto.serve_forever)
        host, port = "127.0.0.1", self.moto.server_port
        self.aws_endpoint = f"http://{host}:{port}"
        for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
            os.environ.pop(name, None)
        os.environ.update(
            {
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "POWERTOOLS_TRACE_DISABLED": "true",
            }
        )
        self._build_resources()
        self._load_functions()

        self.http = make_server(self.options.host, self.options.port, self._wsgi, threaded=True)
        self._spawn("http", self.http.serve_forever)
        self._spawn("sqs-poller", self._poll_alert_queue)
        self._spawn("alert-redrive", self._redrive_loop)
        self.ready.set()

    def _build_resources(self) -> None:
        import boto3

        from .template import create_data_resources

        parameters = {
            **DEFAULT_PARAMETERS,
            "StaffEmails": self.options.staff_emails,
            "StaffPhones": self.options.staff_phones,
            "SenderEmail": self.options.sender,
        }
        self._stack = create_data_resources(
            LocalStack(self.template, STACK, REGION, parameters=parameters), boto3
        )
        # The sender identity, verified (in AWS this is a step ops do once; see the README).
        boto3.client("sesv2", region_name=REGION).create_email_identity(
            EmailIdentity=self.options.sender
        )

    def _load_functions(self) -> None:
        """Import each handler with the environment the template gives its function."""
        for name, resource in self.template["Resources"].items():
            if resource["Type"] != "AWS::Serverless::Function":
                continue
            os.environ.update(self.stack.function_environment(name))
            if "LOOKUP_HINT" in os.environ:
                # Staff look requests up in this local stack, not in a deployed one.
                os.environ["LOOKUP_HINT"] = "intake --local requests show {reference}"
            module, _, attribute = resource["Properties"]["Handler"].rpartition(".")
            self.handlers[name] = getattr(importlib.import_module(module), attribute)
            self.function_locks[name] = threading.Lock()

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        timeout = int(self.template["Resources"][function]["Properties"].get("Timeout", 3))
        with self.function_locks[function]:
            return self.handlers[function](event, LambdaContext(function, timeout_seconds=timeout))

    # --- the SQS event source mapping -------------------------------------------------------
    def _poll_alert_queue(self) -> None:
        import boto3

        source = sqs_event_source(self.template, "NotifyStaffFunction")
        queue = source["QueueLogicalId"]
        url, arn = self.stack.physical[queue], self.stack.attributes[(queue, "Arn")]
        sqs = boto3.client("sqs", region_name=REGION)
        while not self.stop_event.is_set():
            try:
                messages = sqs.receive_message(
                    QueueUrl=url,
                    MaxNumberOfMessages=int(source.get("BatchSize", 10)),
                    AttributeNames=["All"],
                    MessageAttributeNames=["All"],
                ).get("Messages", [])
                if not messages:
                    self.stop_event.wait(self.options.poll_interval)
                    continue
                failed = self._deliver(messages, arn, source)
                done = [m for m in messages if m["MessageId"] not in failed]
                self._settle(sqs, url, messages, failed, done)
            except Exception as exc:  # keep polling, as the managed poller does
                print(f"sqs poller: {type(exc).__name__}", file=sys.stderr, flush=True)
                self.stop_event.wait(1)

    def _settle(
        self, sqs: Any, url: str, messages: list[Any], failed: set[str], done: list[Any]
    ) -> None:
        """Delete what succeeded; what failed comes back after the visibility timeout."""
        if failed and self.options.retry_delay is not None:
            sqs.change_message_visibility_batch(
                QueueUrl=url,
                Entries=[
                    {
                        "Id": str(i),
                        "ReceiptHandle": m["ReceiptHandle"],
                        "VisibilityTimeout": self.options.retry_delay,
                    }
                    for i, m in enumerate(messages)
                    if m["MessageId"] in failed
                ],
            )
        if done:
            sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )

    def _deliver(self, messages: list[Any], arn: str, source: dict[str, Any]) -> set[str]:
        """Run notify_staff on a batch; the ids it failed (all of them if it raised)."""
        event = sqs_event(messages, arn, REGION)
        try:
            result = self.invoke("NotifyStaffFunction", event)
        except Exception:
            return {m["MessageId"] for m in messages}
        if "ReportBatchItemFailures" not in source.get("FunctionResponseTypes", []):
            return set()
        return {failure["itemIdentifier"] for failure in result.get("batchItemFailures", [])}

    def _redrive_loop(self) -> None:
        while not self.stop_event.wait(self.options.redrive_interval):
            try:
                self.redrive()
            except Exception as exc:  # the scheduler tries again at the next interval
                print(f"alert re-drive failed: {type(exc).__name__}", file=sys.stderr, flush=True)

    def redrive(self) -> Any:
        return self.invoke("RedriveAlertsFunction", {"source": "local"})

    # --- HTTP -------------------------------------------------------------------------------
    def _wsgi(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        method = environ["REQUEST_METHOD"]
        started = time.perf_counter()
        if path.startswith("/api/"):
            status, headers, body = self._api(environ, path[len("/api") :], method)
        elif path.startswith("/_local"):
            status, headers, body = self._local(path, method)
        else:
            status, headers, body = self._static(path, method)
        start_response(status, headers)
        if not path.startswith("/_local/health"):
            # An access line without query strings or bodies, like API Gateway's access log.
            elapsed = (time.perf_counter() - started) * 1000
            print(f"{method} {path} {status.split()[0]} {elapsed:.0f}ms", flush=True)
        return [body]

    def _api(self, environ: dict[str, Any], path: str, method: str) -> Answer:
        route = next(
            (r for r in self.routes if r.path == path and r.method in {"ANY", method}), None
        )
        if route is None:
            # API Gateway's answer to a route the template does not declare.
            return _json_response(403, {"message": "Missing Authentication Token"})
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(min(length, 10 * 1024 * 1024)) if length else None
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").title()] = environ[key]
        event = rest_event(
            method,
            path,
            resource=route.path,
            headers=headers,
            body=body,
            source_ip=environ.get("REMOTE_ADDR", "127.0.0.1"),
        )
        try:
            result = self.invoke(route.function, event)
        except Exception:
            # What API Gateway answers when the function itself fails.
            return _json_response(502, {"message": "Internal server error"})
        return _from_proxy_result(result)

    def _local(self, path: str, method: str) -> Answer:
        from .outbox import read_outbox

        if path == "/_local/health":
            alive = self.ready.is_set() and all(t.is_alive() for t in self.threads)
            return _json_response(
                200 if alive else 503,
                {
                    "status": "ready" if alive else "starting",
                    "aws_endpoint": self.aws_endpoint,
                    "stack": self._describe(),
                    "staff": {
                        "emails": len([e for e in self.options.staff_emails.split(",") if e]),
                        "phones": len([p for p in self.options.staff_phones.split(",") if p]),
                    },
                },
            )
        if path == "/_local/outbox":
            with self.moto_lock:
                box = read_outbox(REGION)
            return _json_response(200, box)
        if path == "/_local/redrive" and method == "POST":
            return _json_response(200, self.redrive())
        if path in {"/_local", "/_local/"}:
            with self.moto_lock:
                box = read_outbox(REGION)
            page = outbox_page(box)
            return (
                "200 OK",
                [("Content-Type", "text/html; charset=utf-8"), *self.headers.items()],
                page.encode(),
            )
        return _json_response(404, {"message": "Not found"})

    def _html(self, status: str, body: bytes) -> Answer:
        return status, [("Content-Type", "text/html; charset=utf-8"), *self.headers.items()], body

    def _describe(self) -> dict[str, str]:
        return {
            "table": self.stack.physical["RequestsTable"],
            "audit_table": self.stack.physical["AuditTable"],
            "alert_topic": self.stack.physical["AlertTopic"],
            "alert_queue": self.stack.physical["AlertQueue"],
            "dead_letter_queue": self.stack.physical["AlertDeadLetterQueue"],
        }

    def _static(self, path: str, method: str) -> Answer:
        if method not in {"GET", "HEAD"}:
            return "405 Method Not Allowed", [("Allow", "GET, HEAD")], b""
        relative = path.lstrip("/") or "index.html"
        if relative.endswith("/"):
            relative += "index.html"
        target = (SITE / relative).resolve()
        if not target.is_relative_to(SITE.resolve()) or not target.is_file():
            missing = SITE / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"Not found"
            return (
                "404 Not Found",
                [("Content-Type", "text/html; charset=utf-8"), *self.headers.items()],
                body,
            )
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in {
            "application/javascript",
            "application/json",
        }:
            content_type += "; charset=utf-8"
        cache = "no-cache" if target.suffix == ".html" else "public, max-age=60"
        headers = [("Content-Type", content_type), ("Cache-Control", cache), *self.headers.items()]
        return "200 OK", headers, b"" if method == "HEAD" else target.read_bytes()

    # --- shut-down --------------------------------------------------------------------------
    def stop(self) -> None:
        self.stop_event.set()
        for server in (self.http, self.moto):
            if server is not None:
                server.shutdown()
                server.server_close()
        for thread in self.threads:
            thread.join(timeout=10)
        if self.mock is not None:
            self._restore_moto()
            self.mock.stop()


def _json_response(status: int, body: Any) -> Answer:
    from http import HTTPStatus

    return (
        f"{status} {HTTPStatus(status).phrase}",
        [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
        json.dumps(body, ensure_ascii=False, default=str).encode(),
    )


def _from_proxy_result(result: dict[str, Any]) -> Answer:
    """API Gateway's translation of a Lambda proxy result into an HTTP response."""
    from base64 import b64decode
    from http import HTTPStatus

    status = int(result.get("statusCode", 200))
    headers: dict[str, list[str]] = {k: [str(v)] for k, v in (result.get("headers") or {}).items()}
    for key, values in (result.get("multiValueHeaders") or {}).items():
        headers[key] = [str(v) for v in values]
    body = result.get("body") or ""
    raw = b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    flat = [(key, value) for key, values in headers.items() for value in values]
    return f"{status} {HTTPStatus(status).phrase}", flat, raw


def outbox_page(outbox: dict[str, list[dict[str, Any]]]) -> str:
    """What staff would have received, newest first."""
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
        f"<h2>Text messages</h2><ul>{sms}</ul><h2>Emails</h2>{emails}</main></body></html>"
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
            f"intake local: cannot listen on {options.host}:{options.port}: {exc.strerror}",
            file=sys.stderr,
        )
        pipeline.stop()
        return 1
    base = f"http://{options.host}:{pipeline.http.server_port}"
    print(
        f"clinic-intake local stack ready in {time.monotonic() - started:.1f}s\n"
        f"  site:          {base}/\n"
        f"  API:           {base}/api/appointments\n"
        f"  staff outbox:  {base}/_local/  (JSON: {base}/_local/outbox)\n"
        f"  health:        {base}/_local/health\n"
        f"  local AWS:     {pipeline.aws_endpoint} (moto; data lives while this runs)\n"
        "Press Ctrl-C to stop.",
        flush=True,
    )
    stop.wait()
    print("stopping...", flush=True)
    pipeline.stop()
    print("clinic-intake local stack stopped.", flush=True)
    return 0
