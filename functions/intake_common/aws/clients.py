"""The functions' AWS clients, made with botocore directly.

boto3 adds nothing the functions use (no resources, no S3 transfers), and importing it imports
s3transfer: about a third of a bare cold start (BENCHMARKS.md, "Cold start without
SnapStart"). botocore is what boto3's clients are: the same credential chain, retries, regions
and endpoints. One session per process, because each new session loads the service models again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import Any

from botocore.config import Config
from botocore.session import Session, get_session


@cache
def session() -> Session:
    return get_session()


def config(agent: str, read_timeout: float = 5) -> Config:
    """Every function's client configuration: short time-outs and a few retries (API Gateway
    gives up at 29 s, and a failed SQS batch is retried), and the user agent
    (``clinic-intake/<handler module>``) that CloudTrail records with every call."""
    return Config(
        connect_timeout=2,
        read_timeout=read_timeout,
        retries={"mode": "standard", "total_max_attempts": 3},
        user_agent_extra=agent,
        # botocore checks every parameter of every call against the service model before
        # sending it: 15 to 18 % of a warm request here (BENCHMARKS.md, "The warm path"). Our
        # requests are built by the adapters from the tables' contracts, dynalite (which
        # validates as DynamoDB does) runs them in the tests, and AWS validates them anyway.
        parameter_validation=False,
        # DynamoDB's account-based endpoints: botocore works out the account id for every call
        # (about a quarter of a warm alert message). The client falls back to the regional
        # endpoint whenever it cannot see the account id, as with Lambda's environment
        # credentials; this makes that the rule. AWS SDKs and Tools Reference Guide,
        # "Account-based endpoints":
        # https://docs.aws.amazon.com/sdkref/latest/guide/feature-account-endpoints.html
        account_id_endpoint_mode="disabled",
    )


def client(service: str, config: Config) -> Any:
    """A client for ``service`` (region and credentials from Lambda's environment)."""
    return session().create_client(service, config=config)


class _Answered:
    """What botocore reads of an HTTP answer when a ``before-call`` handler answers."""

    status_code = 200
    headers: dict[str, str] = {}  # noqa: RUF012 - read-only
    content = b""


# An operation's answer, as botocore would parse it from AWS: fixed, or made from the call's
# parameters.
Answer = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


def answering(answers: Mapping[str, Answer]) -> Callable[..., tuple[_Answered, dict[str, Any]]]:
    """A ``before-call`` handler that answers every call locally: ``answers`` by operation
    name, else an empty answer. Nothing is sent."""

    def answer(model: Any, params: dict[str, Any], **_: Any) -> tuple[_Answered, dict[str, Any]]:
        found = answers.get(model.name, {})
        parsed = dict(found(params) if callable(found) else found)
        parsed.setdefault("ResponseMetadata", {"HTTPStatusCode": 200, "RetryAttempts": 0})
        return _Answered(), parsed

    return answer


@contextmanager
def offline(found: list[Any], answers: Mapping[str, Answer]) -> Iterator[None]:
    """Within the block, the clients answer every call locally (``answering``) and nothing
    reaches AWS. For SnapStart priming: a sample request runs the whole path once (parameter
    checks, serialisation, endpoint rules, which botocore works out on a client's first call)
    without a network. The benchmarks answer the same way, for every client they create."""
    handler = answering(answers)
    for client in found:
        client.meta.events.register_first("before-call.*.*", handler, unique_id="intake-offline")
    try:
        yield
    finally:
        for client in found:
            client.meta.events.unregister("before-call.*.*", unique_id="intake-offline")
