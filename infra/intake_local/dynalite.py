"""dynalite: a strict DynamoDB emulator (npm ``dynalite``), started and stopped as a child process.

moto is lenient about DynamoDB: it accepted a reserved word in a key condition that DynamoDB
refuses. dynalite validates requests as DynamoDB does (reserved words, key schemas, expression
syntax, consistent reads on indexes), so the tests and, on request, the local stack use it for
DynamoDB while moto keeps SNS, SQS, SES and the rest. It is installed by ``npm ci`` from the
repository's ``package-lock.json`` (``make test`` and ``make run DYNAMODB=dynalite`` do it).

What dynalite does not implement: the TTL API (``UpdateTimeToLive``), so expiry is never
automatic here; the code treats an expired item as gone whether or not DynamoDB deleted it yet.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .template import ROOT

DYNALITE = ROOT / "node_modules" / ".bin" / "dynalite"


class DynaliteMissing(RuntimeError):
    """Node or the dynalite package is not installed."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Dynalite:
    """One dynalite process on a free loopback port, in memory."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover - dynalite stops at once
                self.process.kill()
                self.process.wait()


def start(binary: Path | None = None, timeout: float = 20) -> Dynalite:
    """Start dynalite and wait until it answers. Tables become ACTIVE at once."""
    executable = binary or Path(os.environ.get("DYNALITE", DYNALITE))
    node = shutil.which("node")
    if node is None or not executable.exists():
        raise DynaliteMissing(
            "dynalite is not installed: run `npm ci` in the repository (Node 20 or later)"
        )
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own pinned npm package
        [
            node,
            str(executable.resolve()),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--createTableMs",
            "0",
            "--deleteTableMs",
            "0",
            "--updateTableMs",
            "0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DynaliteMissing(f"dynalite exited at start with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return Dynalite(process, port)
        time.sleep(0.05)
    process.kill()
    raise DynaliteMissing("dynalite did not start listening")
