"""The IAM check: each AWS call the suite saw a function or an ``intake`` command make, against
what ``template.yaml`` grants that function's role or that command's managed policy.

moto and dynalite answer every call whatever the policy says; AWS does not. The calls are
recorded as they happen (``intake_local.calls``), turned into the IAM actions and resources
they need (``tests/support/iam_actions.py``), and evaluated against the policies of the
template transformed by SAM's own translator, with their intrinsic functions resolved against
the stack the call was made on. A small evaluator covers what the template uses: Allow and
Deny, action and resource wildcards, and the condition operators below.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from intake_local.calls import AwsCall, CallRecorder
from intake_local.template import ACCOUNT_ID, LocalStack, load_template
from tests.support.iam_actions import Keys, Need, context_of, needs

# Every call made in the test process; the local stacks write theirs to files.
RECORDER = CallRecorder()
RECORDINGS: list[Path] = []
# Test stacks whose resources a test created itself, beyond the planned one (a distribution:
# its id is moto's choice), to evaluate the calls that name them.
TEST_STACKS: list[LocalStack] = []
DATA_KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:key/local-data-key"

# Which managed policy of the template each `intake` command runs under (docs/deploy.md).
COMMAND_POLICIES = {
    "intake-requests-list": "StaffToolsPolicy",
    "intake-requests-show": "StaffToolsPolicy",
    "intake-requests-mark": "StaffToolsPolicy",
    "intake-requests-attempt": "StaffToolsPolicy",
    "intake-requests-export": "StaffToolsPolicy",
    "intake-requests-erase": "StaffToolsPolicy",
    "intake-dlq-redrive": "OpsToolsPolicy",
    "intake-alerts-redrive": "OpsToolsPolicy",
    "intake-smoke": "OpsToolsPolicy",
    "intake-origin-rotate": "OpsToolsPolicy",
}


class _NoManagedPolicies:
    """The translator asks for AWS managed policy ARNs only when a function names one."""

    def load(self) -> dict[str, str]:
        return {}


def transform(template: dict[str, Any]) -> dict[str, Any]:
    """The template as CloudFormation receives it after ``sam deploy`` (offline)."""
    from samtranslator.translator.transform import transform as sam_transform

    copy: dict[str, Any] = __import__("copy").deepcopy(template)
    copy["Globals"]["Function"]["CodeUri"] = "s3://artifacts/functions.zip"
    transformed: dict[str, Any] = sam_transform(copy, {}, _NoManagedPolicies())
    return transformed


@cache
def transformed_template() -> dict[str, Any]:
    return transform(load_template())


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...]


class _Resolver(LocalStack):
    """Resolves a policy against a stack; what the stack lacks stays unresolved (matches none)."""

    def _ref(self, name: str) -> Any:
        try:
            return super()._ref(name)
        except KeyError:
            return f"unresolved:{name}"

    def _sub(self, expression: str) -> str:
        try:
            return super()._sub(expression)
        except KeyError:
            return f"unresolved:{expression}"

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"Fn::GetAtt"}:
            logical, attribute = value["Fn::GetAtt"]
            return self.attributes.get((logical, attribute), f"unresolved:{logical}.{attribute}")
        return super().resolve(value)


def resolver(stack: LocalStack, template: dict[str, Any]) -> _Resolver:
    return _Resolver(
        template,
        stack.stack_name,
        stack.region,
        parameters=dict(stack.parameters),
        physical={**stack.physical, "DataKey": "local-data-key"},
        attributes={**stack.attributes, ("DataKey", "Arn"): DATA_KEY_ARN},
    )


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),)


def _statements(document: dict[str, Any], stack: _Resolver) -> list[Statement]:
    result = []
    for raw in document["Statement"]:
        statement = stack.resolve(raw)
        conditions = tuple(
            (operator, key, _as_tuple(values))
            for operator, pairs in (statement.get("Condition") or {}).items()
            for key, values in pairs.items()
        )
        result.append(
            Statement(
                effect=statement["Effect"],
                actions=_as_tuple(statement["Action"]),
                resources=_as_tuple(statement.get("Resource", "*")),
                conditions=conditions,
            )
        )
    return result


def policy_statements(principal: str, stack: LocalStack) -> list[Statement]:
    """The statements that apply to a function (by handler module) or an intake command."""
    transformed = transformed_template()
    resources = transformed["Resources"]
    resolved = resolver(stack, transformed)
    if principal.startswith("intake-"):
        policy = COMMAND_POLICIES.get(principal)
        if policy is None or policy not in resources:
            return []
        return _statements(resources[policy]["Properties"]["PolicyDocument"], resolved)
    function = function_for(principal, resources)
    role = resources.get(f"{function}Role", {}).get("Properties", {})
    statements: list[Statement] = []
    for policy in role.get("Policies", []):
        statements += _statements(policy["PolicyDocument"], resolved)
    return statements


def function_for(module: str, resources: dict[str, Any]) -> str:
    """The template's function whose handler lives in ``module``."""
    for name, resource in resources.items():
        if resource["Type"] == "AWS::Lambda::Function":
            handler = resource["Properties"]["Handler"]
            if handler.rpartition(".")[0] == module:
                return name
    raise KeyError(f"no function of the template has its handler in {module}")


def kms_keys(stack: LocalStack) -> Keys:
    """Which topics and queues the data key encrypts (template), by their ARN on ``stack``."""
    template = load_template()
    resolved = resolver(stack, template)
    topics, queues, hash_keys, secrets = {}, {}, {}, {}
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::DynamoDB::Table" and name in stack.physical:
            schema = resource["Properties"]["KeySchema"]
            hash_keys[stack.physical[name]] = next(
                k["AttributeName"] for k in schema if k["KeyType"] == "HASH"
            )
        properties = resource.get("Properties", {})
        key = properties.get("KmsMasterKeyId") or properties.get("KmsKeyId")
        if not key:
            continue
        key_arn = DATA_KEY_ARN if key == {"Ref": "DataKey"} else str(resolved.resolve(key))
        if resource["Type"] == "AWS::SecretsManager::Secret" and name in stack.physical:
            secrets[stack.physical[name]] = key_arn
        if resource["Type"] == "AWS::SNS::Topic" and name in stack.physical:
            topics[stack.physical[name]] = key_arn
        elif resource["Type"] == "AWS::SQS::Queue" and (name, "Arn") in stack.attributes:
            queues[stack.attributes[(name, "Arn")]] = key_arn
    return Keys(topics, queues, hash_keys, secrets)


def _matches(pattern: str, value: str, *, case: bool) -> bool:
    if not case:
        pattern, value = pattern.lower(), value.lower()
    return fnmatch.fnmatchcase(value, pattern)


def _condition_holds(
    operator: str, key: str, wanted: tuple[str, ...], context: dict[str, Any]
) -> bool:
    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    qualifier, _, operator = operator.rpartition(":")
    present = key in context
    values = _as_tuple(context.get(key))
    if operator == "Null":
        return (not present) == (wanted[0].lower() == "true")
    if not present:
        # ForAllValues over an empty set holds; a missing key fails any other test.
        return if_exists or qualifier == "ForAllValues"
    negated = "Not" in operator
    base = operator.replace("Not", "")
    like = base in {"StringLike", "ArnLike"}
    case = base not in {"StringEqualsIgnoreCase"}

    def one(value: str) -> bool:
        if like:
            return any(_matches(p, value, case=True) for p in wanted)
        if base == "Bool":
            return value.lower() in {w.lower() for w in wanted}
        return any((p == value) if case else (p.lower() == value.lower()) for p in wanted)

    if qualifier == "ForAllValues":
        result = all(one(v) for v in values)
    else:
        result = any(one(v) for v in values)
    return not result if negated else result


def _statement_applies(statement: Statement, need: Need, context: dict[str, Any]) -> bool:
    if not any(_matches(a, need.action, case=False) for a in statement.actions):
        return False
    if not any(_matches(r, need.resource, case=True) for r in statement.resources):
        return False
    return all(
        _condition_holds(operator, key, values, context)
        for operator, key, values in statement.conditions
    )


def allowed(need: Need, statements: Iterable[Statement], context: dict[str, Any]) -> bool:
    """IAM's rule: an explicit Deny wins, then an Allow is needed."""
    full = {**context, **need.context}
    listed = list(statements)
    if any(s.effect == "Deny" and _statement_applies(s, need, full) for s in listed):
        return False
    return any(s.effect == "Allow" and _statement_applies(s, need, full) for s in listed)


# Calls a test makes on purpose where AWS would refuse them, and why that is right.
EXPECTED_DENIALS = {
    # `--stack nope` (a stack that does not exist): the policies name this stack only, so AWS
    # answers AccessDenied, which the command explains.
    ("intake-requests-list", "cloudformation:DescribeStacks", "stack/nope/"),
}


def _names(stack: LocalStack) -> set[str]:
    return {stack.stack_name, *stack.physical.values(), *stack.attributes.values()}


def stack_for(call: AwsCall, stacks: list[LocalStack]) -> LocalStack:
    """The stack whose resources the call names (the first one when it names none)."""
    named = {
        str(value)
        for key, value in call.params.items()
        if key in {"TableName", "QueueUrl", "TopicArn", "TargetArn", "StackName", "SecretId", "Id"}
    }
    for stack in stacks:
        if named & _names(stack):
            return stack
    return stacks[0]


def violations(calls: Iterable[AwsCall], stacks: list[LocalStack]) -> list[str]:
    """Every (principal, action, resource) the calls needed and the template does not grant."""
    problems: set[str] = set()
    # By the stack object: the test stack is built again for each test, under one name.
    statements: dict[tuple[str, int], list[Statement]] = {}
    keys = {id(stack): kms_keys(stack) for stack in stacks}
    for call in calls:
        stack = stack_for(call, stacks)
        cache_key = (call.principal, id(stack))
        if cache_key not in statements:
            statements[cache_key] = policy_statements(call.principal, stack)
        for need in needs(call, keys[id(stack)]):
            if allowed(need, statements[cache_key], context_of(call)):
                continue
            if any(
                call.principal == principal and need.action == action and fragment in need.resource
                for principal, action, fragment in EXPECTED_DENIALS
            ):
                continue
            problems.add(
                f"{call.principal} calls {call.service}:{call.operation}, which needs "
                f"{need.action} on {need.resource} ({need.context or 'no condition keys'}): "
                "not granted"
            )
    return sorted(problems)
