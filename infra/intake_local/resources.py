"""Build the template's data resources on a local AWS: queues, topics, tables, subscriptions.

moto answers SNS, SQS and SES; DynamoDB is moto or dynalite, whichever ``client("dynamodb")``
reaches. Names are ``<stack>-<LogicalId>``, so a test can tell which stack a resource is from.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from .template import ACCOUNT_ID, LocalStack

ClientFactory = Callable[[str], Any]


def create_data_resources(
    stack: LocalStack,
    client: ClientFactory,
    site_domain: str = "d111111abcdef8.cloudfront.net",
    *,
    tables: bool = True,
) -> LocalStack:
    """Create the queues (DLQ first), topics, tables and SQS subscriptions of the template.

    ``site_domain`` stands for the distribution's domain (the local stack's own address). With
    ``tables`` false, the tables are only named (they exist already: the tests reuse them).
    """
    stack.attributes[("SiteDistribution", "DomainName")] = site_domain
    _create_secrets(stack, client("secretsmanager"))
    _create_queues(stack, client("sqs"))
    _create_topics(stack, client("sns"))
    _create_configuration_sets(stack, client("sesv2"))
    if tables:
        create_tables(stack, client("dynamodb"))
    else:
        register_tables(stack)
    _subscribe(stack, client("sns"))
    _create_user_pools(stack, client("cognito-idp"))
    return stack


def _create_queues(stack: LocalStack, sqs: Any) -> None:
    queues = stack.resource_of_type("AWS::SQS::Queue")
    # Queues without a redrive policy first: others point at them.
    queues.sort(key=lambda name: "RedrivePolicy" in stack.resources[name].get("Properties", {}))
    for name in queues:
        properties = stack.resources[name].get("Properties", {})
        queue_name = f"{stack.stack_name}-{name}"
        attributes = {
            key: str(properties[key])
            for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds")
            if key in properties
        }
        if "RedrivePolicy" in properties:
            attributes["RedrivePolicy"] = json.dumps(stack.resolve(properties["RedrivePolicy"]))
        url = sqs.create_queue(QueueName=queue_name, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        stack.physical[name] = url
        stack.attributes[(name, "Arn")] = arn
        stack.attributes[(name, "QueueName")] = queue_name


def _create_topics(stack: LocalStack, sns: Any) -> None:
    for name in stack.resource_of_type("AWS::SNS::Topic"):
        arn = sns.create_topic(Name=f"{stack.stack_name}-{name}")["TopicArn"]
        stack.physical[name] = arn
        stack.attributes[(name, "TopicArn")] = arn
        stack.attributes[(name, "TopicName")] = f"{stack.stack_name}-{name}"


def _create_secrets(stack: LocalStack, secretsmanager: Any) -> None:
    """Generated secrets, as GenerateSecretString would make them (letters and digits)."""
    for name in stack.resource_of_type("AWS::SecretsManager::Secret"):
        value = secrets.token_urlsafe(36).replace("-", "").replace("_", "")
        physical = f"{stack.stack_name}-{name}"
        # The ARN's last six characters are random in AWS; here they follow from the name
        # (moto's `_custom_id_` tag), so that a stack built again has the same ARN, as the
        # functions' environment (planned once per test session) names it.
        suffix = "".join(chr(97 + b % 26) for b in hashlib.sha256(physical.encode()).digest()[:6])
        arn = secretsmanager.create_secret(
            Name=physical, SecretString=value, Tags=[{"Key": "_custom_id_", "Value": suffix}]
        )["ARN"]
        stack.physical[name] = arn
        stack.secrets[arn] = value


def _create_configuration_sets(stack: LocalStack, ses: Any) -> None:
    for name in stack.resource_of_type("AWS::SES::ConfigurationSet"):
        properties = stack.resources[name].get("Properties", {})
        physical = f"{stack.stack_name}-{name}"
        ses.create_configuration_set(
            ConfigurationSetName=physical,
            DeliveryOptions=properties.get("DeliveryOptions", {}),
        )
        stack.physical[name] = physical


def table_name(stack: LocalStack, logical_id: str) -> str:
    return f"{stack.stack_name}-{logical_id}"


def register_tables(stack: LocalStack) -> None:
    """The template's tables' names and ARNs on this stack, without creating them."""
    for name in stack.resource_of_type("AWS::DynamoDB::Table"):
        physical = table_name(stack, name)
        stack.physical[name] = physical
        stack.attributes[(name, "Arn")] = (
            f"arn:aws:dynamodb:{stack.region}:{ACCOUNT_ID}:table/{physical}"
        )


def create_tables(stack: LocalStack, ddb: Any) -> None:
    """Create every table of the template with its keys, indexes and (where supported) TTL."""
    for name in stack.resource_of_type("AWS::DynamoDB::Table"):
        # Keys and indexes are plain values; encryption and backups have no local counterpart.
        properties = stack.resources[name]["Properties"]
        physical = table_name(stack, name)
        kwargs: dict[str, Any] = {
            "TableName": physical,
            "AttributeDefinitions": properties["AttributeDefinitions"],
            "KeySchema": properties["KeySchema"],
            "BillingMode": properties.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if properties.get("GlobalSecondaryIndexes"):
            kwargs["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
        ddb.create_table(**kwargs)
        ttl = properties.get("TimeToLiveSpecification")
        if ttl:
            try:
                ddb.update_time_to_live(
                    TableName=physical,
                    TimeToLiveSpecification={
                        "AttributeName": ttl["AttributeName"],
                        "Enabled": bool(ttl["Enabled"]),
                    },
                )
            except ClientError as exc:
                # dynalite has no TTL API; the code treats expired items as gone anyway.
                if exc.response.get("Error", {}).get("Code") != "UnknownOperationException":
                    raise
    register_tables(stack)


def empty_tables(stack: LocalStack, ddb: Any) -> None:
    """Delete every item of the template's tables, keeping the tables and their indexes."""
    for name in stack.resource_of_type("AWS::DynamoDB::Table"):
        keys = [k["AttributeName"] for k in stack.resources[name]["Properties"]["KeySchema"]]
        physical = table_name(stack, name)
        names = {f"#k{i}": key for i, key in enumerate(keys)}
        for page in ddb.get_paginator("scan").paginate(
            TableName=physical,
            ProjectionExpression=", ".join(names),
            ExpressionAttributeNames=names,
            ConsistentRead=True,
        ):
            items = page.get("Items", [])
            for start in range(0, len(items), 25):
                ddb.batch_write_item(
                    RequestItems={
                        physical: [
                            {"DeleteRequest": {"Key": item}} for item in items[start : start + 25]
                        ]
                    }
                )


def delete_tables(stack: LocalStack, ddb: Any) -> None:
    """Delete the template's tables (dynalite keeps them between tests otherwise)."""
    for name in stack.resource_of_type("AWS::DynamoDB::Table"):
        try:
            ddb.delete_table(TableName=table_name(stack, name))
        except ddb.exceptions.ResourceNotFoundException:
            continue


def _create_user_pools(stack: LocalStack, cognito: Any) -> None:
    """The staff user pool with its policies and MFA, its groups and the inbox's client."""
    for name in stack.resource_of_type("AWS::Cognito::UserPool"):
        properties = stack.resources[name]["Properties"]
        pool = cognito.create_user_pool(
            PoolName=f"{stack.stack_name}-{name}",
            Policies=properties.get("Policies", {}),
            MfaConfiguration=properties.get("MfaConfiguration", "OFF"),
            UsernameAttributes=properties.get("UsernameAttributes", []),
            AutoVerifiedAttributes=properties.get("AutoVerifiedAttributes", []),
            AdminCreateUserConfig=properties.get("AdminCreateUserConfig", {}),
        )["UserPool"]
        if "SOFTWARE_TOKEN_MFA" in properties.get("EnabledMfas", []):
            cognito.set_user_pool_mfa_config(
                UserPoolId=pool["Id"],
                SoftwareTokenMfaConfiguration={"Enabled": True},
                MfaConfiguration=properties.get("MfaConfiguration", "OFF"),
            )
        stack.physical[name] = pool["Id"]
        stack.attributes[(name, "Arn")] = pool["Arn"]
    for name in stack.resource_of_type("AWS::Cognito::UserPoolGroup"):
        properties = stack.resolve(stack.resources[name]["Properties"])
        cognito.create_group(UserPoolId=properties["UserPoolId"], GroupName=properties["GroupName"])
    for name in stack.resource_of_type("AWS::Cognito::UserPoolClient"):
        properties = stack.resources[name]["Properties"]
        client = cognito.create_user_pool_client(
            UserPoolId=stack.resolve(properties["UserPoolId"]),
            ClientName=f"{stack.stack_name}-{name}",
            GenerateSecret=bool(properties.get("GenerateSecret", False)),
            # Locally, the stand-in sign-in page uses the admin flow (cognito.py).
            ExplicitAuthFlows=[
                *properties.get("ExplicitAuthFlows", []),
                "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            ],
        )["UserPoolClient"]
        stack.physical[name] = client["ClientId"]
    for name in stack.resource_of_type("AWS::Cognito::UserPoolDomain"):
        stack.physical[name] = "local"  # the stand-in sign-in is on the local stack's origin


def _subscribe(stack: LocalStack, sns: Any) -> None:
    for name in stack.resource_of_type("AWS::SNS::Subscription"):
        properties = stack.resolve(stack.resources[name]["Properties"])
        if properties["Protocol"] != "sqs":
            continue  # e-mail subscriptions (ops alarms) have no local counterpart
        sns.subscribe(
            TopicArn=properties["TopicArn"],
            Protocol="sqs",
            Endpoint=properties["Endpoint"],
            Attributes={
                "RawMessageDelivery": str(properties.get("RawMessageDelivery", False)).lower()
            },
        )
