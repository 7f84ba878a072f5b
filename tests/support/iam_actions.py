"""Which IAM actions, on which resources, each AWS operation the project calls needs.

From AWS's Service Authorization Reference (docs.aws.amazon.com/service-authorization) and each
service's developer guide. Most operations need the action of the same name on the resource
they name; the special cases are written down next to their rows:

- SES v2 ``SendEmail`` is authorised by what it sends: ``ses:SendEmail`` for Simple content,
  ``ses:SendRawEmail`` for Raw content (a MIME message, what notify_staff sends), on the sender
  identity (email address and domain) and on the configuration set if one is named; the
  ``ses:FromAddress`` condition key (the sender) is in the request's context for all three.
- A DynamoDB ``Query`` or ``Scan`` with ``IndexName`` needs ``dynamodb:Query`` on the index ARN
  (``table/NAME/index/INDEX``), not on the table.
- SNS ``Publish`` to a phone number (SMS) names no resource: only ``"*"`` grants it. Publishing
  to an encrypted topic also needs ``kms:GenerateDataKey*`` and ``kms:Decrypt`` on its key.
- SQS ``SendMessage`` to an SSE-KMS queue needs ``kms:GenerateDataKey`` and ``kms:Decrypt``;
  ``ReceiveMessage`` needs ``kms:Decrypt``. ``*Batch`` operations are authorised as the single
  action (``DeleteMessageBatch`` -> ``sqs:DeleteMessage``).
- ``sts:GetCallerIdentity`` needs no permission.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from intake_local.calls import AwsCall
from intake_local.template import ACCOUNT_ID


@dataclass(frozen=True)
class Need:
    """One action on one resource, with the condition keys the request carries."""

    action: str
    resource: str
    context: dict[str, str | list[str]] = field(default_factory=dict, hash=False)


class Unknown(Exception):
    """An operation the table has no row for: add it (with its source) before it ships."""


def table_arn(region: str, name: str) -> str:
    return f"arn:aws:dynamodb:{region}:{ACCOUNT_ID}:table/{name}"


def queue_arn(region: str, url: str) -> str:
    account, name = urlparse(url).path.strip("/").split("/")[-2:]
    return f"arn:aws:sqs:{region}:{account}:{name}"


def _dynamodb(action: str) -> Callable[[AwsCall, Keys], list[Need]]:
    def needs(call: AwsCall, keys: Keys) -> list[Need]:
        table = table_arn(call.region, call.params["TableName"])
        index = call.params.get("IndexName")
        resource = f"{table}/index/{index}" if index else table
        return [Need(f"dynamodb:{action}", resource, _fine_grained(call, keys))]

    return needs


def _fine_grained(call: AwsCall, keys: Keys) -> dict[str, str | list[str]]:
    """DynamoDB's fine-grained access condition keys: the partition key value of the item
    (``dynamodb:LeadingKeys``), and for reads the attributes asked for and ``dynamodb:Select``."""
    context: dict[str, str | list[str]] = {}
    key = call.params.get("Key")
    if key:
        hash_key = keys.hash_key(call.params["TableName"])
        if hash_key in key:
            context["dynamodb:LeadingKeys"] = [str(key[hash_key])]
    if call.operation in {"GetItem", "Query", "Scan", "BatchGetItem"}:
        if "Attributes" in call.params:
            context["dynamodb:Attributes"] = list(call.params["Attributes"])
            context["dynamodb:Select"] = call.params.get("Select", "SPECIFIC_ATTRIBUTES")
        else:
            context["dynamodb:Select"] = call.params.get("Select", "ALL_ATTRIBUTES")
    return context


def _batch_get(call: AwsCall, keys: Keys) -> list[Need]:
    return [
        Need("dynamodb:BatchGetItem", table_arn(call.region, name))
        for name in call.params["RequestItems"]
    ]


def _transact_write(call: AwsCall, keys: Keys) -> list[Need]:
    kinds = {
        "Put": "dynamodb:PutItem",
        "Update": "dynamodb:UpdateItem",
        "Delete": "dynamodb:DeleteItem",
        "ConditionCheck": "dynamodb:ConditionCheckItem",
    }
    return [
        Need(kinds[item["kind"]], table_arn(call.region, item["TableName"]))
        for item in call.params["TransactItems"]
    ]


def _sns_publish(call: AwsCall, keys: Keys) -> list[Need]:
    if call.params.get("PhoneNumber"):
        return [Need("sns:Publish", "*")]
    topic = call.params.get("TopicArn") or call.params["TargetArn"]
    needs = [Need("sns:Publish", topic)]
    key = keys.topic_key(topic)
    if key:
        needs += [Need("kms:GenerateDataKey", key), Need("kms:Decrypt", key)]
    return needs


def _encrypted(action: str, resource: str, key: str | None, kms: tuple[str, ...]) -> list[Need]:
    """``action`` on ``resource``, and ``kms`` on its key when it has a customer managed one."""
    return [Need(action, resource), *(Need(k, key) for k in kms if key)]


def _sqs(action: str, kms: tuple[str, ...] = ()) -> Callable[[AwsCall, Keys], list[Need]]:
    def needs(call: AwsCall, keys: Keys) -> list[Need]:
        queue = queue_arn(call.region, call.params["QueueUrl"])
        return _encrypted(f"sqs:{action}", queue, keys.queue_key(queue), kms)

    return needs


def _ses_send(call: AwsCall, keys: Keys) -> list[Need]:
    content = call.params["Content"]
    action = "ses:SendRawEmail" if "Raw" in content else "ses:SendEmail"
    sender = call.params["FromEmailAddress"]
    context: dict[str, str | list[str]] = {"ses:FromAddress": sender}
    identity = f"arn:aws:ses:{call.region}:{ACCOUNT_ID}:identity"
    # SES authorises the sender's address identity or its domain identity: grant both.
    needs = [
        Need(action, f"{identity}/{sender}", context),
        Need(action, f"{identity}/{sender.rsplit('@', 1)[-1]}", context),
    ]
    if "ConfigurationSetName" in call.params:
        # Condition keys describe the request: ses:FromAddress applies to this resource too.
        name = call.params["ConfigurationSetName"]
        needs.append(
            Need(
                action,
                f"arn:aws:ses:{call.region}:{ACCOUNT_ID}:configuration-set/{name}",
                context,
            )
        )
    return needs


def _secret(action: str, kms: tuple[str, ...]) -> Callable[[AwsCall, Keys], list[Need]]:
    """A secret's value, encrypted with a customer managed key: Secrets Manager calls KMS on
    the caller's behalf, so the caller needs ``kms`` on that key too.
    https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html"""

    def needs(call: AwsCall, keys: Keys) -> list[Need]:
        arn = call.params["SecretId"]
        return _encrypted(f"secretsmanager:{action}", arn, keys.secret_key(arn), kms)

    return needs


def _distribution(action: str) -> Callable[[AwsCall, Keys], list[Need]]:
    def needs(call: AwsCall, keys: Keys) -> list[Need]:
        arn = f"arn:aws:cloudfront::{ACCOUNT_ID}:distribution/{call.params['Id']}"
        return [Need(f"cloudfront:{action}", arn)]

    return needs


def _web_acl(action: str) -> Callable[[AwsCall, Keys], list[Need]]:
    def needs(call: AwsCall, keys: Keys) -> list[Need]:
        scope = "global" if call.params.get("Scope") == "CLOUDFRONT" else "regional"
        name, acl_id = call.params["Name"], call.params["Id"]
        arn = f"arn:aws:wafv2:{call.region}:{ACCOUNT_ID}:{scope}/webacl/{name}/{acl_id}"
        return [Need(f"wafv2:{action}", arn)]

    return needs


def _describe_stacks(call: AwsCall, keys: Keys) -> list[Need]:
    name = call.params["StackName"]
    arn = f"arn:aws:cloudformation:{call.region}:{ACCOUNT_ID}:stack/{name}/00000000-0000-0000"
    return [Need("cloudformation:DescribeStacks", arn)]


class Keys:
    """Which KMS key encrypts which topic and queue, and each table's partition key (from the
    template)."""

    def __init__(
        self,
        topics: dict[str, str],
        queues: dict[str, str],
        hash_keys: dict[str, str] | None = None,
        secrets: dict[str, str] | None = None,
    ) -> None:
        self._topics = topics
        self._queues = queues
        self._hash_keys = hash_keys or {}
        self._secrets = secrets or {}

    def secret_key(self, secret_arn: str) -> str | None:
        return self._secrets.get(secret_arn)

    def hash_key(self, table_name: str) -> str:
        return self._hash_keys.get(table_name, "")

    def topic_key(self, topic_arn: str) -> str | None:
        return self._topics.get(topic_arn)

    def queue_key(self, queue_arn: str) -> str | None:
        return self._queues.get(queue_arn)


ACTIONS: dict[tuple[str, str], Callable[[AwsCall, Keys], list[Need]]] = {
    ("dynamodb", "GetItem"): _dynamodb("GetItem"),
    ("dynamodb", "PutItem"): _dynamodb("PutItem"),
    ("dynamodb", "UpdateItem"): _dynamodb("UpdateItem"),
    ("dynamodb", "DeleteItem"): _dynamodb("DeleteItem"),
    ("dynamodb", "Query"): _dynamodb("Query"),
    ("dynamodb", "Scan"): _dynamodb("Scan"),
    ("dynamodb", "BatchGetItem"): _batch_get,
    ("dynamodb", "TransactWriteItems"): _transact_write,
    ("sns", "Publish"): _sns_publish,
    ("sns", "CheckIfPhoneNumberIsOptedOut"): lambda call, keys: [
        Need("sns:CheckIfPhoneNumberIsOptedOut", "*")
    ],
    ("sqs", "SendMessage"): _sqs("SendMessage", ("kms:GenerateDataKey", "kms:Decrypt")),
    ("sqs", "ReceiveMessage"): _sqs("ReceiveMessage", ("kms:Decrypt",)),
    ("sqs", "DeleteMessage"): _sqs("DeleteMessage"),
    ("sqs", "DeleteMessageBatch"): _sqs("DeleteMessage"),
    ("sqs", "ChangeMessageVisibility"): _sqs("ChangeMessageVisibility"),
    ("sqs", "ChangeMessageVisibilityBatch"): _sqs("ChangeMessageVisibility"),
    ("sqs", "GetQueueAttributes"): _sqs("GetQueueAttributes"),
    ("sesv2", "SendEmail"): _ses_send,
    ("cloudformation", "DescribeStacks"): _describe_stacks,
    ("secretsmanager", "GetSecretValue"): _secret("GetSecretValue", ("kms:Decrypt",)),
    ("secretsmanager", "PutSecretValue"): _secret(
        "PutSecretValue", ("kms:GenerateDataKey", "kms:Decrypt")
    ),
    ("secretsmanager", "UpdateSecretVersionStage"): _secret("UpdateSecretVersionStage", ()),
    ("cloudfront", "GetDistributionConfig"): _distribution("GetDistributionConfig"),
    ("cloudfront", "GetDistribution"): _distribution("GetDistribution"),
    ("cloudfront", "UpdateDistribution"): _distribution("UpdateDistribution"),
    ("wafv2", "GetWebACL"): _web_acl("GetWebACL"),
    ("wafv2", "UpdateWebACL"): _web_acl("UpdateWebACL"),
    ("sts", "GetCallerIdentity"): lambda call, keys: [],  # needs no permission
}


def needs(call: AwsCall, keys: Keys) -> list[Need]:
    rule = ACTIONS.get((call.service, call.operation))
    if rule is None:
        raise Unknown(f"{call.service}:{call.operation}")
    return rule(call, keys)


def context_of(call: AwsCall) -> dict[str, Any]:
    """Condition keys every request carries (beyond those a row adds)."""
    return {"aws:RequestedRegion": call.region}
