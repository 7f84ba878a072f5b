"""Read ``template.yaml`` and resolve its intrinsic functions for a local stack.

``template.yaml`` is the one source of truth: the local stack and the tests take the table's
keys, indexes and TTL, the topics, the queues with their redrive policy, the subscriptions, the
functions' environment, the API routes and the IAM policies from it instead of repeating them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"
ACCOUNT_ID = "123456789012"
# What ``AWS::StackId`` resolves to locally (its last part, a UUID, feeds short names).
STACK_UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that turns CloudFormation short tags (``!Ref``) into their long form."""


def _construct_tag(loader: yaml.Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    # Ref and Condition have no "Fn::" in their long form.
    name = suffix if suffix in {"Ref", "Condition"} else f"Fn::{suffix}"
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
    # Secret ARN -> value, for CloudFormation's dynamic references ({{resolve:secretsmanager}}).
    secrets: dict[str, str] = field(default_factory=dict)

    @property
    def resources(self) -> dict[str, Any]:
        resources: dict[str, Any] = self.template["Resources"]
        return resources

    def parameter(self, name: str) -> str:
        if name in self.parameters:
            return self.parameters[name]
        return str(self.template["Parameters"][name].get("Default", ""))

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self.template.get("Conditions", {})[name]))

    def resolve(self, value: Any) -> Any:
        """Resolve the intrinsic functions the template uses (refs, Sub, Join, If...)."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            handler = _INTRINSICS.get(key)
            if handler is not None:
                return handler(self, argument)
        return {key: self.resolve(item) for key, item in value.items()}

    def _ref(self, name: str) -> Any:
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": (
                f"arn:aws:cloudformation:{self.region}:{ACCOUNT_ID}:stack/"
                f"{self.stack_name}/{STACK_UUID}"
            ),
            "AWS::Partition": _partition(self.region),
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": None,
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
        return str(self._ref(expression))

    def dynamic(self, text: str) -> str:
        """Resolve the Secrets Manager dynamic references CloudFormation would resolve."""

        def value(match: re.Match[str]) -> str:
            arn = match.group(1)
            return self.secrets.get(arn, match.group(0))

        return re.sub(r"\{\{resolve:secretsmanager:(.+?):SecretString\}\}", value, text)

    def function_environment(self, logical_id: str) -> dict[str, str]:
        """The environment the template gives a function (Globals, then its own)."""
        global_env = self.template.get("Globals", {}).get("Function", {}).get("Environment", {})
        own = self.resources[logical_id]["Properties"].get("Environment", {})
        merged = {**global_env.get("Variables", {}), **own.get("Variables", {})}
        resolved = {key: self.resolve(value) for key, value in merged.items()}
        return {key: str(value) for key, value in resolved.items() if value is not None}

    def resource_of_type(self, kind: str) -> list[str]:
        return [name for name, res in self.resources.items() if res["Type"] == kind]


def _sub(stack: LocalStack, argument: Any) -> str:
    if isinstance(argument, list):
        text, variables = argument[0], stack.resolve(argument[1])
    else:
        text, variables = argument, {}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in variables:
            return str(variables[name])
        return stack._sub(name)

    return stack.dynamic(re.sub(r"\$\{([^}!]+)\}", replace, str(text)))


def _if(stack: LocalStack, argument: list[Any]) -> Any:
    name, when_true, when_false = argument
    return stack.resolve(when_true if stack.condition(name) else when_false)


def _partition(region: str) -> str:
    """The AWS partition a region belongs to, as CloudFormation's AWS::Partition gives it."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


_INTRINSICS: dict[str, Any] = {
    "Ref": lambda stack, name: stack._ref(name),
    "Fn::GetAtt": lambda stack, arg: stack.attributes[(arg[0], arg[1])],
    "Fn::Sub": _sub,
    "Fn::Join": lambda stack, arg: str(arg[0]).join(
        str(part) for part in stack.resolve(arg[1]) if part is not None
    ),
    "Fn::Select": lambda stack, arg: stack.resolve(arg[1])[int(stack.resolve(arg[0]))],
    "Fn::Split": lambda stack, arg: str(stack.resolve(arg[1])).split(arg[0]),
    "Fn::If": _if,
    "Fn::Equals": lambda stack, arg: str(stack.resolve(arg[0])) == str(stack.resolve(arg[1])),
    "Fn::Not": lambda stack, arg: not stack.resolve(arg[0]),
    "Fn::And": lambda stack, arg: all(stack.resolve(item) for item in arg),
    "Fn::Or": lambda stack, arg: any(stack.resolve(item) for item in arg),
    # A rule function (the Rules section): whether a value is one of a list.
    "Fn::Contains": lambda stack, arg: stack.resolve(arg[1]) in stack.resolve(arg[0]),
    "Condition": lambda stack, name: stack.condition(name),
}


@dataclass(frozen=True)
class Route:
    """An API route the template declares, and the function that serves it."""

    method: str
    path: str
    function: str
    authorizer: str | None = None


def api_routes(template: dict[str, Any]) -> list[Route]:
    """The API routes the template declares: (method, path) -> function."""
    routes = []
    for name, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event in resource["Properties"].get("Events", {}).values():
            if event["Type"] == "Api":
                properties = event["Properties"]
                auth = properties.get("Auth", {}).get("Authorizer")
                routes.append(
                    Route(
                        method=properties["Method"].upper(),
                        path=properties["Path"],
                        function=name,
                        authorizer=None if auth in (None, "NONE") else auth,
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
