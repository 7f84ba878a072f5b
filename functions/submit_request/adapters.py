"""Outbound adapters of submit_request: the requests table and the topic (shared adapters, with
this function's clients) and Cloudflare Turnstile's verification."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from intake_common.aws import clients
from intake_common.aws.table import DynamoRequestStore
from intake_common.aws.topic import SnsAlertPublisher
from intake_common.runtime.settings import SubmitSettings

from .ports import Dependencies, HumanCheckUnavailable

# The action the form's widget declares (site/assets/js/form.js), and how old a solved challenge
# may be: Cloudflare's tokens last 300 seconds. Cloudflare's Turnstile documentation, "Server-side
# validation": https://developers.cloudflare.com/turnstile/get-started/server-side-validation/
ACTION = "appointment"
MAX_AGE_SECONDS = 300


class TurnstileVerifier:
    """Cloudflare Turnstile's siteverify endpoint (the visitor's IP is not sent). A token passes
    only if Cloudflare says so, for the clinic's own site, for this form, and not long ago: a
    token solved on another page (a farm of solved challenges) or for another form does not."""

    def __init__(self, url: str, secret: str, timeout: float = 3) -> None:
        self.url = url
        self.secret = secret
        self.timeout = timeout

    def passed(self, token: str, idempotency_key: str, hostname: str = "") -> bool:
        # Imported here: only a stack with the human check on needs it (a cold start saved).
        import urllib.parse
        import urllib.request

        data = urllib.parse.urlencode(
            {"secret": self.secret, "response": token, "idempotency_key": idempotency_key}
        ).encode()
        request = urllib.request.Request(self.url, data=data, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310  # nosec B310
                verdict = json.load(answer)
        except (OSError, ValueError) as exc:  # network, HTTP 4xx/5xx, not JSON
            raise HumanCheckUnavailable(type(exc).__name__) from exc
        return (
            verdict.get("success") is True
            and bool(hostname)
            and verdict.get("hostname") == hostname
            and verdict.get("action") == ACTION
            and _recent(verdict.get("challenge_ts"))
        )


def _recent(moment: object) -> bool:
    from datetime import UTC, datetime

    try:
        solved = datetime.fromisoformat(str(moment).replace("Z", "+00:00"))
    except ValueError:
        return False
    age = (datetime.now(UTC) - solved).total_seconds()
    return -60 <= age <= MAX_AGE_SECONDS


def build(settings: SubmitSettings, agent: str) -> Dependencies:
    # Fail fast: API Gateway gives up at 29 s, and the visitor's page retries on its own.
    config = clients.config(agent, read_timeout=3)
    secret = settings.turnstile_secret.get_secret_value()
    return Dependencies(
        store=DynamoRequestStore(settings.table_name, clients.client("dynamodb", config=config)),
        publisher=SnsAlertPublisher(settings.topic_arn, clients.client("sns", config=config)),
        human_check=TurnstileVerifier(settings.turnstile_verify_url, secret) if secret else None,
    )


@contextmanager
def offline(deps: Dependencies) -> Iterator[None]:
    """These adapters' AWS calls answered locally within the block (SnapStart priming)."""
    found = [
        adapter.client
        for adapter in (deps.store, deps.publisher)
        if isinstance(adapter, DynamoRequestStore | SnsAlertPublisher)
    ]
    with clients.offline(found, {"Publish": {"MessageId": "priming"}}):
        yield
