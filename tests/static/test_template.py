"""template.yaml, transformed offline by aws-sam-translator, holds what production needs."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from intake_local.template import STACK_UUID, LocalStack, load_template
from tests.support.iam import transformed_template


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    result: dict[str, Any] = transformed_template()["Resources"]
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
    assert set(functions) == {
        "SubmitRequestFunction",
        "NotifyStaffFunction",
        "RedriveAlertsFunction",
        "StaffApiFunction",
        "ConfigDigestFunction",  # the custom resource that makes parameter changes publish
        "CanaryFunction",  # the daily end-to-end check
    }
    for function in functions.values():
        properties = function["Properties"]
        assert properties["Runtime"] == "python3.13"
        assert properties["Architectures"] == ["arm64"]
        assert properties["TracingConfig"] == {"Mode": "Active"}
        assert "LogGroup" in properties["LoggingConfig"]


def test_reserved_concurrency_is_optional_and_off_by_default(resources: dict[str, Any]) -> None:
    # New accounts have a low concurrency quota: reserving units by default fails the deploy.
    template = load_template()
    assert template["Parameters"]["SubmitConcurrency"]["Default"] == 0
    submit = resources["SubmitRequestFunction"]["Properties"]["ReservedConcurrentExecutions"]
    assert submit["Fn::If"][0] == "ReservesSubmitConcurrency"
    assert submit["Fn::If"][2] == {"Ref": "AWS::NoValue"}
    for name in ("NotifyStaffFunction", "RedriveAlertsFunction"):
        assert "ReservedConcurrentExecutions" not in resources[name]["Properties"]


def test_notify_staff_is_limited_by_its_event_source_not_by_reserved_concurrency(
    resources: dict[str, Any],
) -> None:
    # Throttled SQS batches count as receives and can reach the DLQ unprocessed; the event
    # source mapping's maximum concurrency only polls more slowly.
    (mapping,) = _of_type(resources, "AWS::Lambda::EventSourceMapping").values()
    assert mapping["Properties"]["ScalingConfig"] == {"MaximumConcurrency": 2}
    assert "ReservedConcurrentExecutions" not in resources["NotifyStaffFunction"]["Properties"]


def test_schedules_get_generated_names_so_two_stacks_do_not_collide(
    resources: dict[str, Any],
) -> None:
    schedules = _of_type(resources, "AWS::Scheduler::Schedule")
    # the re-drive, the canary, and one keep-active per SnapStart function
    assert len(schedules) == 5
    for schedule in schedules.values():
        assert "Name" not in schedule["Properties"]


def test_snapstart_functions_publish_a_version_behind_an_alias_that_everything_calls(
    resources: dict[str, Any],
) -> None:
    template = load_template()
    assert template["Parameters"]["SnapStart"]["Default"] == "on"
    for name in ("SubmitRequestFunction", "NotifyStaffFunction", "StaffApiFunction"):
        function = resources[name]["Properties"]
        assert function["Runtime"] == "python3.13"  # SnapStart needs Python 3.12 or later
        assert function["SnapStart"] == {
            "Fn::If": ["UseSnapStart", {"ApplyOn": "PublishedVersions"}, {"ApplyOn": "None"}]
        }
        # Any change (an environment variable too) publishes a new version for the alias
        source = template["Resources"][name]["Properties"]
        assert source["AutoPublishAlias"] == "live"
        assert source["AutoPublishAliasAllProperties"] is True
        assert resources[f"{name}Aliaslive"]["Type"] == "AWS::Lambda::Alias"
        # Never more than 14 days without an invocation: an Inactive version fails requests
        keep = next(
            r
            for r in _of_type(resources, "AWS::Scheduler::Schedule").values()
            if r["Properties"]["Target"]["Arn"] == {"Ref": f"{name}Aliaslive"}
        )
        assert keep["Properties"]["ScheduleExpression"] == "rate(7 days)"
    # API Gateway and the SQS event source call the alias, not $LATEST
    mapping = next(iter(_of_type(resources, "AWS::Lambda::EventSourceMapping").values()))
    assert mapping["Properties"]["FunctionName"] == {"Ref": "NotifyStaffFunctionAliaslive"}
    permissions = _of_type(resources, "AWS::Lambda::Permission")
    submit_targets = {
        str(p["Properties"]["FunctionName"])
        for p in permissions.values()
        if "SubmitRequestFunction" in str(p["Properties"]["FunctionName"])
    }
    assert submit_targets == {str({"Ref": "SubmitRequestFunctionAliaslive"})}


@pytest.mark.parametrize(
    ("region", "allowed"),
    [
        ("us-east-1", True),
        ("eu-west-2", True),
        ("ap-southeast-5", True),  # Asia Pacific (Malaysia)
        ("ap-southeast-6", False),  # Asia Pacific (New Zealand): no SES configuration sets
        ("ap-east-2", False),  # Asia Pacific (Taipei)
        ("mx-central-1", False),  # Mexico (Central)
        ("us-gov-west-1", False),  # GovCloud: no CloudFront
        ("cn-north-1", False),  # China: no Cognito user pools
    ],
)
def test_the_stack_refuses_a_region_without_every_service_it_uses(
    region: str, allowed: bool
) -> None:
    template = load_template()
    (assertion,) = template["Rules"]["SupportedRegion"]["Assertions"]
    assert LocalStack(template, "clinic-intake", region).resolve(assertion["Assert"]) is allowed


def test_every_region_the_rule_allows_has_every_resource_type_of_the_template() -> None:
    # cfn-lint knows, per region, which resource types CloudFormation offers (E3006).
    import subprocess
    import sys
    from pathlib import Path

    template = load_template()
    (assertion,) = template["Rules"]["SupportedRegion"]["Assertions"]
    regions = assertion["Assert"]["Fn::Contains"][0]
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(
        [str(cfn_lint), "template.yaml", "--regions", *regions],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("choice", "snapshots"), [("on", True), ("off", False)])
def test_snapstart_follows_its_parameter_in_every_region_the_stack_deploys_to(
    choice: str, snapshots: bool
) -> None:
    stack = LocalStack(
        load_template(), "clinic-intake", "eu-west-2", parameters={"SnapStart": choice}
    )
    assert stack.condition("UseSnapStart") is snapshots


def test_names_with_a_64_character_limit_fit_a_128_character_stack_name() -> None:
    template = load_template()
    stack = LocalStack(template, "s" * 128, "us-east-1")
    limited = {
        "ApiPathFunction": ["Name"],
        "SiteOriginAccessControl": ["OriginAccessControlConfig", "Name"],
        "SiteHeadersPolicy": ["ResponseHeadersPolicyConfig", "Name"],
    }
    for logical, path in limited.items():
        value: Any = template["Resources"][logical]["Properties"]
        for key in path:
            value = value[key]
        name = stack.resolve(value)
        assert 0 < len(name) <= 64, (logical, name)
        # Unique per stack: a short id taken from the stack's own id.
        assert STACK_UUID[:8] in name


def test_the_first_deploy_sets_the_api_gateway_logging_role_before_the_stage(
    resources: dict[str, Any],
) -> None:
    account = resources["ApiGatewayAccount"]
    assert account["Properties"]["CloudWatchRoleArn"] == {
        "Fn::GetAtt": ["ApiGatewayLoggingRole", "Arn"]
    }
    role = resources["ApiGatewayLoggingRole"]
    assert role["DeletionPolicy"] == "Retain"
    assert any(
        "AmazonAPIGatewayPushToCloudWatchLogs" in str(arn)
        for arn in role["Properties"]["ManagedPolicyArns"]
    )
    (stage,) = _of_type(resources, "AWS::ApiGateway::Stage").values()
    assert "AccessLogSetting" in stage["Properties"]
    # The stage depends on the deployment, which depends on the API, which waits for the role.
    assert "ApiGatewayAccount" in _depends_on(resources["IntakeApi"])


def _depends_on(resource: dict[str, Any]) -> list[str]:
    value = resource.get("DependsOn", [])
    return [value] if isinstance(value, str) else list(value)


def test_rejected_and_undelivered_alerts_raise_alarms(resources: dict[str, Any]) -> None:
    metrics = {
        alarm["Properties"].get("MetricName")
        for alarm in _of_type(resources, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Namespace") == "ClinicIntake"
    }
    assert {"AlertSendFailed", "AlertNotDelivered"} <= metrics


@pytest.mark.parametrize(
    ("emails", "phones", "accepted"),
    [("", "", False), ("a@clinic.example", "", True), ("", "+14155550101", True)],
)
def test_a_configuration_that_alerts_nobody_is_refused(
    emails: str, phones: str, accepted: bool
) -> None:
    template = load_template()
    stack = LocalStack(
        template, "s", "us-east-1", parameters={"StaffEmails": emails, "StaffPhones": phones}
    )
    (assertion,) = template["Rules"]["StaffAreAlerted"]["Assertions"]
    assert bool(stack.resolve(assertion["Assert"])) is accepted


def test_only_a_missing_page_gets_the_sites_error_page_and_no_api_error_is_cached(
    resources: dict[str, Any],
) -> None:
    # Custom error responses apply to /api/* too: an API 403 must reach the page as a 403,
    # with the API's body, and never be served from cache to the next caller (CloudFront caches
    # a GET's 400, 403, 405, 414 and 5xx for 10 s by default, whatever Cache-Control says).
    config = resources["SiteDistribution"]["Properties"]["DistributionConfig"]
    responses = {response["ErrorCode"]: response for response in config["CustomErrorResponses"]}
    assert {code for code, r in responses.items() if "ResponsePagePath" in r} == {404}
    assert responses[404]["ResponseCode"] == 404
    for code in (400, 403, 405, 414, 500, 501, 502, 503, 504):
        assert responses[code] == {"ErrorCode": code, "ErrorCachingMinTTL": 0}, code
    policy = resources["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert any(statement["Action"] == "s3:ListBucket" for statement in policy)


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
    behaviors = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert set(behaviors) == {"/api/*", "/staff/*", "/es/*"}
    api, staff, spanish = behaviors["/api/*"], behaviors["/staff/*"], behaviors["/es/*"]
    # The Spanish pages: the site's origin, cache and headers (the same strict CSP).
    assert spanish["TargetOriginId"] == "site"
    assert spanish["CachePolicyId"] == config["DefaultCacheBehavior"]["CachePolicyId"]
    assert spanish["ResponseHeadersPolicyId"] == {"Ref": "SiteHeadersPolicy"}
    assert spanish["ViewerProtocolPolicy"] == "redirect-to-https"
    assert api["PathPattern"] == "/api/*"
    assert api["TargetOriginId"] == "api"
    # The staff's Authorization header reaches the API only this way: an origin request policy
    # may forward it (AllViewerExceptHostHeader) only when caching is disabled (CachingDisabled).
    assert api["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    assert api["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    assert staff["PathPattern"] == "/staff/*"
    assert staff["TargetOriginId"] == "site"
    assert staff["ResponseHeadersPolicyId"] == {"Ref": "StaffHeadersPolicy"}
    headers = resources["SiteHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    policy = headers["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    condition, with_turnstile, without = policy["Fn::If"]
    assert condition == "TurnstileEnabled"
    for csp in (with_turnstile, without):
        assert "default-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
    # The only third party ever allowed is Cloudflare's check, and only when it is on.
    assert "https://" not in without
    assert set(re.findall(r"https://[^ ;]+", with_turnstile)) == {
        "https://challenges.cloudflare.com"
    }
    bucket = resources["SiteBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"


def test_api_routes_are_explicit(resources: dict[str, Any]) -> None:
    template = load_template()
    from intake_local.template import api_routes

    routes = {(r.method, r.path): r.authorizer for r in api_routes(template)}
    assert routes == {
        ("ANY", "/appointments"): None,
        ("GET", "/staff/me"): "StaffSignIn",
        ("GET", "/staff/requests"): "StaffSignIn",
        ("GET", "/staff/requests/{reference}"): "StaffSignIn",
        ("POST", "/staff/requests/{reference}/status"): "StaffSignIn",
        ("POST", "/staff/requests/{reference}/erase"): "StaffSignIn",
        ("POST", "/staff/requests/{reference}/attempts"): "StaffSignIn",
        ("GET", "/staff/figures"): "StaffSignIn",
        ("GET", "/staff/export"): "StaffSignIn",
    }
    assert not any("{proxy+}" in str(r) for r in _of_type(resources, "AWS::ApiGateway::Resource"))


def test_notify_staff_may_text_phones_but_publish_to_no_topic() -> None:
    from intake_local.calls import AwsCall
    from tests.support import iam, stack
    from tests.support.iam_actions import Keys, needs

    # The policy resolved on a stack that exists nowhere: no name needs to be known for this.
    unplanned = LocalStack(stack.TEMPLATE, stack.STACK, stack.REGION, dict(stack.PARAMETERS))
    statements = iam.policy_statements("notify_staff.handler", unplanned)
    sms = AwsCall("notify_staff.handler", "sns", "Publish", "us-east-1", {"PhoneNumber": True})
    ops_topic = AwsCall(
        "notify_staff.handler",
        "sns",
        "Publish",
        "us-east-1",
        {"TopicArn": "arn:aws:sns:us-east-1:123456789012:intake-test-OpsAlarmTopic"},
    )
    keys = Keys({}, {})
    assert all(iam.allowed(need, statements, {}) for need in needs(sms, keys))
    assert not any(iam.allowed(need, statements, {}) for need in needs(ops_topic, keys))


def test_the_tables_keys_and_indexes_are_the_item_contracts(resources: dict[str, Any]) -> None:
    from intake_common.domain.item import INDEXES, TABLE_KEY

    table = resources["RequestsTable"]["Properties"]
    assert table["KeySchema"] == [{"AttributeName": TABLE_KEY, "KeyType": "HASH"}]
    declared = {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}
    assert set(declared) == {index.value for index in INDEXES}
    for index, keys in INDEXES.items():
        schema = {k["KeyType"]: k["AttributeName"] for k in declared[index.value]["KeySchema"]}
        assert schema.get("HASH") == keys.hash_key
        assert schema.get("RANGE") == keys.range_key
        projection = declared[index.value]["Projection"]
        assert tuple(projection.get("NonKeyAttributes", ())) == keys.projected
        assert projection["ProjectionType"] == ("INCLUDE" if keys.projected else "KEYS_ONLY")


def test_waf_keys_on_an_address_the_client_cannot_write_and_only_cloudfront_gets_through(
    resources: dict[str, Any],
) -> None:
    # On by default: a per-client limit the execute-api URL cannot bypass (issue 22)
    assert load_template()["Parameters"]["EnableWaf"]["Default"] == "true"
    association = resources["ApiWebAclAssociation"]["Properties"]
    assert association["WebACLArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}
    rules = {rule["Name"]: rule for rule in resources["ApiWebAcl"]["Properties"]["Rules"]}
    gate = rules["through-cloudfront-only"]["Statement"]["NotStatement"]["Statement"]
    match = gate["ByteMatchStatement"]
    assert match["FieldToMatch"] == {"SingleHeader": {"Name": "x-origin-verify"}}
    assert "resolve:secretsmanager" in str(match["SearchString"])
    rate = rules["per-ip-rate"]["Statement"]["RateBasedStatement"]
    assert rate["ForwardedIPConfig"]["HeaderName"] == "x-viewer-ip"  # not X-Forwarded-For
    # CloudFront sends the secret to the API origin; the function checks the same value
    config = resources["SiteDistribution"]["Properties"]["DistributionConfig"]
    api = next(o for o in config["Origins"] if o["Id"] == "api")
    (header,) = api["OriginCustomHeaders"]
    assert header["HeaderName"] == "X-Origin-Verify"
    secret = {"Fn::Sub": "{{resolve:secretsmanager:${OriginVerifySecret}:SecretString}}"}
    assert header["HeaderValue"] == secret  # the secret's AWSCURRENT value, at deploy
    # ...and both API functions read that secret at run time (it rotates: runtime/origin.py),
    # with the right to read it and nothing more on it.
    for name in ("SubmitRequestFunction", "StaffApiFunction"):
        variables = resources[name]["Properties"]["Environment"]["Variables"]
        assert variables["ORIGIN_SECRET_ARN"] == {"Ref": "OriginVerifySecret"}
        assert "ORIGIN_VERIFY" not in variables  # no value frozen at deploy
        statements = load_template()["Resources"][name]["Properties"]["Policies"][0]["Statement"]
        reads = [s for s in statements if s["Resource"] == {"Ref": "OriginVerifySecret"}]
        assert [s["Action"] for s in reads] == ["secretsmanager:GetSecretValue"]


def test_cloudfront_function_overwrites_the_headers_the_api_trusts() -> None:
    import json
    import subprocess

    code = load_template()["Resources"]["ApiPathFunction"]["Properties"]["FunctionCode"]
    event = {
        "viewer": {"ip": "198.51.100.7"},
        "request": {
            "uri": "/api/appointments",
            "headers": {
                "host": {"value": "d111111abcdef8.cloudfront.net"},
                "x-viewer-ip": {"value": "6.6.6.6"},  # forged by the viewer
                "x-forwarded-host": {"value": "evil.example"},
            },
        },
    }
    script = code + f"\nconsole.log(JSON.stringify(handler({json.dumps(event)})));"
    result = json.loads(
        subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout
    )
    assert result["uri"] == "/appointments"
    assert result["headers"]["x-viewer-ip"] == {"value": "198.51.100.7"}
    assert result["headers"]["x-forwarded-host"] == {"value": "d111111abcdef8.cloudfront.net"}


def test_api_stage_does_not_trace_client_addresses(resources: dict[str, Any]) -> None:
    # API Gateway's X-Ray segments record the client IP next to a mental-health request
    (stage,) = _of_type(resources, "AWS::ApiGateway::Stage").values()
    assert stage["Properties"].get("TracingEnabled") is False


def test_backups_keep_erased_requests_only_as_long_as_the_privacy_notice_says(
    resources: dict[str, Any],
) -> None:
    recovery = resources["RequestsTable"]["Properties"]["PointInTimeRecoverySpecification"]
    assert recovery["RecoveryPeriodInDays"] == {"Ref": "BackupRetentionDays"}
    assert load_template()["Parameters"]["BackupRetentionDays"]["MaxValue"] <= 35


def test_staff_email_goes_out_over_tls_only(resources: dict[str, Any]) -> None:
    config_set = resources["StaffEmailConfigurationSet"]["Properties"]
    assert config_set["DeliveryOptions"]["TlsPolicy"] == "REQUIRE"
    variables = resources["NotifyStaffFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["SES_CONFIGURATION_SET"] == {"Ref": "StaffEmailConfigurationSet"}


def test_the_alert_budget_has_its_parameters_table_and_alarms(resources: dict[str, Any]) -> None:
    variables = resources["NotifyStaffFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["SMS_ALERTS_PER_WINDOW"] == {"Ref": "SmsAlertsPerHour"}
    assert variables["EMAIL_ALERTS_PER_WINDOW"] == {"Ref": "EmailAlertsPerHour"}
    alarms = {
        alarm["Properties"]["MetricName"]
        for alarm in _of_type(resources, "AWS::CloudWatch::Alarm").values()
    }
    assert {"AlertBudgetExceeded", "RequestAccepted", "SMSMonthToDateSpentUSD"} <= alarms


def test_the_staff_inbox_page_may_talk_only_to_the_site_and_cognitos_login(
    resources: dict[str, Any],
) -> None:
    config = resources["StaffHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    csp = config["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    text = csp["Fn::Sub"]
    assert "script-src 'self';" in text
    assert "unsafe-inline" not in text
    assert "frame-ancestors 'none'" in text
    assert re.findall(r"https://[^\s;]+", text) == [
        "https://${StaffLoginDomain}.auth.${AWS::Region}.amazoncognito.com"
    ]
    custom = {i["Header"]: i["Value"] for i in config["CustomHeadersConfig"]["Items"]}
    assert custom["Cache-Control"] == "no-store"
    assert config["SecurityHeadersConfig"]["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"


def test_staff_sign_in_is_admin_created_mfa_required_and_short_lived(
    resources: dict[str, Any],
) -> None:
    pool = resources["StaffUserPool"]["Properties"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    # Cognito refuses custom email templates unless it sends through SES (DEVELOPER): moto
    # accepts them, CloudFormation would not.
    sending = pool.get("EmailConfiguration", {}).get("EmailSendingAccount", "COGNITO_DEFAULT")
    if sending == "COGNITO_DEFAULT":
        invite = pool["AdminCreateUserConfig"].get("InviteMessageTemplate", {})
        assert not {"EmailMessage", "EmailSubject"} & set(invite)
        assert not {"EmailVerificationMessage", "EmailVerificationSubject"} & set(pool)
        assert "VerificationMessageTemplate" not in pool
    assert pool["MfaConfiguration"] == "ON"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    password = pool["Policies"]["PasswordPolicy"]
    assert password["MinimumLength"] >= 14
    assert all(password[f"Require{kind}"] for kind in ("Lowercase", "Uppercase", "Numbers"))
    assert resources["StaffUserPool"]["DeletionPolicy"] == "Retain"
    client = resources["StaffUserPoolClient"]["Properties"]
    assert client["GenerateSecret"] is False  # a page cannot keep a secret: PKCE instead
    assert client["AllowedOAuthFlows"] == ["code"]
    # The password sign-in managed login offers (SRP, then TOTP), refresh, and nothing else:
    # no plain-password (USER_PASSWORD_AUTH), admin or custom flow a script could use.
    assert client["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["WriteAttributes"] == []  # staff cannot change their own email or name
    assert client["EnableTokenRevocation"] is True
    units = client["TokenValidityUnits"]
    assert (client["IdTokenValidity"], units["IdToken"]) == (15, "minutes")
    assert (client["AccessTokenValidity"], units["AccessToken"]) == (15, "minutes")
    assert (client["RefreshTokenValidity"], units["RefreshToken"]) == (480, "minutes")
    staff_page = {"Fn::Sub": "https://${SiteDistribution.DomainName}/staff/"}
    assert client["CallbackURLs"] == client["LogoutURLs"] == [staff_page]
    groups = {
        r["Properties"]["GroupName"]
        for r in _of_type(resources, "AWS::Cognito::UserPoolGroup").values()
    }
    assert groups == {"staff", "admin"}
    assert load_template()["Parameters"]["AlertDetail"]["Default"] == "minimal"


def test_the_staff_api_role_cannot_scan_or_publish(resources: dict[str, Any]) -> None:
    role = resources["StaffApiFunctionRole"]["Properties"]
    actions = {
        action
        for policy in role.get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
        for action in (
            [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        )
    }
    assert "dynamodb:Scan" not in actions
    assert not {a for a in actions if a.startswith(("sns:", "ses:", "cognito"))}
    assert "dynamodb:PutItem" in actions  # the audit trail, only


def test_the_ops_policy_reads_exactly_the_delivery_attributes(resources: dict[str, Any]) -> None:
    # intake smoke reads its own request's delivery through the adapter; the policy allows
    # those attributes and no submitted field.
    from intake_common.domain.item import DELIVERY_ATTRIBUTES

    statements = resources["OpsToolsPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    read = next(s for s in statements if s["Sid"] == "ReadAlertStatesOnly")
    allowed = read["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"]
    assert tuple(allowed) == DELIVERY_ATTRIBUTES


def test_logs_of_a_failed_first_deploy_survive_its_rollback(resources: dict[str, Any]) -> None:
    # A deploy that fails during init or priming is rolled back, and a rollback deletes what the
    # stack created, the log groups that say why included, unless they are retained.
    groups = _of_type(resources, "AWS::Logs::LogGroup")
    assert len(groups) == 7
    for name, group in groups.items():
        assert group.get("DeletionPolicy") == group.get("UpdateReplacePolicy") == "Retain", name
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_the_sms_spend_alarm_fires_before_a_new_accounts_quota_stops_sending() -> None:
    # SNS's default monthly SMS spending quota is 1.00 USD; SNS stops sending past it.
    parameter = load_template()["Parameters"]["SmsSpendAlarmUsd"]
    assert parameter["Default"] < 1.0
    assert parameter["MinValue"] < parameter["Default"]


def test_the_api_gateway_logging_role_trusts_api_gateway_as_aws_documents_it(
    resources: dict[str, Any],
) -> None:
    (statement,) = resources["ApiGatewayLoggingRole"]["Properties"]["AssumeRolePolicyDocument"][
        "Statement"
    ]
    assert statement == {
        "Effect": "Allow",
        "Principal": {"Service": "apigateway.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }


def test_the_canary_reads_exactly_the_delivery_attributes_and_erases_only_smoke_tests(
    resources: dict[str, Any],
) -> None:
    from intake_common.domain.item import DELIVERY_ATTRIBUTES

    policy = load_template()["Resources"]["CanaryFunction"]["Properties"]["Policies"][0]
    statements = {s["Sid"]: s for s in policy["Statement"]}
    read = statements["ReadAlertStatesOnly"]["Condition"]["ForAllValues:StringEquals"]
    assert tuple(read["dynamodb:Attributes"]) == DELIVERY_ATTRIBUTES
    erase = statements["EraseSmokeTestsOnly"]["Condition"]["ForAllValues:StringLike"]
    assert erase["dynamodb:LeadingKeys"] == ["00000000-0000-4000-8000-*"]
    assert {a for s in statements.values() for a in _as_list(s["Action"])} == {
        "dynamodb:GetItem",
        "dynamodb:DeleteItem",
        "dynamodb:PutItem",
        "kms:Decrypt",
        "kms:GenerateDataKey",
    }


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_the_canary_runs_daily_and_after_every_completed_deploy_and_a_silent_day_alarms(
    resources: dict[str, Any],
) -> None:
    events = load_template()["Resources"]["CanaryFunction"]["Properties"]["Events"]
    assert events["Daily"]["Properties"]["ScheduleExpression"] == "rate(1 day)"
    pattern = events["AfterDeploy"]["Properties"]["Pattern"]
    assert pattern["source"] == ["aws.cloudformation"]
    assert pattern["detail-type"] == ["CloudFormation Stack Status Change"]
    assert pattern["detail"]["stack-id"] == [{"Ref": "AWS::StackId"}]
    assert pattern["detail"]["status-details"]["status"] == ["CREATE_COMPLETE", "UPDATE_COMPLETE"]
    # A failed check alarms at once; no pass within a day and its slack alarms too, missing
    # data counting as a failure (the schedule or the function stopped).
    failed = resources["CanaryFailedAlarm"]["Properties"]
    assert (failed["MetricName"], failed["Threshold"]) == ("CanaryFailed", 0)
    missing = resources["CanaryMissingAlarm"]["Properties"]
    assert missing["MetricName"] == "CanaryPassed"
    assert missing["ComparisonOperator"] == "LessThanThreshold"
    assert missing["Threshold"] == 1
    assert missing["TreatMissingData"] == "breaching"
    window = missing["Period"] * missing["EvaluationPeriods"]
    assert 86400 < window <= 604800  # more than the schedule's day; within CloudWatch's 7 days
    assert missing["Period"] >= 3600  # a period under an hour may not span more than a day
    env = resources["CanaryFunction"]["Properties"]["Environment"]["Variables"]
    assert env["SITE_URL"] == {"Fn::Sub": "https://${SiteDistribution.DomainName}"}  # CloudFront


def test_staff_email_feedback_reaches_the_alert_queue_and_visitor_mail_is_kept_apart(
    resources: dict[str, Any],
) -> None:
    destination = resources["StaffEmailEventDestination"]["Properties"]
    assert destination["ConfigurationSetName"] == {"Ref": "StaffEmailConfigurationSet"}
    event = destination["EventDestination"]
    assert event["Enabled"] is True
    assert sorted(event["MatchingEventTypes"]) == ["bounce", "complaint", "deliveryDelay", "reject"]
    assert event["SnsDestination"]["TopicARN"] == {"Ref": "DeliveryEventsTopic"}
    # SES may publish to the encrypted topic, for this configuration set only
    assert resources["DeliveryEventsTopic"]["Properties"]["KmsMasterKeyId"] == {"Ref": "DataKey"}
    (grant,) = resources["DeliveryEventsTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert grant["Principal"] == {"Service": "ses.amazonaws.com"}
    assert "configuration-set/${StaffEmailConfigurationSet}" in str(
        grant["Condition"]["ArnLike"]["aws:SourceArn"]
    )
    key = resources["DataKey"]["Properties"]["KeyPolicy"]["Statement"]
    ses_key = next(s for s in key if s["Principal"] == {"Service": "ses.amazonaws.com"})
    assert set(ses_key["Action"]) == {"kms:GenerateDataKey*", "kms:Decrypt"}
    # ...delivered raw to the alert queue, which accepts that topic too
    subscription = resources["DeliveryEventsSubscription"]["Properties"]
    assert subscription["TopicArn"] == {"Ref": "DeliveryEventsTopic"}
    assert subscription["Endpoint"] == {"Fn::GetAtt": ["AlertQueue", "Arn"]}
    assert subscription["RawMessageDelivery"] is True
    (queue_grant,) = resources["AlertQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    sources = queue_grant["Condition"]["ArnEquals"]["aws:SourceArn"]
    assert {"Ref": "DeliveryEventsTopic"} in sources
    # Staff email skips SES's suppression list (every bounce is recorded instead); visitors'
    # confirmations have their own set, which uses it, and notify_staff sends them through it.
    staff = resources["StaffEmailConfigurationSet"]["Properties"]
    assert staff["SuppressionOptions"]["SuppressedReasons"] == []
    assert staff["DeliveryOptions"]["TlsPolicy"] == "REQUIRE"
    visitors = resources["ConfirmationConfigurationSet"]["Properties"]
    assert sorted(visitors["SuppressionOptions"]["SuppressedReasons"]) == ["BOUNCE", "COMPLAINT"]
    notify = resources["NotifyStaffFunction"]["Properties"]["Environment"]["Variables"]
    assert notify["CONFIRMATION_CONFIGURATION_SET"] == {"Ref": "ConfirmationConfigurationSet"}


def test_every_read_and_change_of_health_data_is_recorded_where_people_cannot_alter_it(
    resources: dict[str, Any],
) -> None:
    trail = resources["AccessTrail"]["Properties"]
    assert trail["IsLogging"] is True
    assert trail["EnableLogFileValidation"] is True  # a changed or deleted file is detectable
    assert trail["KMSKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    (selector,) = trail["AdvancedEventSelectors"]
    fields = {f["Field"]: f["Equals"] for f in selector["FieldSelectors"]}
    assert fields["eventCategory"] == ["Data"]  # every data-plane call, reads included
    assert fields["resources.type"] == ["AWS::DynamoDB::Table"]
    recorded = fields["resources.ARN"]
    assert {"Fn::GetAtt": ["RequestsTable", "Arn"]} in recorded
    assert {"Fn::GetAtt": ["AuditTable", "Arn"]} in recorded
    bucket = resources["AccessTrailBucket"]
    assert bucket["DeletionPolicy"] == "Retain"
    properties = bucket["Properties"]
    assert all(properties["PublicAccessBlockConfiguration"].values())
    encryption = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    (rule,) = properties["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == {"Ref": "AccessLogRetentionDays"}
    writers = resources["AccessTrailBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    allowed = [s for s in writers if s["Effect"] == "Allow"]
    assert {s["Principal"]["Service"] for s in allowed} == {"cloudtrail.amazonaws.com"}
    # No person's policy may touch the trail, its bucket or its key's grants, and every table
    # a person's policy reads or changes health data in is one the trail records.
    for name in ("StaffToolsPolicy", "OpsToolsPolicy"):
        statements = resources[name]["Properties"]["PolicyDocument"]["Statement"]
        for statement in statements:
            actions = _as_list(statement["Action"])
            assert not [a for a in actions if a.startswith(("s3:", "cloudtrail:", "kms:Create"))]
            assert "*" not in actions
            if any(a.startswith("dynamodb:") for a in actions):
                for resource in _as_list(statement["Resource"]):
                    # The alert limits table (budgets, figures, erase marks) holds no health data.
                    tables = ("RequestsTable", "AuditTable", "AlertLimitsTable")
                    assert any(table in json.dumps(resource) for table in tables), resource
