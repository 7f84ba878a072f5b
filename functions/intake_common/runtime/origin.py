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

Each execution environment reads ``AWSCURRENT`` at most once a minute (``max_age``), and
``AWSPREVIOUS`` only for a header the current value does not match (during a rotation, or a
forged header), also at most once a minute: the first request after a SnapStart restore makes
one call, not two. What was read is kept when Secrets Manager cannot be reached: a warm API does
not depend on it. It reads with botocore, not Powertools' Parameters utility, which imports
boto3 (see clients.py).
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
        self._values: dict[str, str] = {}
        self._read_at: dict[str, float] = {}

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = clients.client("secretsmanager", clients.config(self._agent))
        return self._client

    def current(self) -> str:
        """The value labelled ``AWSCURRENT``: what CloudFront sends once a rotation is done."""
        return self._value(CURRENT)

    def admits(self, sent: str) -> bool:
        """``sent`` is the current value or, while a rotation is under way, the previous one.
        The previous one is read only when the current one does not match."""
        if not sent:
            return False
        return matches(sent, (self._value(CURRENT),)) or matches(sent, (self._value(PREVIOUS),))

    def _value(self, stage: str) -> str:
        now = self._clock()
        read_at = self._read_at.get(stage)
        if read_at is not None and now - read_at < self.max_age:
            return self._values[stage]
        try:
            value = self._read(stage)
        except (BotoCoreError, ClientError) as exc:
            # Keep what was read before: Secrets Manager unreachable must not refuse visitors.
            logger.warning("origin secret not read", extra={"error": type(exc).__name__})
            if read_at is None:
                raise OriginSecretUnavailable from exc
            return self._values[stage]
        self._values[stage], self._read_at[stage] = value, now
        return value

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
        self._values, self._read_at = {}, {}

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
