"""Where the staff and ops commands act: a deployed stack, or the local stack.

``--stack NAME`` resolves the table, queues and topic through the stack's CloudFormation
outputs, with the usual AWS profile and region. ``--local [URL]`` asks a running
``intake local`` (``/_local/health``) for its endpoint and names.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError


class TargetError(Exception):
    """The stack, the local stack or the credentials cannot be found. The message says which."""


@dataclass
class Target:
    session: Any
    endpoint_url: str | None
    table: str
    audit_table: str
    alert_queue: str
    dead_letter_queue: str
    alert_topic: str
    description: str

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.endpoint_url)

    def caller(self) -> str:
        """Who is acting: the caller's AWS identity."""
        if self.endpoint_url:
            return "local-developer"
        try:
            arn: str = self.client("sts").get_caller_identity()["Arn"]
        except NoCredentialsError as exc:
            raise TargetError(_NO_CREDENTIALS) from exc
        return arn


_NO_CREDENTIALS = (
    "no AWS credentials found: set AWS_PROFILE (or pass --profile), or run `aws sso login`"
)


def from_stack(stack: str, region: str | None, profile: str | None) -> Target:
    try:
        session = boto3.Session(region_name=region, profile_name=profile)
        described = session.client("cloudformation").describe_stacks(StackName=stack)
    except NoCredentialsError as exc:
        raise TargetError(_NO_CREDENTIALS) from exc
    except ClientError as exc:
        message = exc.response.get("Error", {}).get("Message", "")
        if "does not exist" in message:
            raise TargetError(f"stack {stack!r} was not found in this account and region") from exc
        raise TargetError(f"could not read stack {stack!r}: {message}") from exc
    except BotoCoreError as exc:
        raise TargetError(f"could not reach AWS: {exc}") from exc
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Stacks"][0].get("Outputs", [])}
    needed = ["TableName", "AuditTableName", "AlertQueueUrl", "DeadLetterQueueUrl", "AlertTopicArn"]
    missing = [name for name in needed if name not in outputs]
    if missing:
        raise TargetError(
            f"stack {stack!r} has no output {', '.join(missing)}: is it this project?"
        )
    return Target(
        session=session,
        endpoint_url=None,
        table=outputs["TableName"],
        audit_table=outputs["AuditTableName"],
        alert_queue=outputs["AlertQueueUrl"],
        dead_letter_queue=outputs["DeadLetterQueueUrl"],
        alert_topic=outputs["AlertTopicArn"],
        description=f"stack {stack}",
    )


def local_session() -> Any:
    """A boto3 session for moto (it accepts any credentials; the region is the stack's)."""
    return boto3.Session(
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - moto accepts anything
        region_name="us-east-1",
    )


def from_local(url: str) -> Target:
    if not url.startswith(("http://", "https://")):
        raise TargetError(f"--local takes an http:// URL, not {url!r}")
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/_local/health", timeout=5) as answer:  # noqa: S310  # nosec B310
            health = json.load(answer)
    except OSError as exc:
        raise TargetError(f"no local stack answers at {url}: start it with `make run`") from exc
    stack = health["stack"]
    return Target(
        session=local_session(),
        endpoint_url=health["aws_endpoint"],
        table=stack["table"],
        audit_table=stack["audit_table"],
        alert_queue=stack["alert_queue"],
        dead_letter_queue=stack["dead_letter_queue"],
        alert_topic=stack["alert_topic"],
        description=f"local stack at {url}",
    )
