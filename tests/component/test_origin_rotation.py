"""``intake origin rotate`` against the functions themselves: at every step of a rotation, the
value CloudFront sends is one the API accepts; at the end, only the new one passes, in the
function and in the WAF (infra/intake_cli/origin_commands.py, runtime/origin.py)."""

from __future__ import annotations

import dataclasses
from typing import Any

import boto3
import pytest

from intake_cli import origin_commands
from intake_cli.target import Target
from intake_local.distribution import LocalDistribution
from intake_local.template import LocalStack
from tests.support import iam
from tests.support import stack as test_stack
from tests.support.data import valid_fields
from tests.support.handlers import Invoke

REGION = test_stack.REGION


def _forget() -> None:
    """Every environment's cached read expires (what the rotation's wait stands for)."""
    from staff_api import handler as staff_handler
    from submit_request import handler as submit_handler

    for module in (submit_handler, staff_handler):
        module.origin.forget()


def _web_acl(value: str) -> str:
    """The template's web ACL, its origin rule holding ``value`` (as CloudFormation resolves it)."""
    rule = {
        "Name": origin_commands.ORIGIN_RULE,
        "Priority": 0,
        "Action": {"Block": {}},
        "Statement": origin_commands._waf_statement([value]),
        "VisibilityConfig": {
            "CloudWatchMetricsEnabled": True,
            "MetricName": "through-cloudfront",
            "SampledRequestsEnabled": False,
        },
    }
    created = boto3.client("wafv2", region_name=REGION).create_web_acl(
        Name=f"{test_stack.STACK}-api",  # as the template names it
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        Rules=[rule],
        VisibilityConfig={
            "CloudWatchMetricsEnabled": True,
            "MetricName": "intake-api",
            "SampledRequestsEnabled": False,
        },
    )
    arn: str = created["Summary"]["ARN"]
    return arn


def _waf_accepts(arn: str) -> list[str]:
    waf = boto3.client("wafv2", region_name=REGION)
    name, acl_id = arn.split("/")[-2:]
    acl = waf.get_web_acl(Name=name, Scope="REGIONAL", Id=acl_id)["WebACL"]
    (rule,) = [r for r in acl["Rules"] if r["Name"] == origin_commands.ORIGIN_RULE]
    inner = rule["Statement"]["NotStatement"]["Statement"]
    matches = inner["OrStatement"]["Statements"] if "OrStatement" in inner else [inner]
    return sorted(m["ByteMatchStatement"]["SearchString"].decode() for m in matches)


def _secret(aws: LocalStack, stage: str) -> str | None:
    client = boto3.client("secretsmanager", region_name=REGION)
    try:
        value: str = client.get_secret_value(
            SecretId=aws.physical["OriginVerifySecret"], VersionStage=stage
        )["SecretString"]
    except client.exceptions.ResourceNotFoundException:
        return None
    return value


@pytest.fixture
def rotation(aws: LocalStack) -> tuple[Target, LocalDistribution, str]:
    distribution = LocalDistribution(aws, boto3.client("cloudfront", region_name=REGION))
    old = _secret(aws, "AWSCURRENT")
    assert old
    acl = _web_acl(old)
    outputs = {
        "OriginSecretArn": aws.physical["OriginVerifySecret"],
        "DistributionId": distribution.id,
        "WebAclArn": acl,
    }
    _forget()
    # The IAM check evaluates the command's calls against this stack (its distribution's id).
    iam.TEST_STACKS.append(
        dataclasses.replace(aws, physical=dict(aws.physical), attributes=dict(aws.attributes))
    )
    # The command's own user agent: the IAM check (tests/iam) holds its calls to OpsToolsPolicy.
    where = Target(
        session=boto3.Session(region_name=REGION),
        outputs=outputs,
        agent="clinic-intake/intake-origin-rotate",
    )
    return where, distribution, old


def _status(invoke: Invoke, value: str) -> int:
    response = invoke(valid_fields(), headers={"X-Origin-Verify": value}, through_cloudfront=False)
    status: int = response["statusCode"]
    return status


def test_every_step_of_a_rotation_accepts_what_cloudfront_sends_and_the_end_only_the_new(
    invoke: Invoke, aws: LocalStack, rotation: tuple[Target, LocalDistribution, str]
) -> None:
    where, distribution, old = rotation
    seen: list[dict[str, Any]] = []

    def checkpoint(seconds: float) -> None:
        # Each wait of the rotation: what CloudFront sends, what the API and the WAF accept.
        _forget()
        distribution.propagation = 0
        new = _secret(aws, "AWSCURRENT")
        seen.append(
            {
                "waited": seconds,
                "cloudfront": "old" if distribution.origin_header() == old else "new",
                "old": _status(invoke, old),
                "new": _status(invoke, str(new)),
                "waf": _waf_accepts(where.outputs["WebAclArn"]) == sorted([old, str(new)]),
            }
        )

    lines: list[str] = []
    origin_commands.rotate(where, settle=7, say=lines.append, sleep=checkpoint)

    assert seen == [
        # Stored; the functions and the WAF accept both; CloudFront still sends the old one.
        {"waited": 7, "cloudfront": "old", "old": 201, "new": 201, "waf": True},
        # CloudFront switched; the old value still passes (requests on their way).
        {"waited": 7, "cloudfront": "new", "old": 201, "new": 201, "waf": True},
    ]
    new = _secret(aws, "AWSCURRENT")
    assert new
    assert new != old
    assert len(new) == 48
    assert new.isalnum()
    # The end: the previous value is retired everywhere.
    assert _secret(aws, "AWSPREVIOUS") is None
    assert _waf_accepts(where.outputs["WebAclArn"]) == [new]
    _forget()
    assert _status(invoke, old) == 403
    assert _status(invoke, new) == 201
    assert distribution.origin_header() == new
    assert [line[:3] for line in lines if line[1] == "/"] == ["1/4", "2/4", "3/4", "4/4"]


def test_an_interrupted_rotation_is_finished_not_started_again(
    invoke: Invoke, aws: LocalStack, rotation: tuple[Target, LocalDistribution, str]
) -> None:
    where, distribution, old = rotation
    # Stopped after step 1: a new value stored, CloudFront still sending the old one.
    secrets = boto3.client("secretsmanager", region_name=REGION)
    secrets.put_secret_value(SecretId=where.outputs["OriginSecretArn"], SecretString="N" * 48)

    lines: list[str] = []
    origin_commands.rotate(where, settle=0, say=lines.append, sleep=lambda _: None)

    assert "finishing it" in lines[0]
    assert _secret(aws, "AWSCURRENT") == "N" * 48  # not a third value
    assert _secret(aws, "AWSPREVIOUS") is None
    distribution.propagation = 0
    assert distribution.origin_header() == "N" * 48
    _forget()
    assert _status(invoke, old) == 403


def test_cloudfront_sending_an_unknown_value_stops_the_rotation_before_any_change(
    aws: LocalStack, rotation: tuple[Target, LocalDistribution, str]
) -> None:
    where, _, old = rotation
    origin_commands.switch_cloudfront(where, "Z" * 48, lambda: None)

    with pytest.raises(origin_commands.RotationError, match="Redeploy the stack"):
        origin_commands.rotate(where, settle=0, sleep=lambda _: None)

    assert _secret(aws, "AWSCURRENT") == old
    assert _secret(aws, "AWSPREVIOUS") is None
