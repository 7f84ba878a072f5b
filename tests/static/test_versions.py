"""A deploy that changes only a parameter publishes a new version of every function whose
configuration holds it, so that the live alias serves the new value.

SAM names the Version from the function's properties before parameter values are filled in
(aws/serverless-application-model#3820): transformed under two values of a parameter, the
Version keeps its name. The template's ConfigDigest (a digest of those parameters, by the
config_digest function) is in each published function's VersionDescription: a changed
parameter changes the Version's description, and CloudFormation replaces the Version."""

from __future__ import annotations

import copy
import re
from functools import cache
from typing import Any

import pytest

from config_digest.handler import digest
from intake_local.template import LocalStack, load_template

TEMPLATE = load_template()
PUBLISHED = [
    name
    for name, resource in TEMPLATE["Resources"].items()
    if resource["Type"] == "AWS::Serverless::Function"
    and resource["Properties"].get("AutoPublishAlias")
]
REQUIRED = {"ClinicPhone": "+14155550100", "StaffEmails": "frontdesk@clinic.example"}


def _parameters_in(value: Any, found: set[str]) -> set[str]:
    """Every template parameter a value refers to (Ref, ${...} in Sub, through conditions)."""
    parameters, conditions = TEMPLATE["Parameters"], TEMPLATE.get("Conditions", {})
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and inner in parameters:
                found.add(inner)
            elif key == "Fn::Sub":
                text = inner if isinstance(inner, str) else inner[0]
                found |= {n for n in re.findall(r"\$\{([^}!.]+)\}", text) if n in parameters}
                if not isinstance(inner, str):
                    _parameters_in(inner[1], found)
            elif key == "Fn::If":
                _parameters_in(conditions[inner[0]], found)
                _parameters_in(inner[1:], found)
            elif key == "Condition" and isinstance(inner, str):
                _parameters_in(conditions[inner], found)
            else:
                _parameters_in(inner, found)
    elif isinstance(value, list):
        for inner in value:
            _parameters_in(inner, found)
    return found


def configuration_parameters() -> set[str]:
    """The parameters that reach a published function's configuration: its environment
    (Globals' too), memory, time-out, SnapStart, concurrency; not its events or its role."""
    found = _parameters_in(TEMPLATE["Globals"]["Function"], set())
    for name in PUBLISHED:
        properties = TEMPLATE["Resources"][name]["Properties"]
        kept = {k: v for k, v in properties.items() if k not in {"Events", "Policies"}}
        _parameters_in(kept, found)
    return found


def _other_value(name: str) -> str:
    parameter = TEMPLATE["Parameters"][name]
    current = str(parameter.get("Default", REQUIRED.get(name, "")))
    if "AllowedValues" in parameter:
        return next(str(v) for v in parameter["AllowedValues"] if str(v) != current)
    if parameter["Type"] == "Number":
        bound = parameter.get("MaxValue", float(current) + 10)
        return str(
            int(float(current)) + 1 if float(current) + 1 <= bound else parameter["MinValue"]
        )
    if name.endswith("Phone") or name.endswith("Phones"):
        return "+14155550199"
    if "Email" in name:
        return "changed@clinic.example"
    return current + "-changed"


@cache
def _transformed(overrides: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    from samtranslator.translator.transform import transform

    class _NoManagedPolicies:
        def load(self) -> dict[str, str]:
            return {}

    template = copy.deepcopy(TEMPLATE)
    template["Globals"]["Function"]["CodeUri"] = "s3://artifacts/functions.zip"
    parameters = {**REQUIRED, **dict(overrides)}
    result: dict[str, Any] = transform(template, parameters, _NoManagedPolicies())
    return result


def _versions(overrides: tuple[tuple[str, str], ...]) -> dict[str, tuple[str, str]]:
    """Each published function's Version: its name, and its description as CloudFormation
    resolves it on a stack with these parameter values."""
    transformed = _transformed(overrides)
    resources = transformed["Resources"]
    stack = LocalStack(transformed, "clinic-intake", "us-east-1", {**REQUIRED, **dict(overrides)})
    stack.attributes[("ConfigDigest", "Digest")] = digest(
        stack.resolve(resources["ConfigDigest"]["Properties"]["Values"])
    )
    versions = {}
    for name in PUBLISHED:
        (logical,) = [
            key
            for key, resource in resources.items()
            if resource["Type"] == "AWS::Lambda::Version"
            and resource["Properties"]["FunctionName"] == {"Ref": name}
        ]
        description = resources[logical]["Properties"].get("Description")
        versions[name] = (logical, str(stack.resolve(description)))
    return versions


def test_the_digest_takes_every_parameter_that_reaches_a_published_function() -> None:
    values = TEMPLATE["Resources"]["ConfigDigest"]["Properties"]["Values"]
    assert {value["Ref"] for value in values.values()} == configuration_parameters()
    assert set(values) == configuration_parameters()
    assert {"StaffEmails", "StaffPhones", "SenderEmail", "SnapStart"} <= set(values)


@pytest.mark.parametrize("parameter", sorted(configuration_parameters()))
def test_a_parameter_only_deploy_publishes_a_new_version(parameter: str) -> None:
    before = _versions(())
    after = _versions(((parameter, _other_value(parameter)),))

    for function in PUBLISHED:
        name_before, description_before = before[function]
        name_after, description_after = after[function]
        # SAM alone names the Version the same under both values (#3820)...
        assert name_before == name_after
        # ...and the digest in its description makes CloudFormation replace it.
        assert description_before != description_after, (function, parameter)
