"""The origin secret CloudFront sends the API (``X-Origin-Verify``), read at run time so that it
can rotate without a refused request.

The secret lives in Secrets Manager (``OriginVerifySecret``). A rotation (``intake origin
rotate``, docs/operate.md) puts a new value, which becomes ``AWSCURRENT`` while the old one
keeps the label ``AWSPREVIOUS``; CloudFront is switched to the new value only once every
function has had time to read it; and the label ``AWSPREVIOUS`` is removed last. So the
functions accept the value labelled ``AWSCURRENT`` and, while it exists, the one labelled
``AWSPREVIOUS``: both during a rotation, only the new one after it. Secrets Manager moves the
labels this way on ``PutSecretValue``:
https://docs.aws.amazon.com/secretsmanager/latest/userguide/whats-in-a-secret.html#term_version

Each execution environment reads the two labels at most once a minute (``max_age``), and keeps
what it read when Secrets Manager cannot be reached: a warm API does not depend on it. It reads
them with botocore, not Powertools' Parameters utility, which imports boto3 (see clients.py).
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from intake_common.aws import clients
from intake_common.runtime.observability import logger

CURRENT = "AWSCURRENT"
PREVIOUS = "AWSPREVIOUS"
# How long an environment keeps what it read. `intake origin rotate` waits longer than this
# before it switches CloudFront to the new value (infra/intake_cli/origin_commands.py).
MAX_AGE_SECONDS = 60
# What SnapStart priming sends (answered offline; never a real value).
REHEARSAL = "priming-only"


class OriginSecretUnavailable(Exception):
    """The secret could not be read, and nothing read earlier is kept: a 503, not a 403."""


class OriginSecret:
    """The values of ``X-Origin-Verify`` the API accepts now."""

    def __init__(
        self,
        arn: str,
        agent: str,
        *,
        max_age: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.arn = arn
        self.max_age = max_age
        self._agent = agent
        self._clock = clock
        self._client: Any = None
        self._values: tuple[str, ...] = ()
        self._read_at: float | None = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = clients.client("secretsmanager", clients.config(self._agent))
        return self._client

    def accepted(self) -> tuple[str, ...]:
        """The current value and, during a rotation, the previous one (never an empty one)."""
        now = self._clock()
        if self._read_at is not None and now - self._read_at < self.max_age:
            return self._values
        try:
            values = tuple(v for v in (self._read(CURRENT), self._read(PREVIOUS)) if v)
        except (BotoCoreError, ClientError) as exc:
            # Keep what was read before: Secrets Manager unreachable must not refuse visitors.
            logger.warning("origin secret not read", extra={"error": type(exc).__name__})
            if self._read_at is None:
                raise OriginSecretUnavailable from exc
            return self._values
        self._values, self._read_at = values, now
        return values

    def _read(self, stage: str) -> str:
        try:
            answer = self.client.get_secret_value(SecretId=self.arn, VersionStage=stage)
        except ClientError as exc:
            if stage == PREVIOUS and exc.response.get("Error", {}).get("Code") == (
                "ResourceNotFoundException"
            ):
                return ""  # no rotation under way
            raise
        return str(answer.get("SecretString") or "")

    def forget(self) -> None:
        """Read again on the next request (after SnapStart priming, and in tests)."""
        self._values, self._read_at = (), None

    @contextmanager
    def rehearsal(self) -> Iterator[str]:
        """For SnapStart priming: the client's first call made offline, answered with a value
        no one sends; forgotten afterwards, so the snapshot holds no secret."""
        answers = {"GetSecretValue": {"SecretString": REHEARSAL}}
        self.forget()
        with clients.offline([self.client], answers):
            try:
                yield REHEARSAL
            finally:
                self.forget()


def matches(sent: str, accepted: tuple[str, ...]) -> bool:
    """``sent`` is one of the accepted values (compared in constant time, each of them)."""
    found = False
    for value in accepted:
        found |= hmac.compare_digest(sent.encode(), value.encode())
    return bool(sent) and found
