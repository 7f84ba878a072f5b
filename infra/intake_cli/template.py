"""Read ``template.yaml`` and build its data resources on a local AWS (moto).

``template.yaml`` is the one source of truth: the local stack and the tests take the table's
keys, indexes and TTL, the topic, the queues with their redrive policy, the subscription, the
functions' environment and the API routes from it, instead of repeating them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"
ACCOUNT_ID = "123456789012"


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that turns CloudFormation short tags (``!Ref``) into their long form."""


def _construct_tag(loader: yaml.Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # pragma: no cover - YAML has no other node kinds
        raise TypeError(type(node).__name__)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.load(handle, Loader=_CfnLoader)  # noqa: S506  # nosec B506
    return loaded


@dataclass
class LocalStack:
    """Physical names of the resources built from the template, and how to resolve refs."""

    template: dict[str, Any]
    stack_name: str
    region: str
    parameters: dict[str, str] = field(default_factory=dict)
    physical: dict[str, str] = field(default_factory=dict)
    attributes: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def resources(self) -> dict[str, Any]:
        resources: dict[str, Any] = self.template["Resources"]
        return resources

    def parameter(self, name: str) -> str:
        if name in self.parameters:
            return self.parameters[name]
        return str(self.template["Parameters"][name].get("Default", ""))

    def resolve(self, value: Any) -> Any:
        """Resolve the intrinsic functions the data resources and environments use."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if "Ref" in value:
            return self._ref(value["Ref"])
        if "Fn::GetAtt" in value:
            logical, attribute = value["Fn::GetAtt"]
            return self.attributes[(logical, attribute)]
        if "Fn::Sub" in value:
            return re.sub(r"\$\{([^}]+)\}", lambda m: self._sub(m.group(1)), value["Fn::Sub"])
        return {key: self.resolve(item) for key, item in value.items()}

    def _ref(self, name: str) -> str:
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": self.stack_name,
            "AWS::Partition": "aws",
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.template.get("Parameters", {}):
            return self.parameter(name)
        return self.physical[name]

    def _sub(self, expression: str) -> str:
        if "." in expression and not expression.startswith("AWS::"):
            logical, attribute = expression.split(".", 1)
            return self.attributes[(logical, attribute)]
        return self._ref(expression)

    def function_environment(self, logical_id: str) -> dict[str, str]:
        """The environment the template gives a function (Globals, then its own)."""
        global_env = self.template.get("Globals", {}).get("Function", {}).get("Environment", {})
        own = self.resources[logical_id]["Properties"].get("Environment", {})
        merged = {**global_env.get("Variables", {}), **own.get("Variables", {})}
        return {key: str(self.resolve(value)) for key, value in merged.items()}

    def resource_of_type(self, kind: str) -> list[str]:
        return [name for name, res in self.resources.items() if res["Type"] == kind]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str
    handler: str


def api_routes(template: dict[str, Any]) -> list[Route]:
    """The API routes the template declares: (method, path) -> function and its handler."""
    routes = []
    for name, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        properties = resource["Properties"]
        for event in properties.get("Events", {}).values():
            if event["Type"] == "Api":
                routes.append(
                    Route(
                        method=event["Properties"]["Method"].upper(),
                        path=event["Properties"]["Path"],
                        function=name,
                        handler=properties["Handler"],
                    )
                )
    return routes


def sqs_event_source(template: dict[str, Any], function: str) -> dict[str, Any]:
    """The SQS event source of a function: queue logical id, batch size, response types."""
    events = template["Resources"][function]["Properties"].get("Events", {})
    for event in events.values():
        if event["Type"] == "SQS":
            properties = dict(event["Properties"])
            properties["QueueLogicalId"] = properties["Queue"]["Fn::GetAtt"][0]
            return properties
    raise KeyError(f"{function} has no SQS event source")


def create_data_resources(stack: LocalStack, session: Any) -> LocalStack:
    """Create the table, topics, queues and subscriptions of the template.

    ``session`` is a boto3 session (or module) pointed at the local AWS. Resources are created
    in dependency order: queues (DLQ first), topics, table, subscriptions.
    """
    ddb = session.client("dynamodb", region_name=stack.region)
    sns = session.client("sns", region_name=stack.region)
    sqs = session.client("sqs", region_name=stack.region)
    resources = stack.resources

    queues = stack.resource_of_type("AWS::SQS::Queue")
    # Queues without a redrive policy first: others point at them.
    queues.sort(key=lambda name: "RedrivePolicy" in resources[name].get("Properties", {}))
    for name in queues:
        properties = resources[name].get("Properties", {})
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

    for name in stack.resource_of_type("AWS::SNS::Topic"):
        arn = sns.create_topic(Name=f"{stack.stack_name}-{name}")["TopicArn"]
        stack.physical[name] = arn
        stack.attributes[(name, "TopicArn")] = arn

    for name in stack.resource_of_type("AWS::DynamoDB::Table"):
        properties = resources[name]["Properties"]
        table_name = f"{stack.stack_name}-{name}"
        kwargs: dict[str, Any] = {
            "TableName": table_name,
            "AttributeDefinitions": properties["AttributeDefinitions"],
            "KeySchema": properties["KeySchema"],
            "BillingMode": properties.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if properties.get("GlobalSecondaryIndexes"):
            kwargs["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
        ddb.create_table(**kwargs)
        ttl = properties.get("TimeToLiveSpecification")
        if ttl:
            ddb.update_time_to_live(
                TableName=table_name,
                TimeToLiveSpecification={
                    "AttributeName": ttl["AttributeName"],
                    "Enabled": bool(ttl["Enabled"]),
                },
            )
        stack.physical[name] = table_name
        stack.attributes[(name, "Arn")] = (
            f"arn:aws:dynamodb:{stack.region}:{ACCOUNT_ID}:table/{table_name}"
        )

    for name in stack.resource_of_type("AWS::SNS::Subscription"):
        properties = stack.resolve(resources[name]["Properties"])
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
    return stack
