"""Where the staff and ops commands act: a deployed stack, or the local stack.

``--stack NAME`` resolves the table, queues and topic through the stack's CloudFormation
outputs, with the usual AWS profile and region. ``--local [URL]`` asks a running local stack
(``/_local/health``) for its endpoints and names.

Every client carries the user agent ``clinic-intake/intake-<command>``: CloudTrail records it
with each call, so the account's own trail says which command did what.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

REQUIRED_OUTPUTS = (
    "TableName",
    "AuditTableName",
    "LimitsTableName",
    "AlertQueueUrl",
    "DeadLetterQueueUrl",
    "AlertTopicArn",
    "SiteUrl",
)


class TargetError(Exception):
    """The stack, the local stack or the credentials cannot be found. The message says which."""


_NO_CREDENTIALS = (
    "no AWS credentials found: set AWS_PROFILE (or pass --profile), or run `aws sso login`"
)


@dataclass
class Target:
    session: Any
    outputs: dict[str, str]
    # Service -> endpoint URL, for the local stack (moto; DynamoDB may be dynalite).
    endpoints: dict[str, str] = field(default_factory=dict)
    agent: str = "clinic-intake/intake"

    @property
    def table(self) -> str:
        return self.outputs["TableName"]

    @property
    def audit_table(self) -> str:
        return self.outputs["AuditTableName"]

    @property
    def limits_table(self) -> str:
        """The alert limits table (an erase leaves its mark there)."""
        return self.outputs["LimitsTableName"]

    @property
    def alert_queue(self) -> str:
        return self.outputs["AlertQueueUrl"]

    @property
    def dead_letter_queue(self) -> str:
        return self.outputs["DeadLetterQueueUrl"]

    @property
    def alert_topic(self) -> str:
        return self.outputs["AlertTopicArn"]

    @property
    def zone(self) -> ZoneInfo:
        """The clinic's time zone: every time staff read is shown in it (and says so)."""
        return ZoneInfo(self.outputs.get("ClinicTimezone") or "America/New_York")

    @property
    def local(self) -> bool:
        return bool(self.endpoints)

    def client(self, service: str) -> Any:
        endpoint = self.endpoints.get(service) or self.endpoints.get("default")
        config = Config(
            user_agent_extra=self.agent,
            retries={"mode": "standard", "total_max_attempts": 3},
        )
        return self.session.client(service, endpoint_url=endpoint, config=config)

    def caller(self) -> str:
        """Who is acting: the caller's AWS identity (STS needs no permission for this)."""
        try:
            arn: str = self.client("sts").get_caller_identity()["Arn"]
        except NoCredentialsError as exc:
            raise TargetError(_NO_CREDENTIALS) from exc
        return arn


def from_stack(stack: str, region: str | None, profile: str | None, agent: str) -> Target:
    try:
        session = boto3.Session(region_name=region, profile_name=profile)
        cloudformation = session.client("cloudformation", config=Config(user_agent_extra=agent))
        described = cloudformation.describe_stacks(StackName=stack)
    except NoCredentialsError as exc:
        raise TargetError(_NO_CREDENTIALS) from exc
    except ClientError as exc:
        error = exc.response.get("Error", {})
        message = error.get("Message", "")
        if "does not exist" in message:
            raise TargetError(f"stack {stack!r} was not found in this account and region") from exc
        if error.get("Code") in {"AccessDenied", "AccessDeniedException"}:
            # The tools' policies name their own stack only: a wrong name is refused, not missing.
            raise TargetError(
                f"you may not read stack {stack!r}: check the name and region, and that you "
                "have the stack's StaffToolsPolicy or OpsToolsPolicy"
            ) from exc
        raise TargetError(f"could not read stack {stack!r}: {message}") from exc
    except BotoCoreError as exc:
        raise TargetError(f"could not reach AWS: {exc}") from exc
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Stacks"][0].get("Outputs", [])}
    missing = [name for name in REQUIRED_OUTPUTS if name not in outputs]
    if missing:
        raise TargetError(
            f"stack {stack!r} has no output {', '.join(missing)}: is it this project?"
        )
    return Target(session=session, outputs=outputs, agent=agent)


def local_session() -> Any:
    """A boto3 session for the local stack (it accepts any credentials; its region is fixed)."""
    return boto3.Session(
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - the local stack accepts anything
        aws_session_token="local",  # noqa: S106
        region_name="us-east-1",
    )


def from_local(url: str, agent: str) -> Target:
    if not url.startswith(("http://", "https://")):
        raise TargetError(f"--local takes an http:// URL, not {url!r}")
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/_local/health", timeout=5) as answer:  # noqa: S310  # nosec B310
            health = json.load(answer)
    except OSError as exc:
        raise TargetError(f"no local stack answers at {url}: start it with `make run`") from exc
    stack = health["stack"]
    outputs = {
        "TableName": stack["table"],
        "AuditTableName": stack["audit_table"],
        "LimitsTableName": stack["limits_table"],
        "AlertQueueUrl": stack["alert_queue"],
        "DeadLetterQueueUrl": stack["dead_letter_queue"],
        "AlertTopicArn": stack["alert_topic"],
        "SiteUrl": url.rstrip("/"),
        "ClinicTimezone": stack.get("clinic_timezone") or "America/New_York",
        "OriginSecretArn": stack.get("origin_secret", ""),
        "DistributionId": stack.get("distribution", ""),
    }
    return Target(
        session=local_session(),
        outputs=outputs,
        endpoints={"default": health["aws_endpoint"], "dynamodb": health["dynamodb_endpoint"]},
        agent=agent,
    )
