"""template.yaml, transformed offline by aws-sam-translator, holds what production needs."""

from __future__ import annotations

from typing import Any

import pytest
from samtranslator.translator.transform import transform

from intake_local.template import load_template


class _NoManagedPolicies:
    """The translator asks for AWS managed policy ARNs only when a function names one."""

    def load(self) -> dict[str, str]:
        return {}


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    template = load_template()
    # As after `sam package`: code lives in S3.
    template["Globals"]["Function"]["CodeUri"] = "s3://artifacts/functions.zip"
    transformed = transform(template, {}, _NoManagedPolicies())  # type: ignore[arg-type]
    result: dict[str, Any] = transformed["Resources"]
    return result


def _of_type(resources: dict[str, Any], kind: str) -> dict[str, Any]:
    return {name: r for name, r in resources.items() if r["Type"] == kind}


def test_every_role_statement_is_scoped(resources: dict[str, Any]) -> None:
    roles = _of_type(resources, "AWS::IAM::Role")
    assert len(roles) >= 3
    for name, role in roles.items():
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                actions = statement["Action"]
                actions = [actions] if isinstance(actions, str) else actions
                assert all("*" not in action for action in actions), (name, actions)
                if statement["Resource"] == "*":
                    # Only SMS to phone numbers, which has no resource ARN in AWS.
                    assert set(actions) <= {"sns:Publish", "sns:CheckIfPhoneNumberIsOptedOut"}


def test_functions_run_python313_on_arm64_with_tracing(resources: dict[str, Any]) -> None:
    functions = _of_type(resources, "AWS::Lambda::Function")
    assert len(functions) == 3
    for function in functions.values():
        properties = function["Properties"]
        assert properties["Runtime"] == "python3.13"
        assert properties["Architectures"] == ["arm64"]
        assert properties["TracingConfig"] == {"Mode": "Active"}
        assert "LogGroup" in properties["LoggingConfig"]
        assert properties["ReservedConcurrentExecutions"]


def test_audit_table_is_retained_encrypted_and_recoverable(resources: dict[str, Any]) -> None:
    table = resources["AuditTable"]
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
    assert table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
    assert table["Properties"]["SSESpecification"]["KMSMasterKeyId"] == {"Ref": "DataKey"}


def test_table_is_retained_encrypted_recoverable_with_ttl(resources: dict[str, Any]) -> None:
    table = resources["RequestsTable"]
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert properties["SSESpecification"]["SSEType"] == "KMS"
    assert properties["SSESpecification"]["KMSMasterKeyId"] == {"Ref": "DataKey"}
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_every_topic_and_queue_is_encrypted(resources: dict[str, Any]) -> None:
    for kind in ("AWS::SNS::Topic", "AWS::SQS::Queue"):
        found = _of_type(resources, kind)
        assert found
        for resource in found.values():
            assert resource["Properties"]["KmsMasterKeyId"] == {"Ref": "DataKey"}


def test_every_queue_that_can_fill_has_an_alarm(resources: dict[str, Any]) -> None:
    alarmed = {
        alarm["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for alarm in _of_type(resources, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"]["Namespace"] == "AWS/SQS"
    }
    assert alarmed == set(_of_type(resources, "AWS::SQS::Queue"))


def test_alert_queue_feeds_notify_staff_with_partial_batch_responses(
    resources: dict[str, Any],
) -> None:
    mappings = _of_type(resources, "AWS::Lambda::EventSourceMapping")
    (mapping,) = mappings.values()
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = resources["AlertQueue"]["Properties"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5


def test_api_stage_is_throttled(resources: dict[str, Any]) -> None:
    (stage,) = _of_type(resources, "AWS::ApiGateway::Stage").values()
    (setting,) = stage["Properties"]["MethodSettings"]
    assert setting["ThrottlingRateLimit"] == {"Ref": "ApiRateLimit"}
    assert setting["ThrottlingBurstLimit"] == {"Ref": "ApiBurstLimit"}


def test_cloudfront_uses_oac_the_headers_policy_and_routes_api(resources: dict[str, Any]) -> None:
    config = resources["SiteDistribution"]["Properties"]["DistributionConfig"]
    site = next(o for o in config["Origins"] if o["Id"] == "site")
    assert site["OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    (api,) = config["CacheBehaviors"]
    assert api["PathPattern"] == "/api/*"
    assert api["TargetOriginId"] == "api"
    headers = resources["SiteHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    csp = headers["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    bucket = resources["SiteBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"


def test_api_routes_are_explicit(resources: dict[str, Any]) -> None:
    template = load_template()
    from intake_local.template import api_routes

    assert [(r.method, r.path) for r in api_routes(template)] == [("ANY", "/appointments")]
    assert not any("{proxy+}" in str(r) for r in _of_type(resources, "AWS::ApiGateway::Resource"))
