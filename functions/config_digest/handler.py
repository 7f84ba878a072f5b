"""config_digest: a CloudFormation custom resource, a digest of the parameters that reach the
published functions' configuration.

SAM names each function's Version from its properties *before* parameter values are filled in
(aws/serverless-application-model#3820), so a deploy that changes only a parameter (a staff
address, the alert detail, SnapStart) updates ``$LATEST`` while the ``live`` alias keeps the old
version. The template gives this resource every such parameter; each published function's
``VersionDescription`` carries its digest. A changed parameter changes the description, and
CloudFormation replaces the Version (publishes a new one) after updating the function, then
moves the alias to it.

Standard library only. The values (the Turnstile secret among them) are hashed in memory and
never logged or returned; only the digest is.
"""

from __future__ import annotations

import hashlib
import json
import urllib.request
from typing import Any

PHYSICAL_ID = "config-digest"


def digest(values: dict[str, Any]) -> str:
    """The same values, in any order, give the same digest (SHA-256, hex)."""
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def answer(event: dict[str, Any]) -> dict[str, Any]:
    """What CloudFormation is told for a Create, Update or Delete request."""
    body: dict[str, Any] = {
        "Status": "SUCCESS",
        "PhysicalResourceId": event.get("PhysicalResourceId") or PHYSICAL_ID,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": True,  # the digest is not shown by DescribeStackResource's attributes
    }
    if event["RequestType"] in {"Create", "Update"}:
        values = (event.get("ResourceProperties") or {}).get("Values") or {}
        body["Data"] = {"Digest": digest(values)}
    return body


def respond(url: str, body: dict[str, Any]) -> None:
    """PUT the answer to the pre-signed URL CloudFormation waits on (an empty content type, as
    CloudFormation's own cfn-response module sends it)."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - CloudFormation's https URL
        url, data=data, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(data))}
    )
    with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310  # nosec B310
        reply.read()


def lambda_handler(event: dict[str, Any], context: Any) -> None:
    try:
        body = answer(event)
    except Exception as exc:  # a FAILED answer, never a stack left waiting for an hour
        body = {
            "Status": "FAILED",
            "Reason": f"config digest failed: {type(exc).__name__}",
            "PhysicalResourceId": event.get("PhysicalResourceId") or PHYSICAL_ID,
            "StackId": event.get("StackId", ""),
            "RequestId": event.get("RequestId", ""),
            "LogicalResourceId": event.get("LogicalResourceId", ""),
        }
    respond(event["ResponseURL"], body)
