"""The events and the context Lambda hands a function: one kit for SnapStart's priming, the
local stack, the tests and the benchmarks.

The deployed API is a REST API, so the API functions receive payload format 1.0 proxy events;
``notify_staff`` receives SQS batches as the event source mapping delivers them.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any
from urllib.parse import parse_qs

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"


def api_event(
    method: str,
    path: str,
    *,
    resource: str | None = None,
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
    source_ip: str = "127.0.0.1",
    stage: str = "prod",
    api_id: str = "local",
    query: str = "",
    path_parameters: dict[str, str] | None = None,
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway REST (payload 1.0) proxy event, as the deployed API sends it; with
    ``claims``, as a Cognito authorizer passes them (every value a string)."""
    headers = dict(headers or {})
    resource = resource or path
    multi_query = parse_qs(query, keep_blank_values=True) if query else {}
    is_base64 = False
    text: str | None
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            # API Gateway base64-encodes what it cannot pass as text.
            text, is_base64 = base64.b64encode(body).decode("ascii"), True
    else:
        text = body
    now = time.time()
    request_id = str(uuid.uuid4())
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method.upper(),
        "headers": headers,
        "multiValueHeaders": {key: [value] for key, value in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "local",
            "resourcePath": resource,
            "httpMethod": method.upper(),
            "extendedRequestId": request_id,
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "path": f"/{stage}{path}",
            "accountId": ACCOUNT_ID,
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainPrefix": api_id,
            "requestTimeEpoch": int(now * 1000),
            "requestId": request_id,
            "identity": {"sourceIp": source_ip, "userAgent": headers.get("User-Agent", "")},
            **({"authorizer": {"claims": claims}} if claims is not None else {}),
            "domainName": f"{api_id}.execute-api.localhost",
            "apiId": api_id,
        },
        "body": text,
        "isBase64Encoded": is_base64,
    }


# The clinic's own page, as CloudFront forwards its requests to the API (the priming sample
# and the benchmarks send these).
PAGE_SITE = "d111111abcdef8.cloudfront.net"


def page_event(
    method: str,
    path: str,
    *,
    origin_secret: str,
    body: Any = None,
    claims: dict[str, str] | None = None,
    path_parameters: dict[str, str] | None = None,
    resource: str | None = None,
) -> dict[str, Any]:
    """A JSON request from the clinic's own page, as CloudFront forwards it (with its origin
    header)."""
    headers = {
        "Content-Type": "application/json",
        "Origin": f"https://{PAGE_SITE}",
        "Sec-Fetch-Site": "same-origin",
        "X-Forwarded-Host": PAGE_SITE,
        "X-Origin-Verify": origin_secret,
    }
    return api_event(
        method,
        path,
        resource=resource,
        headers=headers,
        body=None if body is None else json.dumps(body),
        path_parameters=path_parameters,
        claims=claims,
    )


def sqs_record(
    body: str,
    *,
    message_id: str | None = None,
    receipt_handle: str = "handle",
    attributes: dict[str, str] | None = None,
    queue_arn: str = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:queue",
    region: str = REGION,
) -> dict[str, Any]:
    """One SQS record as the event source mapping delivers it."""
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": receipt_handle,
        "body": body,
        "attributes": attributes
        or {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "0",
            "SenderId": "local",
            "ApproximateFirstReceiveTimestamp": "0",
        },
        "messageAttributes": {},
        "md5OfBody": "0" * 32,
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


def sqs_event(records: list[dict[str, Any]]) -> dict[str, Any]:
    """An SQS batch of ``records`` (``sqs_record``)."""
    return {"Records": records}


def received_sqs_event(
    messages: list[dict[str, Any]], queue_arn: str, region: str = REGION
) -> dict[str, Any]:
    """The batch Lambda's SQS event source mapping sends for received ``messages``
    (``receive_message`` results, with ``AttributeNames=["All"]``)."""
    return sqs_event(
        [
            {
                **sqs_record(
                    message["Body"],
                    message_id=message["MessageId"],
                    receipt_handle=message["ReceiptHandle"],
                    attributes=message.get("Attributes", {}),
                    queue_arn=queue_arn,
                    region=region,
                ),
                "messageAttributes": message.get("MessageAttributes", {}),
                "md5OfBody": message["MD5OfBody"],
            }
            for message in messages
        ]
    )


class LambdaContext:
    """What the Lambda runtime passes as ``context`` (the attributes Powertools reads), for an
    invocation outside Lambda. A plain class: this module imports nothing but the standard
    library, so the benchmarks' bare baselines can use it without importing Powertools (36 ms)."""

    def __init__(
        self, function_name: str, memory_limit_in_mb: int = 512, timeout_seconds: int = 10
    ) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}"
        self.memory_limit_in_mb = memory_limit_in_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))
