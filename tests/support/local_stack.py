"""The local stack (``intake-local``) started as a process on a free port, over real HTTP.

It runs with DynamoDB on dynalite, the strict emulator, as every test that touches DynamoDB does.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from intake_cli.target import local_session
from tests.support.iam import RECORDINGS
from tests.support.leaks import SESSION_VALUES, LeakGuard

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_healthy(base_url: str, process: subprocess.Popen[str], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the local stack exited with {process.returncode}")
        try:
            response = requests.get(f"{base_url}/_local/health", timeout=1)
            if response.status_code == 200:
                return response.json()
        except (requests.ConnectionError, requests.Timeout):
            pass  # not listening yet, or listening but not yet serving
        time.sleep(0.2)
    raise TimeoutError("the local stack did not become healthy")


@dataclass
class Local:
    base_url: str
    health: dict[str, Any]
    process: subprocess.Popen[str]

    @property
    def stack(self) -> dict[str, str]:
        stack: dict[str, str] = self.health["stack"]
        return stack

    def client(self, service: str) -> Any:
        endpoint = self.health["dynamodb_endpoint" if service == "dynamodb" else "aws_endpoint"]
        return local_session().client(service, endpoint_url=endpoint)

    def outbox(self) -> dict[str, list[dict[str, Any]]]:
        result: dict[str, list[dict[str, Any]]] = requests.get(
            f"{self.base_url}/_local/outbox", timeout=5
        ).json()
        return result

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.1)
        return predicate()


_OUTPUTS: dict[int, Any] = {}


def start_local(*extra: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TABLE_", "TOPIC_"))}
    # What the functions call in the stack is recorded for the IAM check (tests/iam).
    calls = Path(tempfile.gettempdir()) / f"intake-calls-{os.getpid()}-{port}.json"
    calls.unlink(missing_ok=True)
    env["INTAKE_RECORD_AWS_CALLS"] = str(calls)
    RECORDINGS.append(calls)
    # Output goes to a file, not a pipe: a pipe nobody reads fills up and blocks the stack.
    output = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 - closed in stop_local
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "intake_local",
            "--port",
            str(port),
            "--dynamodb",
            "dynalite",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    _OUTPUTS[process.pid] = output
    return process, f"http://127.0.0.1:{port}"


def stop_local(process: subprocess.Popen[str]) -> str:
    """Stop the stack as Ctrl-C or SIGTERM would; return everything it printed."""
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    output = _OUTPUTS.pop(process.pid)
    output.seek(0)
    text: str = output.read()
    output.close()
    return text


@contextmanager
def running_local(*extra: str) -> Iterator[Local]:
    """A local stack for the duration of the block; its output is leak-checked at the end."""
    process, base_url = start_local(*extra)
    try:
        health = wait_until_healthy(base_url, process)
        yield Local(base_url, health, process)
    finally:
        output = stop_local(process)
        assert process.returncode == 0, output
        # The functions' logs and metrics, in the local stack's process, hold no submitted value.
        LeakGuard(values=SESSION_VALUES).check("the local stack's logs", output)
