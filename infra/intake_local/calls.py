"""Record every AWS call the project's own code makes, for the IAM check.

The functions and the ``intake`` commands create their clients with the user agent
``clinic-intake/<who>`` (``submit_request.handler``, ``intake-requests-show``...). The recorder
hooks client creation in botocore and, on those clients only, notes each operation with the
parameters that name a resource or feed an IAM condition (table, index, queue, topic, sender,
content kind...). It never keeps a submitted value: recipients, message bodies and item
contents are not recorded.

The tests install it in their own process; ``intake-local`` installs it when the environment
variable ``INTAKE_RECORD_AWS_CALLS`` names a file, and writes the calls there when it stops.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

AGENT_PREFIX = "clinic-intake/"
# Parameters that identify a resource or an IAM condition, by operation input name.
_KEPT = (
    "TableName",
    "IndexName",
    "QueueUrl",
    "TopicArn",
    "TargetArn",
    "FromEmailAddress",
    "ConfigurationSetName",
    "StackName",
    "UserPoolId",
    "ClientId",
    "SecretId",
    "VersionStage",
    "Id",  # CloudFront's distribution id, the WAF's web ACL id (intake origin rotate)
    "Name",  # the WAF's web ACL name
    "Scope",
)


@dataclass(frozen=True)
class AwsCall:
    principal: str  # what follows clinic-intake/ in the user agent
    service: str  # botocore's service name: dynamodb, sesv2, sns, sqs...
    operation: str  # the API operation: Query, SendEmail...
    region: str
    params: dict[str, Any] = field(default_factory=dict)


def _summary(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {key: params[key] for key in _KEPT if key in params}
    if "PhoneNumber" in params:
        kept["PhoneNumber"] = True  # that it went to a phone number, never which one
    if "Content" in params:  # SES v2: Simple, Raw or Template decides the IAM action
        kept["Content"] = sorted(params["Content"])
    if "RequestItems" in params:  # batch operations: the tables only
        kept["RequestItems"] = sorted(params["RequestItems"])
    if "Key" in params:  # the key of one item: ids and dates, never a submitted value
        kept["Key"] = {name: next(iter(value.values())) for name, value in params["Key"].items()}
    if "ProjectionExpression" in params:  # which attributes a read asks for
        names = params.get("ExpressionAttributeNames", {})
        kept["Attributes"] = sorted(
            names.get(part.strip(), part.strip())
            for part in params["ProjectionExpression"].split(",")
        )
    if "Select" in params:
        kept["Select"] = params["Select"]
    if "TransactItems" in params:  # transactions: each item's kind and table only
        kept["TransactItems"] = [
            {"kind": kind, "TableName": body.get("TableName")}
            for item in params["TransactItems"]
            for kind, body in item.items()
        ]
    return kept


class CallRecorder:
    """Collects :class:`AwsCall` from every client whose user agent is ours."""

    def __init__(self) -> None:
        self.calls: list[AwsCall] = []
        self._lock = threading.Lock()

    def install(self) -> Callable[[], None]:
        """Hook botocore's client creation; return what undoes it."""
        from botocore.session import Session

        original = Session.create_client
        recorder = self

        def create_client(session: Any, *args: Any, **kwargs: Any) -> Any:
            client = original(session, *args, **kwargs)
            agent = getattr(client.meta.config, "user_agent_extra", None) or ""
            if agent.startswith(AGENT_PREFIX):
                principal = agent[len(AGENT_PREFIX) :].split()[0]
                service = client.meta.service_model.service_name
                region = client.meta.region_name

                def record(params: dict[str, Any], model: Any, **_: Any) -> None:
                    call = AwsCall(
                        principal, service, model.name, region, _summary(model.name, params)
                    )
                    with recorder._lock:
                        recorder.calls.append(call)

                client.meta.events.register("provide-client-params", record)
            return client

        Session.create_client = create_client  # type: ignore[method-assign,assignment]

        def restore() -> None:
            Session.create_client = original  # type: ignore[method-assign]

        return restore

    def dump(self, path: Path, stack: dict[str, Any]) -> None:
        """Write the calls and the stack they were made against (names, ARNs) as JSON."""
        with self._lock:
            calls = [asdict(call) for call in self.calls]
        path.write_text(json.dumps({"stack": stack, "calls": calls}, indent=1), encoding="utf-8")


def load(path: Path) -> tuple[dict[str, Any], list[AwsCall]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["stack"], [AwsCall(**call) for call in data["calls"]]
