"""The local AWS: moto in this process (and its HTTP server for outside callers), and DynamoDB
on moto or on dynalite.

The functions talk to moto in-process (no HTTP hop), and moto's server shares the same state
with everything outside this process (tests, the ``intake`` tools, your own boto3) at
``endpoint``. With dynalite, every DynamoDB client (the functions', through
``AWS_ENDPOINT_URL_DYNAMODB``, and outside callers, through ``dynamodb_endpoint``) talks to it
instead, and moto lets those calls through.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from . import dynalite

REGION = "us-east-1"
StartResponse = Callable[..., Any]


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


class LocalAws:
    """moto (in-process and served on a loopback port) and, optionally, dynalite."""

    def __init__(self, dynamodb: str = "moto") -> None:
        if dynamodb not in {"moto", "dynalite"}:
            raise ValueError("dynamodb is 'moto' or 'dynalite'")
        self.dynamodb = dynamodb
        # Every moto call, from the functions or from outside through moto's server, runs
        # under this lock, so each call is atomic, as it is in AWS.
        self.lock = threading.RLock()
        self._mock: Any = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._restore: Callable[[], None] = lambda: None
        self._dynalite: dynalite.Dynalite | None = None
        self.endpoint = ""
        self.dynamodb_endpoint = ""
        self._session: Any = None

    def start(self) -> None:
        from moto import mock_aws
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        # moto's and werkzeug's per-request lines would drown the pipeline's own output.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
            os.environ.pop(name, None)
        os.environ.update(
            {
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_SESSION_TOKEN": "local",
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                # moto's user pool checks authenticator codes (TOTP), as Cognito does.
                "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true",
            }
        )
        if self.dynamodb == "dynalite":
            self._dynalite = dynalite.start()
            self.dynamodb_endpoint = self._dynalite.endpoint
            os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = self.dynamodb_endpoint
        self._mock = mock_aws()
        self._mock.start()
        self._restore = serialise_moto_calls(self.lock)
        moto_app = DomainDispatcherApplication(create_backend_app)

        def locked_moto(environ: dict[str, Any], start_response: StartResponse) -> Any:
            with self.lock:
                return list(moto_app(environ, start_response))

        self._server = make_server(
            "127.0.0.1", 0, locked_moto, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()
        self.endpoint = f"http://127.0.0.1:{self._server.server_port}"
        self.dynamodb_endpoint = self.dynamodb_endpoint or self.endpoint

    @property
    def alive(self) -> bool:
        dynalite_alive = self._dynalite is None or self._dynalite.process.poll() is None
        return bool(self._thread and self._thread.is_alive()) and dynalite_alive

    def client(self, service: str) -> Any:
        """A client of the local AWS, in-process (moto) or on dynalite for DynamoDB."""
        import boto3

        if self._session is None:
            self._session = boto3.Session(region_name=REGION)
        return self._session.client(service)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._mock is not None:
            self._restore()
            self._mock.stop()
        if self._dynalite is not None:
            self._dynalite.stop()
